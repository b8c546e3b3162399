"""Calendar files (RFC 5545): one event, in UTC, folded and escaped, the link to join online
only for people registered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from fabrique.workshops import ics
from fabrique.workshops.models import Workshop
from fabrique.workshops.tests.factories import WorkshopFactory

pytestmark = pytest.mark.django_db


def _event(content: bytes):
    [event] = Calendar.from_ical(content).walk("VEVENT")
    return event


@pytest.fixture
def workshop():
    return WorkshopFactory(
        title="Atelier ; mobilités, vélo et « transports » " + "très long " * 8,
        format=Workshop.Format.HYBRID,
        online_url="https://visio.exemple.fr/salle-secrete",
        place_name="Salle des fêtes",
        address="1 place de la Mairie, bâtiment B",
        starts_at=datetime(2026, 3, 14, 13, 30, tzinfo=UTC),
        ends_at=datetime(2026, 3, 14, 16, 0, tzinfo=UTC),
        accessibility="Accès de plain-pied.\nBoucle magnétique.",
    )


def test_the_file_is_rfc_5545(workshop):
    content = ics.workshop_ics(workshop)
    text = content.decode()
    lines = text.split("\r\n")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends with CRLF
    assert all(len(line.encode()) <= 75 for line in lines)  # folded
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DTSTART:20260314T133000Z" in unfolded
    assert "DTEND:20260314T160000Z" in unfolded
    assert "SUMMARY:Atelier \\; mobilités\\, vélo" in unfolded  # escaped
    event = _event(content)
    assert str(event["uid"]) == f"atelier-{workshop.pk}@127.0.0.1"
    assert event["dtstamp"].dt.tzinfo is not None
    assert str(event["url"]).endswith(workshop.get_absolute_url())
    assert "Boucle magnétique" in str(event["description"])


def test_the_public_file_has_no_link_to_join(workshop):
    location = str(_event(ics.workshop_ics(workshop))["location"])
    assert "Salle des fêtes" in location
    assert "bâtiment B" in location
    assert workshop.commune.name in location
    assert "visio" not in ics.workshop_ics(workshop).decode().replace("\r\n ", "")


def test_the_registered_persons_file_has_it_and_their_page(workshop):
    content = ics.workshop_ics(
        workshop, with_online_link=True, personal_url="https://x.fr/ateliers/inscription/abc/"
    )
    event = _event(content)
    assert "https://visio.exemple.fr/salle-secrete" in str(event["location"])
    assert "https://x.fr/ateliers/inscription/abc/" in str(event["description"])


def test_a_cancelled_workshop_cancels_the_same_event(workshop):
    before = _event(ics.workshop_ics(workshop))
    Workshop.objects.filter(pk=workshop.pk).update(
        status=Workshop.Status.CANCELLED, cancellation_reason="Salle inondée"
    )
    workshop.refresh_from_db()
    after = _event(ics.workshop_ics(workshop))
    assert str(after["uid"]) == str(before["uid"])
    assert str(after["status"]) == "CANCELLED"
    assert int(after["sequence"]) >= int(before["sequence"])
    assert "Salle inondée" in str(after["description"])
