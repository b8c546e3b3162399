"""The demo territory carries Grand Chalon's six life basins as the authority presented them."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from fabrique.accounts.models import Role, RoleAssignment, User
from fabrique.territories.models import BasinGrouping, Territory
from fabrique.territories.selectors import grouping_figures

pytestmark = pytest.mark.django_db

EXPECTED_BASINS = {
    "Centre urbain": 4,
    "Bresse chalonnaise": 5,
    "Plaine nord": 9,
    "Plaine sud": 6,
    "Côte chalonnaise": 14,
    "Vallée de la Dheune": 13,
}


def test_demo_has_the_six_basins_of_grand_chalon_with_the_seed_counts() -> None:
    call_command("load_demo")

    chalon = Territory.objects.get(official_code="247100589")
    figures = grouping_figures(BasinGrouping.objects.get(territory=chalon))
    assert {b.name: b.commune_count for b in figures.basins} == EXPECTED_BASINS
    assert figures.unassigned == []
    centre = next(b for b in figures.basins if b.name == "Centre urbain")
    assert 0.50 < centre.share < 0.56  # the seed says 53 %


def test_demo_is_idempotent_and_accounts_can_log_in(client) -> None:
    call_command("load_demo")
    call_command("load_demo")

    assert Territory.objects.count() == 3
    assert RoleAssignment.objects.filter(role=Role.TERRITORY_ADMIN).count() == 1
    agent = User.objects.get(email="agent@grandchalon.demo")
    assert EmailAddress.objects.get(user=agent).verified
    assert client.login(email="agent@grandchalon.demo", password="demo-fabrique-2026")
