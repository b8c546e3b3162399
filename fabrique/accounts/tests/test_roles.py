"""Granting and withdrawing roles from the back-office."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from fabrique.accounts.models import Role, RoleAssignment, RoleEvent
from fabrique.accounts.permissions import has_role, is_platform_admin
from fabrique.accounts.services import role_grant
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.territories.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    territory = TerritoryFactory()
    admin = UserFactory()
    RoleFactory(user=admin, territory=territory, role=Role.TERRITORY_ADMIN)
    client.force_login(admin)
    client.territory, client.admin = territory, admin
    return client


def test_a_territory_admin_grants_a_role_by_email(admin_client) -> None:
    person = UserFactory(email="marie@exemple.fr")
    url = reverse("accounts:roles", args=[admin_client.territory.slug])

    response = admin_client.post(url, {"email": "Marie@Exemple.fr", "role": "facilitator"})

    assert response.status_code == 302
    assert has_role(person, admin_client.territory, Role.FACILITATOR)
    event = RoleEvent.objects.get(user=person)
    assert (event.action, event.actor) == (RoleEvent.Action.GRANTED, admin_client.admin)


def test_granting_twice_does_not_duplicate(admin_client) -> None:
    UserFactory(email="marie@exemple.fr")
    url = reverse("accounts:roles", args=[admin_client.territory.slug])

    admin_client.post(url, {"email": "marie@exemple.fr", "role": "moderator"})
    admin_client.post(url, {"email": "marie@exemple.fr", "role": "moderator"})

    assert RoleAssignment.objects.filter(role="moderator").count() == 1


def test_an_unknown_email_is_refused_and_kept_in_the_form(admin_client) -> None:
    url = reverse("accounts:roles", args=[admin_client.territory.slug])

    response = admin_client.post(url, {"email": "inconnu@exemple.fr", "role": "moderator"})

    assert response.status_code == 200
    assert "inconnu@exemple.fr" in response.content.decode()
    assert response.context["form"].errors["email"]
    assert not RoleAssignment.objects.filter(role="moderator").exists()


def test_a_territory_admin_cannot_make_a_platform_admin(admin_client) -> None:
    person = UserFactory()
    url = reverse("accounts:roles", args=[admin_client.territory.slug])

    response = admin_client.post(url, {"email": person.email, "role": "platform_admin"})

    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not is_platform_admin(person)


def test_withdrawing_a_role_removes_access_and_is_logged(admin_client) -> None:
    assignment = RoleFactory(territory=admin_client.territory, role=Role.MODERATOR)
    url = reverse("accounts:role_withdraw", args=[admin_client.territory.slug, assignment.pk])

    admin_client.post(url)

    assert not has_role(assignment.user, admin_client.territory, Role.MODERATOR)
    assert RoleEvent.objects.filter(
        user=assignment.user, action=RoleEvent.Action.WITHDRAWN
    ).exists()


def test_a_role_on_one_territory_gives_nothing_on_another() -> None:
    here, elsewhere = TerritoryFactory(), TerritoryFactory()
    assignment = RoleFactory(territory=here, role=Role.TERRITORY_ADMIN)

    assert has_role(assignment.user, here, Role.TERRITORY_ADMIN)
    assert not has_role(assignment.user, elsewhere, Role.TERRITORY_ADMIN)


def test_platform_admins_hold_every_role_everywhere() -> None:
    admin = RoleFactory(role=Role.PLATFORM_ADMIN, territory=None).user

    assert has_role(admin, TerritoryFactory(), Role.MODERATOR)


def test_an_inactive_account_holds_no_role() -> None:
    assignment = RoleFactory(territory=TerritoryFactory(), role=Role.MODERATOR)
    assignment.user.is_active = False

    assert not has_role(assignment.user, assignment.territory, Role.MODERATOR)


def test_platform_role_goes_with_no_territory() -> None:
    with pytest.raises(ValidationError):
        role_grant(
            user=UserFactory(),
            role=Role.PLATFORM_ADMIN,
            territory=TerritoryFactory(),
            granted_by=None,
        )
    with pytest.raises(ValidationError):
        role_grant(user=UserFactory(), role=Role.MODERATOR, territory=None, granted_by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=UserFactory(), role=Role.MODERATOR, territory=None)
