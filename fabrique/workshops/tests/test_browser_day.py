"""The day in a real browser: a table's facilitator typing in on a phone, the tables page,
the restitution editor and the public restitution (axe-core on each page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By

from fabrique.accounts.models import Role
from fabrique.accounts.services import role_grant
from fabrique.accounts.tests.factories import UserFactory
from fabrique.core.tests.browser import PHONE_WIDTH, BrowserDemo, Web
from fabrique.participation.models import Contribution
from fabrique.processes.tests.factories import ThemeFactory
from fabrique.workshops.models import Table, Workshop, WorkshopDocument
from fabrique.workshops.services import day as services
from fabrique.workshops.tests.factories import (
    RegistrationFactory,
    TableFactory,
    held_workshop,
    image_upload,
    workshop_process,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def workshop(browser_demo: BrowserDemo, settings: Any, tmp_path: Any) -> Workshop:
    settings.MEDIA_ROOT = tmp_path
    process = workshop_process(territory=browser_demo.territory)
    ThemeFactory(process=process, title="Mobilités")
    ThemeFactory(process=process, title="Habitat")
    return held_workshop(process=process, title="Atelier mobilités à Givry")


def _url(name: str, workshop: Workshop, *args: Any) -> str:
    process = workshop.process
    return reverse(
        f"workshops:{name}", args=[process.territory.slug, process.slug, workshop.pk, *args]
    )


def _phone(web: Web) -> None:
    web.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": True},
    )


def _type_in(web: Web, kind: str, title: str, body: str, who: str = "") -> None:
    web.driver.find_element(By.CSS_SELECTOR, f"input[name=kind][value={kind}]").click()
    web.fill("title", title)
    web.fill("body", body)
    web.driver.find_element(By.XPATH, "//label[normalize-space()='Mobilités']").click()
    if who:
        web.fill("collected_for", who)
    web.driver.find_element(By.NAME, "consent").click()
    web.submit("form.capture-form")


def test_a_table_facilitator_types_in_two_contributions_in_a_row_on_a_phone(
    web: Web, browser_demo: BrowserDemo, workshop: Workshop
) -> None:
    facilitator = UserFactory(display_name="Nadia Animatrice")
    role_grant(
        user=facilitator, role=Role.MODERATOR, territory=browser_demo.territory, granted_by=None
    )
    table = TableFactory(
        workshop=workshop, name="Table 2", topic="Se déplacer sans voiture", facilitator=facilitator
    )
    web.log_in(facilitator)
    url = _url("bo_table_captures", workshop, table.pk)
    _phone(web)
    web.open(url)
    assert web.h1() == "Contributions de « Table 2 »"
    web.check_page("workshops-day-capture")

    _phone(web)
    _type_in(web, "idea", "Un bus le dimanche", "Il n’y a aucun bus le dimanche.", who="Inès")
    assert "Enregistrée : « Un bus le dimanche »" in web.driver.page_source
    # The form is empty again, the cursor in its title, ready for the next one.
    assert web.driver.execute_script("return document.activeElement.name") == "title"
    assert web.driver.find_element(By.NAME, "title").get_attribute("value") == ""
    assert not web.driver.find_element(By.NAME, "consent").is_selected()
    web.check_page("workshops-day-capture-saved")

    _phone(web)
    _type_in(web, "question", "Des arceaux à la gare ?", "Où garer son vélo à la gare ?")
    items = web.driver.find_elements(By.CSS_SELECTOR, ".capture-list li h3")
    assert [i.text for i in items] == ["Des arceaux à la gare ?", "Un bus le dimanche"]
    # Nothing is wider than the phone's screen.
    assert web.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
    contributions = Contribution.objects.filter(workshop_capture__table=table)
    assert contributions.count() == 2
    assert {c.collected_by for c in contributions} == {facilitator}
    web.check_page("workshops-day-capture-two")

    # Without the person's consent, nothing is saved and what was typed stays.
    _phone(web)
    web.fill("title", "Sans accord")
    web.fill("body", "Texte gardé")
    web.submit("form.capture-form")
    assert web.driver.find_element(By.NAME, "body").get_attribute("value") == "Texte gardé"
    assert contributions.count() == 2
    web.check_page("workshops-day-capture-error")


def test_the_tables_page(
    web: Web, browser_demo: BrowserDemo, workshop: Workshop, tmp_path: Any
) -> None:
    staff = UserFactory(display_name="Paul Agent")
    role_grant(user=staff, role=Role.FACILITATOR, territory=browser_demo.territory, granted_by=None)
    now = timezone.now()
    for name in ("Ana Martin", "Bruno Petit", "Chloé Roux", "David Blanc", "Emma Noir"):
        RegistrationFactory(workshop=workshop, name=name, checked_in_at=now)
    web.log_in(browser_demo.territory_admin)
    web.open(_url("bo_tables", workshop))
    assert web.h1() == "Tables et contributions"
    web.check_page("workshops-day-tables-empty")

    web.fill("count", "3")
    web.submit("main form:has(input[name=form][value=many])")
    assert list(Table.objects.values_list("name", flat=True)) == ["Table 1", "Table 2", "Table 3"]

    web.fill("name", "Jeunes")
    web.fill("topic", "Ce que veulent les 15-25 ans")
    select = web.driver.find_element(By.NAME, "facilitator")
    select.find_element(By.XPATH, f"option[@value='{staff.pk}']").click()
    web.submit("main form:has(input[name=form][value=table])")
    assert Table.objects.get(name="Jeunes").facilitator == staff

    web.submit("main form:has(input[name=form][value=random])")
    assert "5 personnes placées au hasard." in web.driver.page_source

    photo = tmp_path / "tableau.png"
    photo.write_bytes(image_upload().read())
    web.driver.find_element(By.CSS_SELECTOR, "#documents summary").click()
    web.driver.find_element(By.CSS_SELECTOR, "#document-form input[name=file]").send_keys(
        str(photo)
    )
    web.driver.find_element(By.CSS_SELECTOR, "#document-form input[name=title]").send_keys(
        "Le tableau de la table 1"
    )
    web.driver.find_element(By.CSS_SELECTOR, "#document-form textarea[name=description]").send_keys(
        "Trois colonnes de post-it : idées, questions, témoignages."
    )
    web.submit("#document-form")
    assert WorkshopDocument.objects.get().title == "Le tableau de la table 1"
    web.check_page("workshops-day-tables")


def test_the_restitution_editor_then_the_public_restitution(
    web: Web, browser_demo: BrowserDemo, workshop: Workshop
) -> None:
    now = timezone.now()
    RegistrationFactory(workshop=workshop, checked_in_at=now)
    RegistrationFactory(workshop=workshop, checked_in_at=now, walk_in=True, email="")
    RegistrationFactory(workshop=workshop)
    table = TableFactory(workshop=workshop, name="Table 1", topic="Le bus")
    for title, kind in (
        ("Un bus le dimanche", "idea"),
        ("Pourquoi pas de navette ?", "question"),
    ):
        services.capture_submit(
            workshop=workshop,
            table=table,
            captured_by=browser_demo.territory_admin,
            kind=kind,
            title=title,
            body="Dit à la table.",
            consent=True,
        )
    services.document_upload(
        workshop=workshop,
        file=image_upload(),
        title="Le tableau",
        description="Trois colonnes de post-it.",
        table=table,
    )
    web.log_in(browser_demo.territory_admin)
    web.open(_url("bo_restitution", workshop))
    assert web.h1() == "Restitution"
    web.check_page("workshops-day-restitution-editor")

    web.fill(
        "restitution",
        "Une trentaine d’habitants sont venus.\n\n<h2>Ce que nous retenons</h2>"
        "<ul><li>Des bus le dimanche</li><li>Une navette vers la gare</li></ul>",
    )
    web.submit("main form:has(input[name=form][value=restitution])", "button[value=preview]")
    assert web.driver.find_element(By.CSS_SELECTOR, ".restitution-preview h4").text == (
        "Ce que nous retenons"
    )
    web.check_page("workshops-day-restitution-preview")
    web.submit("main form:has(input[name=form][value=restitution])", "button[value=publish]")
    workshop.refresh_from_db()
    assert workshop.has_restitution
    assert "Publiée le" in web.driver.page_source

    web.driver.delete_all_cookies()
    web.open(workshop.get_absolute_url())
    section = web.driver.find_element(By.CSS_SELECTOR, "section.restitution")
    assert "Ce que nous retenons" in section.text
    assert "Un bus le dimanche" in section.text
    link = section.find_element(By.LINK_TEXT, "Pourquoi pas de navette ?")
    assert link.get_attribute("href").endswith(
        Contribution.objects.get(title="Pourquoi pas de navette ?").get_absolute_url()
    )
    image = section.find_element(By.CSS_SELECTOR, ".restitution-documents img")
    assert image.get_attribute("alt") == "Trois colonnes de post-it."
    web.check_page("workshops-day-restitution-public")
