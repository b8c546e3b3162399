"""Age band and gender: optional, explained, exported with the rest, erased with the account."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from fabrique.accounts import services
from fabrique.accounts.models import AgeBand, Gender, User
from fabrique.accounts.tests.factories import UserFactory
from fabrique.territories.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client):
    TerritoryFactory()
    user = UserFactory(display_name="Lou")
    client.force_login(user)
    return user


def test_the_profile_asks_both_as_optional_and_says_why(client, person) -> None:
    page = client.get(reverse("accounts:profile")).content.decode()

    assert 'name="age_band"' in page
    assert 'name="gender"' in page
    assert "compar" in page  # the help text says what the answer is used for
    field = User._meta.get_field("age_band")
    assert field.blank
    assert "Facultatif" in str(field.help_text)
    assert User._meta.get_field("gender").blank
    assert "Facultatif" in str(User._meta.get_field("gender").help_text)


def test_age_band_and_gender_are_saved(client, person) -> None:
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Lou", "age_band": AgeBand.FROM_30_TO_44, "gender": Gender.WOMAN},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.age_band == "30_44"
    assert person.gender == "woman"


def test_they_can_be_withdrawn(client, person) -> None:
    person.age_band, person.gender = AgeBand.FROM_75, Gender.MAN
    person.save()

    client.post(reverse("accounts:profile"), {"display_name": "Lou", "age_band": "", "gender": ""})

    person.refresh_from_db()
    assert (person.age_band, person.gender) == ("", "")


def test_an_unknown_value_is_refused_and_nothing_is_saved(client, person) -> None:
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Autre nom", "age_band": "12_14", "gender": Gender.WOMAN},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["age_band"]
    person.refresh_from_db()
    assert (person.display_name, person.gender) == ("Lou", "")


def test_a_caller_that_does_not_ask_them_keeps_them(person) -> None:
    person.age_band, person.gender = AgeBand.FROM_15_TO_29, Gender.OTHER
    person.save()

    services.profile_update(user=person, display_name="Lou", commune=None, actor_kind="")

    person.refresh_from_db()
    assert (person.age_band, person.gender) == ("15_29", "other")


def test_the_personal_data_export_holds_them(client, person) -> None:
    person.age_band, person.gender = AgeBand.FROM_45_TO_59, Gender.WOMAN
    person.save()

    response = client.get(reverse("accounts:export"))

    data = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert data["age_band"] == "45_59"
    assert data["gender"] == "woman"


def test_erasing_the_account_erases_them(person) -> None:
    person.age_band, person.gender = AgeBand.FROM_60_TO_74, Gender.MAN
    person.save()

    services.user_delete(user=person)

    assert not User.objects.filter(age_band="60_74", gender="man").exists()
