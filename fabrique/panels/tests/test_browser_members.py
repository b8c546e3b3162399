"""The panel after its draw in a real browser: a drawn person answers on a phone; staff
follow the members and take attendance. Every page checked with axe-core."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.panels import membership
from fabrique.panels.models import Panel, Session, Volunteer
from fabrique.panels.tests.factories import add_volunteers, make_panel, panel_process

pytestmark = pytest.mark.browser

DRAWN = [("Femme", "16-34"), ("Femme", "35+"), ("Homme", "35+"), ("Homme", "35+")]


def _at(days: int, hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, 30)))


@pytest.fixture
def panel(browser_demo: BrowserDemo) -> Panel:
    panel = make_panel(
        size=4,
        title="Panel citoyen des mobilités",
        process=panel_process(territory=browser_demo.territory),
    )
    panel.description = (
        "Quatre samedis matin, de mars à juin, pour proposer au conseil communautaire un plan "
        "de mobilité. Les déplacements sont remboursés."
    )
    panel.save()
    people = add_volunteers(panel, DRAWN)
    Volunteer.objects.filter(pk__in=[v.pk for v in people]).update(status="selected")
    Volunteer.objects.filter(pk=people[3].pk).update(email="", phone="06 12 34 56 78")
    membership.invitation_answer(volunteer=people[1], accept=True)
    membership.invitation_answer(volunteer=people[2], accept=False, note="Je travaille le samedi")
    past = membership.session_save(
        panel=panel,
        title="Séance de lancement",
        starts_at=_at(-14, 9),
        place="Espace Jean Zay, Chalon-sur-Saône",
        description="Accueil, présentation du panel, premiers échanges.",
    )
    membership.attendance_set(session=past, present_ids=[people[1].pk])
    membership.session_save(
        panel=panel,
        title="Les déplacements domicile-travail",
        starts_at=_at(14, 9),
        place="Maison des associations, Chalon-sur-Saône",
        description="Témoignages d'habitants, puis travail en petits groupes.\nDéjeuner offert.",
    )
    return panel


def _first(panel: Panel) -> Volunteer:
    return panel.volunteers.order_by("number").first()  # type: ignore[return-value]


def test_a_drawn_person_accepts_on_a_phone_and_sees_the_sessions(web: Web, panel: Panel) -> None:
    volunteer = _first(panel)
    web.driver.set_window_size(360, 800)
    try:
        web.open(reverse("panels:member_space", args=[volunteer.token]))
        # French once the messages are translated; their English msgids until then.
        assert web.h1() in (f"Bonjour {volunteer.first_name}", f"Hello {volunteer.first_name}")
        web.check_page("panel-member-invited")

        web.submit("main form", "button[type=submit]")

        text = web.driver.find_element(By.TAG_NAME, "main").text
        assert "Vous êtes membre du panel" in text or "You are a member of the panel" in text
        assert "Les déplacements domicile-travail" in text
        assert "Séance de lancement" in text
        web.check_page("panel-member-space")
    finally:
        web.driver.set_window_size(1280, 900)
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACCEPTED


def test_staff_follow_the_members_and_take_attendance(
    web: Web, browser_demo: BrowserDemo, panel: Panel
) -> None:
    process = panel.process
    args = [process.territory.slug, process.slug, panel.slug]
    session = Session.objects.get(title="Séance de lancement")
    web.log_in(browser_demo.territory_admin)

    web.open(reverse("panels:bo_members", args=args))
    assert "06 12 34 56 78" in web.driver.page_source
    web.check_page("panel-bo-members")

    web.open(reverse("panels:bo_sessions", args=args))
    web.check_page("panel-bo-sessions")

    web.open(reverse("panels:bo_session", args=[*args, session.pk]))
    boxes = web.driver.find_elements(By.CSS_SELECTOR, "input[name=attendance-present]")
    assert len(boxes) == 3  # the members, not who declined
    for box in boxes:
        if not box.is_selected():
            box.click()
    web.submit("main form", "button[type=submit]")
    assert session.attendees.count() == 3
    web.check_page("panel-bo-session")
