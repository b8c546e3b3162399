"""A person's profile and personal data."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from fabrique.accounts.models import ActorKind, Role, User
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.territories.tests.factories import CommuneFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(client):
    communes = [
        CommuneFactory(insee_code="71475", name="Saint-Rémy", population=6000),
        CommuneFactory(insee_code="71076", name="Chalon-sur-Saône", population=44000),
    ]
    TerritoryFactory(communes=communes)
    user = UserFactory(display_name="Lou")
    client.force_login(user)
    return user


@pytest.mark.parametrize("typed", ["Saint-Rémy (71475)", "saint remy", "71475", " SAINT-RÉMY "])
def test_the_commune_is_found_by_name_or_code(client, person, typed: str) -> None:
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Lou B.", "commune": typed, "actor_kind": ActorKind.ASSOCIATION},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "Lou B."
    assert person.commune.insee_code == "71475"
    assert person.actor_kind == ActorKind.ASSOCIATION


def test_optional_fields_can_stay_empty(client, person) -> None:
    response = client.post(
        reverse("accounts:profile"), {"display_name": "Lou", "commune": "", "actor_kind": ""}
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.commune is None
    assert person.actor_kind == ""


def test_an_unknown_commune_is_refused_and_what_was_typed_is_kept(client, person) -> None:
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "Nouveau nom", "commune": "Lyon", "actor_kind": "business"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Lyon"' in page
    assert 'value="Nouveau nom"' in page
    assert response.context["form"].errors["commune"]
    person.refresh_from_db()
    assert person.display_name == "Lou"


def test_the_profile_offers_the_territory_communes_as_suggestions(client, person) -> None:
    page = client.get(reverse("accounts:profile")).content.decode()

    assert '<datalist id="id_commune-options">' in page
    assert "Chalon-sur-Saône (71076)" in page


def test_the_display_name_is_required(client, person) -> None:
    response = client.post(reverse("accounts:profile"), {"display_name": " "})

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]


def test_the_profile_needs_a_login(client) -> None:
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302


def test_a_person_downloads_everything_held_about_them(client, person) -> None:
    RoleFactory(user=person, territory=TerritoryFactory(name="CC Test"), role=Role.MODERATOR)

    response = client.get(reverse("accounts:export"))

    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["email"] == person.email
    assert data["display_name"] == "Lou"
    assert data["roles"][0]["territory"] == "CC Test"
    assert data["email_addresses"][0]["verified"] is True


def test_deleting_the_account_needs_confirmation(client, person) -> None:
    response = client.post(reverse("accounts:delete"), {})

    assert response.status_code == 200
    assert User.objects.filter(pk=person.pk).exists()


def test_deleting_the_account_erases_it_and_logs_out(client, person) -> None:
    response = client.post(reverse("accounts:delete"), {"confirm": "on"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()
    assert client.get(reverse("accounts:profile")).status_code == 302
