"""Attendance at the door: the list with its « Present » toggles (with and without htmx),
the search, walk-ins, and the QR code scanned with a phone, for each role."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.workshops.models import Registration
from fabrique.workshops.services.registration_mail import checkin_token
from fabrique.workshops.tests.factories import RegistrationFactory, WorkshopFactory
from fabrique.workshops.tests.test_registration_views import ROLES_EXPECTED, _bo, _user_as

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def workshop():
    return WorkshopFactory(capacity=3)


@pytest.fixture
def runner(client, workshop):
    user = _user_as("workshop_facilitator", workshop)
    client.force_login(user)
    return user


class TestCheckinList:
    def test_lists_the_registered_and_the_waiting_by_name(self, client, workshop, runner):
        RegistrationFactory(workshop=workshop, name="Zoé Martin")
        RegistrationFactory(workshop=workshop, name="Élodie Bernard", needs="Fauteuil")
        RegistrationFactory(workshop=workshop, name="Yann Waiting", status=Status.WAITLISTED)
        RegistrationFactory(workshop=workshop, name="Paul Pending", status=Status.PENDING)
        RegistrationFactory(workshop=workshop, name="Carl Cancelled", status=Status.CANCELLED)
        html = client.get(_bo("bo_checkin", workshop)).content.decode()
        assert html.index("Élodie Bernard") < html.index("Yann Waiting") < html.index("Zoé Martin")
        assert "Fauteuil" in html
        assert "Paul Pending" not in html
        assert "Carl Cancelled" not in html
        assert html.count('aria-pressed="false"') == 3

    def test_the_search_ignores_accents_and_case(self, client, workshop, runner):
        RegistrationFactory(workshop=workshop, name="Élodie Bernard")
        RegistrationFactory(workshop=workshop, name="Zoé Martin")
        html = client.get(_bo("bo_checkin", workshop), {"q": "elod"}).content.decode()
        assert "Élodie Bernard" in html
        assert "Zoé Martin" not in html

    def test_the_toggle_without_javascript(self, client, workshop, runner):
        person = RegistrationFactory(workshop=workshop)
        url = _bo("bo_checkin", workshop)
        response = client.post(
            url, {"form": "present", "registration": person.pk, "present": "1", "q": "a"}
        )
        assert response.status_code == 302
        assert response["Location"].endswith("?q=a")
        person.refresh_from_db()
        assert person.checked_in_at is not None
        assert person.checked_in_by == runner
        client.post(url, {"form": "present", "registration": person.pk, "present": "0"})
        person.refresh_from_db()
        assert person.checked_in_at is None

    def test_the_toggle_with_htmx_returns_the_row_and_the_counter(self, client, workshop, runner):
        person = RegistrationFactory(workshop=workshop, name="Anne")
        RegistrationFactory(workshop=workshop)
        response = client.post(
            _bo("bo_checkin", workshop),
            {"form": "present", "registration": person.pk, "present": "1"},
            HTTP_HX_REQUEST="true",
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert f'id="checkin-{person.pk}"' in html
        assert 'aria-pressed="true"' in html
        assert 'id="checkin-counter"' in html
        assert 'hx-swap-oob="true"' in html
        assert "<strong>1</strong>" in html

    def test_a_double_tap_keeps_the_first_time(self, client, workshop, runner):
        person = RegistrationFactory(workshop=workshop)
        url = _bo("bo_checkin", workshop)
        client.post(url, {"form": "present", "registration": person.pk, "present": "1"})
        person.refresh_from_db()
        first = person.checked_in_at
        client.post(url, {"form": "present", "registration": person.pk, "present": "1"})
        person.refresh_from_db()
        assert person.checked_in_at == first

    def test_a_walk_in_is_added_present_and_can_be_removed(self, client, workshop, runner):
        url = _bo("bo_checkin", workshop)
        client.post(url, {"form": "walkin", "walkin-name": "Marc", "walkin-email": ""})
        person = workshop.registrations.get()
        assert person.walk_in
        assert person.is_present
        html = client.get(url).content.decode()
        assert "Marc" in html
        client.post(url, {"form": "remove", "registration": person.pk})
        person.refresh_from_db()
        assert person.status == Status.CANCELLED

    def test_a_walk_in_form_with_errors_keeps_the_name(self, client, workshop, runner):
        RegistrationFactory(workshop=workshop, email="deja@exemple.fr")
        response = client.post(
            _bo("bo_checkin", workshop),
            {"form": "walkin", "walkin-name": "Marc", "walkin-email": "deja@exemple.fr"},
        )
        assert response.status_code == 200
        assert 'value="Marc"' in response.content.decode()
        assert workshop.registrations.count() == 1


class TestScan:
    def _url(self, registration):
        return reverse("workshops:checkin_scan", args=[checkin_token(registration)])

    @pytest.mark.parametrize(("role", "status"), ROLES_EXPECTED)
    def test_only_those_who_run_the_workshop_see_the_person(self, client, role, status):
        workshop = WorkshopFactory()
        person = RegistrationFactory(workshop=workshop, name="Lucie Secret", needs="Fauteuil")
        user = _user_as(role, workshop)
        if user:
            client.force_login(user)
        response = client.get(self._url(person))
        html = response.content.decode()
        assert response.status_code == 200
        allowed = status == 200
        assert ("Lucie Secret" in html) is allowed
        assert (workshop.title in html) is allowed
        assert ("Fauteuil" in html) is allowed
        client.post(self._url(person))
        person.refresh_from_db()
        assert person.is_present is allowed

    def test_a_scan_confirms_once_then_says_when(self, client, workshop, runner):
        person = RegistrationFactory(workshop=workshop, name="Lucie")
        url = self._url(person)
        page = client.get(url).content.decode()
        assert "<form" in page
        assert "Lucie" in page
        response = client.post(url, follow=True)
        person.refresh_from_db()
        time = timezone.localtime(person.checked_in_at).strftime("%H:%M")
        assert time in response.content.decode()
        again = client.get(url).content.decode()
        assert time in again
        assert "<button" not in again.split("<main")[1].split("</main>")[0]
        assert ("déjà" in again.lower()) or ("already" in again.lower())

    def test_a_forged_code_shows_the_neutral_page(self, client, workshop, runner):
        person = RegistrationFactory(workshop=workshop, name="Lucie")
        response = client.get(reverse("workshops:checkin_scan", args=[f"{person.pk}.faux"]))
        assert b"Lucie" not in response.content
        client.post(reverse("workshops:checkin_scan", args=[f"{person.pk}.faux"]))
        person.refresh_from_db()
        assert not person.is_present

    def test_the_personal_token_is_not_the_check_in_code(self, client, workshop, runner):
        person = RegistrationFactory(workshop=workshop)
        response = client.get(reverse("workshops:checkin_scan", args=[person.token]))
        assert person.name.encode() not in response.content
