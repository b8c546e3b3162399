"""Planning a workshop in a real browser, then finding it on the public pages (axe on each)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.workshops.models import Workshop
from fabrique.workshops.tests.factories import WorkshopFactory, workshop_process

pytestmark = pytest.mark.browser


def test_staff_plan_and_publish_a_workshop_that_people_then_find(
    web: Web, browser_demo: BrowserDemo
) -> None:
    process = workshop_process(territory=browser_demo.territory)
    WorkshopFactory(process=process, title="Atelier déjà prévu", capacity=2)
    web.log_in(browser_demo.territory_admin)
    web.open(reverse("workshops:bo_list", args=[process.territory.slug, process.slug]))
    web.check_page("workshops-bo-list")

    web.open(reverse("workshops:bo_create", args=[process.territory.slug, process.slug]))
    web.fill("title", "Atelier vélo à Givry")
    web.fill("summary", "Où mettre des arceaux et des pistes ?")
    web.driver.find_element(By.CSS_SELECTOR, "input[name=format][value=hybrid]").click()
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=18, minute=0)
    for name, moment in (("starts_at", start), ("ends_at", start + timedelta(hours=2))):
        field = web.driver.find_element(By.NAME, name)
        web.driver.execute_script(
            "arguments[0].value = arguments[1]", field, moment.strftime("%Y-%m-%dT%H:%M")
        )
    web.fill("place_name", "Salle des fêtes")
    web.submit("main form")
    # Hybrid without a link: refused, what was typed stays.
    assert "Où mettre des arceaux" in web.driver.page_source
    web.check_page("workshops-bo-form-error")
    web.fill("online_url", "https://visio.exemple.fr/velo")
    web.submit("main form")
    workshop = Workshop.objects.get(title="Atelier vélo à Givry")
    assert workshop.status == Workshop.Status.DRAFT
    web.check_page("workshops-bo-overview")
    web.submit("main form[action$='statut/']")
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.PUBLISHED

    web.driver.delete_all_cookies()
    web.open(process.get_absolute_url())
    assert "Atelier vélo à Givry" in web.driver.page_source
    web.open(reverse("workshops:list", args=[process.slug]))
    web.check_page("workshops-public-list")
    web.driver.find_element(By.LINK_TEXT, "Atelier vélo à Givry").click()
    assert web.h1() == "Atelier vélo à Givry"
    assert "visio.exemple.fr" not in web.driver.page_source
    web.check_page("workshops-public-detail")
