"""Registrations in a real browser: a visitor registers and confirms by the e-mailed link;
a person waiting sees their place come; staff follow registrations, invite, take
attendance on a phone and scan a QR code. axe-core checks every page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.workshops.models import Registration, Workshop
from fabrique.workshops.services.registration_mail import checkin_token
from fabrique.workshops.tests.factories import (
    RegistrationFactory,
    WorkshopFactory,
    workshop_process,
)

pytestmark = pytest.mark.browser

Status = Registration.Status


@pytest.fixture
def workshop(browser_demo: BrowserDemo) -> Workshop:
    process = workshop_process(territory=browser_demo.territory)
    return WorkshopFactory(
        process=process,
        title="Atelier vélo à Givry",
        summary="Où mettre des arceaux et des pistes cyclables ?",
        format=Workshop.Format.HYBRID,
        online_url="https://visio.exemple.fr/velo",
        place_name="Salle des fêtes",
        address="2 rue de la République",
        capacity=12,
        accessibility="Salle de plain-pied. Boucle magnétique à l’accueil.",
    )


def _bo(name: str, workshop: Workshop) -> str:
    process = workshop.process
    return reverse(f"workshops:{name}", args=[process.territory.slug, process.slug, workshop.pk])


def _main(web: Web) -> str:
    return web.driver.find_element(By.TAG_NAME, "main").text


def test_a_visitor_registers_and_confirms_by_the_link(web: Web, workshop: Workshop) -> None:
    web.open(workshop.get_absolute_url())
    web.fill("name", "Awa Diallo")
    web.fill("email", "awa@exemple.fr")
    web.fill("needs", "Interprète en langue des signes")
    web.submit("form.registration-form")
    assert web.h1() == "Consultez vos e-mails"
    assert "awa@exemple.fr" in _main(web)
    web.check_page("registration-sent")

    registration = Registration.objects.get()
    assert registration.status == Status.PENDING
    [message] = mail.outbox
    link = re.search(r"https?://\S+/ateliers/inscription/\S+/", message.body)
    assert link
    web.open(urlsplit(link.group(0)).path)
    assert "Plus qu’un clic" in _main(web)
    web.check_page("registration-pending")
    registration.refresh_from_db()
    assert registration.status == Status.PENDING  # opening the link confirms nobody

    web.submit("main form")
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    text = _main(web)
    assert "Vous êtes inscrit·e : une place vous est réservée." in text
    assert "https://visio.exemple.fr/velo" in text
    assert web.driver.find_elements(By.CSS_SELECTOR, ".qr svg[role=img]")
    web.check_page("registration-confirmed")
    assert any("atelier.ics" in [a[0] for a in m.attachments] for m in mail.outbox)


def test_a_signed_in_person_registers_in_one_click_and_finds_it_again(
    web: Web, browser_demo: BrowserDemo, workshop: Workshop
) -> None:
    web.log_in(browser_demo.inhabitant)
    web.open(workshop.get_absolute_url())
    web.check_page("registration-block-signed-in")
    web.submit("form.registration-form")
    registration = Registration.objects.get()
    assert registration.user == browser_demo.inhabitant
    assert web.path == reverse("workshops:registration", args=[registration.token])
    web.open(reverse("workshops:my_registrations"))
    assert "Atelier vélo à Givry" in _main(web)
    web.check_page("registration-mine")


def test_a_waiting_person_sees_the_place_come_to_them(web: Web, workshop: Workshop) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(capacity=1)
    seated = RegistrationFactory(workshop=workshop, name="Bruno Martin")
    waiting = RegistrationFactory(workshop=workshop, name="Chloé Petit", status=Status.WAITLISTED)

    web.open(reverse("workshops:registration", args=[waiting.token]))
    assert "Vous êtes sur la liste d’attente. Vous êtes en position 1." in _main(web)
    web.check_page("registration-waitlisted")

    web.open(reverse("workshops:registration", args=[seated.token]))
    web.driver.find_element(By.LINK_TEXT, "Annuler mon inscription").click()
    assert web.h1() == "Annuler votre inscription ?"
    web.check_page("registration-cancel")
    web.submit("main form")
    assert "Votre inscription est annulée." in _main(web)

    web.open(reverse("workshops:registration", args=[waiting.token]))
    text = _main(web)
    assert "Vous êtes inscrit·e : une place vous est réservée." in text
    assert "vous étiez en tête de la liste d’attente" in text
    web.check_page("registration-promoted")
    assert any(waiting.email in m.to for m in mail.outbox)


def test_staff_follow_registrations_and_invite(
    web: Web, browser_demo: BrowserDemo, workshop: Workshop
) -> None:
    Workshop.objects.filter(pk=workshop.pk).update(capacity=3)
    RegistrationFactory(workshop=workshop, name="Anne Durand", needs="Fauteuil roulant")
    RegistrationFactory(workshop=workshop, name="Bruno Martin")
    RegistrationFactory(workshop=workshop, name="Chloé Petit")
    RegistrationFactory(workshop=workshop, name="Denis Roux", status=Status.WAITLISTED)
    RegistrationFactory(
        workshop=workshop, name="Emma Blanc", status=Status.PENDING, confirmed_at=None
    )
    web.log_in(browser_demo.territory_admin)
    web.open(_bo("bo_registrations", workshop))
    text = _main(web)
    assert "Fauteuil roulant" in text
    assert "3 / 3" in text
    web.check_page("registration-bo-list")

    web.fill("add-name", "Jeanne Morel")
    web.fill("add-needs", "Vient avec son chien guide")
    web.submit("main form:has(input[name=form][value=add])")
    assert "L’atelier est complet : Jeanne Morel est sur la liste d’attente." in _main(web)

    web.open(_bo("bo_invitations", workshop))
    web.fill("invite-addresses", "Alice Martin <alice@exemple.fr>\nbob@\n")
    web.submit("main form:has(textarea)")
    assert "Ligne 2" in _main(web)
    assert "Alice Martin <alice@exemple.fr>" in web.driver.find_element(
        By.NAME, "invite-addresses"
    ).get_attribute("value")
    web.check_page("registration-bo-invitations-error")
    field = web.driver.find_element(By.NAME, "invite-addresses")
    field.clear()
    field.send_keys("Alice Martin <alice@exemple.fr>\nbob@exemple.fr")
    web.submit("main form:has(textarea)")
    assert "2 invitations sont en cours d’envoi." in _main(web)
    web.check_page("registration-bo-invitations")


def test_attendance_on_a_phone(web: Web, browser_demo: BrowserDemo, workshop: Workshop) -> None:
    facilitator = browser_demo.inhabitant
    workshop.facilitators.add(facilitator)
    anne = RegistrationFactory(workshop=workshop, name="Anne Durand", needs="Fauteuil roulant")
    RegistrationFactory(workshop=workshop, name="Élodie Bernard")
    RegistrationFactory(workshop=workshop, name="Zoé Martin", status=Status.WAITLISTED)
    web.log_in(facilitator)
    web.driver.set_window_size(360, 800)
    try:
        web.open(_bo("bo_checkin", workshop))
        toggle = web.driver.find_element(By.CSS_SELECTOR, f"#checkin-{anne.pk} .checkin-toggle")
        toggle.click()
        web.wait_for(
            lambda d: (
                d.find_element(
                    By.CSS_SELECTOR, f"#checkin-{anne.pk} .checkin-toggle"
                ).get_attribute("aria-pressed")
                == "true"
            )
        )
        assert web.driver.find_element(By.ID, "checkin-counter").text.startswith("1 ")
        anne.refresh_from_db()
        assert anne.is_present

        search = web.driver.find_element(By.ID, "checkin-q")
        search.send_keys("elod")
        rows = web.driver.find_elements(By.CSS_SELECTOR, ".checkin-row")
        shown = [r.text for r in rows if r.is_displayed()]
        assert len(shown) == 1
        assert "Élodie Bernard" in shown[0]
        search.send_keys(Keys.CONTROL, "a", Keys.DELETE)
        web.check_page("registration-bo-checkin")
    finally:
        web.driver.set_window_size(1280, 900)


def test_scanning_a_qr_code(web: Web, browser_demo: BrowserDemo, workshop: Workshop) -> None:
    person = RegistrationFactory(workshop=workshop, name="Anne Durand", needs="Fauteuil roulant")
    url = reverse("workshops:checkin_scan", args=[checkin_token(person)])

    web.open(url)  # not signed in: nothing about the person
    assert "Anne Durand" not in web.driver.page_source
    web.check_page("registration-scan-neutral")

    web.log_in(browser_demo.territory_admin)
    web.driver.set_window_size(360, 800)
    try:
        web.open(url)
        assert "Anne Durand" in _main(web)
        web.check_page("registration-scan")
        web.submit("main form")
        assert "Présence enregistrée à" in _main(web)
        web.check_page("registration-scan-done")
        web.open(url)
        assert "Déjà enregistré·e à" in _main(web)
    finally:
        web.driver.set_window_size(1280, 900)
    person.refresh_from_db()
    assert person.checked_in_by == browser_demo.territory_admin
