"""Panels in a real browser: staff set quotas, check the pool, publish the seed and draw;
an inhabitant signs up on a phone; everyone sees the public page. Each page gets axe-core."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.panels.models import Draw, Volunteer
from fabrique.panels.tests.factories import add_volunteers, make_panel, panel_process

pytestmark = pytest.mark.browser

POOL = [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"), ("Homme", "35+"),
        ("Femme", "35+"), ("Homme", "16-34"), ("Femme", "35+"), ("Homme", "35+")]  # fmt: skip


@pytest.fixture
def panel(browser_demo: BrowserDemo):
    panel = make_panel(size=4, process=panel_process(territory=browser_demo.territory))
    add_volunteers(panel, POOL)
    return panel


def _bo(name: str, panel, *args) -> str:
    process = panel.process
    return reverse(f"panels:{name}", args=[process.territory.slug, process.slug, panel.slug, *args])


def test_staff_adjust_a_quota_then_publish_the_seed_and_draw(
    web: Web, browser_demo: BrowserDemo, panel
) -> None:
    web.log_in(browser_demo.territory_admin)
    web.open(_bo("bo_panel", panel))
    web.check_page("panel-overview")

    web.open(_bo("bo_quotas", panel))
    web.check_page("panel-quotas")
    young = panel.categories.get(label="Âge").values.get(label="16-34")
    field = web.driver.find_element(By.ID, f"max-{young.pk}")
    field.clear()
    field.send_keys("2")
    web.submit("main form")
    young.refresh_from_db()
    assert (young.max_count, young.adjusted) == (2, True)

    web.open(_bo("bo_pool", panel))
    web.check_page("panel-pool")

    web.open(_bo("bo_draw", panel))
    web.check_page("panel-draw-before")
    web.fill("seed", "Loto : 4 8 15 16 23 42")
    web.driver.find_element(By.NAME, "confirm").click()
    web.submit("main form")
    draw = panel.draws.get()
    assert draw.seed == "Loto : 4 8 15 16 23 42"
    web.check_page("panel-draw-seed-published")

    web.submit(f"form[action$='/tirage/{draw.pk}/lancer/']")
    web.wait_for(lambda d: d.find_elements(By.CSS_SELECTOR, "#draw-progress progress[value='100']"))
    draw.refresh_from_db()
    assert draw.status == Draw.Status.DONE
    assert len(draw.selected) == 4
    assert panel.volunteers.filter(status=Volunteer.Status.SELECTED).count() == 4
    web.check_page("panel-draw-progress-done")

    web.open(_bo("bo_draw_results", panel, draw.pk))
    web.check_page("panel-draw-results")
    web.open(panel.get_absolute_url())
    assert "Loto : 4 8 15 16 23 42" in web.driver.find_element(By.TAG_NAME, "main").text
    web.check_page("panel-public-drawn")


def test_an_inhabitant_signs_up_on_a_phone(web: Web, panel) -> None:
    web.driver.set_window_size(360, 800)
    try:
        web.open(reverse("panels:signup", args=[panel.process.slug, panel.slug]))
        web.check_page("panel-signup")
        web.fill("first_name", "Zoé")
        web.fill("last_name", "Martin")
        web.fill("email", "zoe@exemple.fr")
        web.driver.find_element(By.XPATH, "//label[normalize-space()='Femme']").click()
        web.driver.find_element(By.XPATH, "//label[normalize-space()='16-34']").click()
        web.submit("main form")
        # The consent was not ticked: nothing recorded, nothing typed lost.
        assert not Volunteer.objects.filter(email="zoe@exemple.fr").exists()
        assert web.driver.find_element(By.NAME, "first_name").get_attribute("value") == "Zoé"
        web.driver.find_element(By.NAME, "consent").click()
        web.submit("main form")

        volunteer = Volunteer.objects.get(email="zoe@exemple.fr")
        assert volunteer.confirmed_at is None
        web.check_page("panel-signup-sent")
        web.open(reverse("panels:confirm", args=[volunteer.token]))
        web.check_page("panel-confirm")
        web.submit("main form")
        volunteer.refresh_from_db()
        assert volunteer.confirmed_at is not None
    finally:
        web.driver.set_window_size(1280, 900)


def test_public_page_before_the_draw(web: Web, panel) -> None:
    web.open(panel.get_absolute_url())

    assert web.h1() == panel.title
    web.check_page("panel-public")
