"""Each role's access to each back-office page, enforced on the server."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.territories.services import basin_save
from fabrique.territories.tests.factories import GroupingFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "participant",
    "body_member",
    "facilitator",
    "moderator",
    "territory_admin",
    "admin_elsewhere",
    "platform_admin",
]
STAFF = {"body_member", "facilitator", "moderator", "territory_admin", "platform_admin"}
MANAGERS = {"territory_admin", "platform_admin"}


@pytest.fixture
def place():
    territory = TerritoryFactory()
    grouping = GroupingFactory(territory=territory)
    basin = basin_save(grouping=grouping, name="Nord", communes=territory.communes.all()[:2])
    assignment = RoleFactory(territory=territory, role=Role.MODERATOR)
    return {"territory": territory, "grouping": grouping, "basin": basin, "assignment": assignment}


def _login_as(client, persona: str, territory) -> None:
    if persona == "anonymous":
        return
    user = UserFactory()
    if persona == "platform_admin":
        RoleFactory(user=user, role=Role.PLATFORM_ADMIN, territory=None)
    elif persona == "admin_elsewhere":
        RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=TerritoryFactory())
    elif persona != "participant":
        RoleFactory(user=user, role=persona, territory=territory)
    client.force_login(user)


def _pages(place):
    slug = place["territory"].slug
    g, b = place["grouping"].pk, place["basin"].pk
    return {
        "territory_home": (reverse("accounts:territory_home", args=[slug]), STAFF),
        "roles": (reverse("accounts:roles", args=[slug]), MANAGERS),
        "groupings": (reverse("territories:groupings", args=[slug]), MANAGERS),
        "grouping": (reverse("territories:grouping", args=[slug, g]), MANAGERS),
        "basin_create": (reverse("territories:basin_create", args=[slug, g]), MANAGERS),
        "basin_edit": (reverse("territories:basin_edit", args=[slug, g, b]), MANAGERS),
        "basin_import": (reverse("territories:basin_import", args=[slug, g]), MANAGERS),
        "legal_page_edit": (
            reverse("territories:legal_page_edit", args=[slug, "accessibilite"]),
            MANAGERS,
        ),
        "appearance": (reverse("territories:appearance", args=[slug]), MANAGERS),
        "territory_import": (reverse("territories:import"), {"platform_admin"}),
    }


PAGE_NAMES = [
    "territory_home",
    "roles",
    "groupings",
    "grouping",
    "basin_create",
    "basin_edit",
    "basin_import",
    "legal_page_edit",
    "appearance",
    "territory_import",
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGE_NAMES)
def test_back_office_page_access(client, place, persona: str, page: str) -> None:
    url, allowed = _pages(place)[page]
    _login_as(client, persona, place["territory"])

    response = client.get(url)

    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif persona in allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_actions_are_refused_to_those_who_cannot_manage(client, place, persona) -> None:
    _login_as(client, persona, place["territory"])
    slug = place["territory"].slug
    grouping, basin = place["grouping"], place["basin"]

    delete = client.post(reverse("territories:basin_delete", args=[slug, grouping.pk, basin.pk]))
    withdraw = client.post(reverse("accounts:role_withdraw", args=[slug, place["assignment"].pk]))

    allowed = persona in MANAGERS
    assert grouping.basins.filter(pk=basin.pk).exists() is not allowed
    assert place["territory"].role_assignments.filter(pk=place["assignment"].pk).exists() is (
        not allowed
    )
    if not allowed:
        expected = 302 if persona == "anonymous" else 403
        assert delete.status_code == withdraw.status_code == expected


def test_dashboard_sends_participants_a_clear_refusal(client) -> None:
    client.force_login(UserFactory())

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 403
    assert "accounts/backoffice/no_access.html" in [t.name for t in response.templates]


def test_dashboard_sends_a_one_territory_staff_member_to_their_territory(client, place) -> None:
    user = UserFactory()
    RoleFactory(user=user, role=Role.FACILITATOR, territory=place["territory"])
    client.force_login(user)

    response = client.get(reverse("accounts:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "accounts:territory_home", args=[place["territory"].slug]
    )


def test_only_managers_see_management_links_on_the_territory_home(client, place) -> None:
    moderator = place["assignment"].user
    client.force_login(moderator)
    url = reverse("accounts:territory_home", args=[place["territory"].slug])

    response = client.get(url)

    assert response.status_code == 200
    assert (
        reverse("accounts:roles", args=[place["territory"].slug]) not in response.content.decode()
    )


def test_the_back_office_link_is_shown_only_to_those_with_a_role(client, place) -> None:
    link = f'href="{reverse("accounts:dashboard")}"'
    participant = UserFactory()
    client.force_login(participant)
    assert link not in client.get(reverse("home")).content.decode()

    client.force_login(place["assignment"].user)
    assert link in client.get(reverse("home")).content.decode()
