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
    assert RoleAssignment.objects.filter(role=Role.TERRITORY_ADMIN).count() == 2  # + Chambéry
    agent = User.objects.get(email="agent@grandchalon.demo")
    assert EmailAddress.objects.get(user=agent).verified
    assert client.login(email="agent@grandchalon.demo", password="demo-fabrique-2026")


def test_demo_processes_follow_the_seeds() -> None:
    from datetime import date

    from fabrique.processes.models import GovernanceBody, ParticipationMode, Process
    from fabrique.processes.selectors import process_timeline
    from fabrique.processes.services import triad_missing_roles

    call_command("load_demo")

    orleans = Process.objects.get(territory__official_code="244500468")
    assert orleans.title == "Assises de la transition écologique"
    assert orleans.themes.count() == 11
    assert {"Rénovation énergétique", "Alimentation et agriculture durable", "Mobilités"} <= set(
        orleans.themes.values_list("title", flat=True)
    )
    phases = list(orleans.phases.order_by("start_date"))
    assert [p.kind for p in phases] == ["learning", "solutions", "restitution"]
    assert (phases[0].start_date, phases[-1].end_date) == (date(2021, 1, 4), date(2021, 7, 30))
    triads = orleans.bodies.filter(kind=GovernanceBody.Kind.TRIAD)
    assert triads.count() == 11
    assert all(triad_missing_roles(t) == [] for t in triads)
    assert orleans.bodies.filter(kind=GovernanceBody.Kind.STEERING_COMMITTEE).exists()
    assert orleans.bodies.filter(kind=GovernanceBody.Kind.FOLLOW_UP_COMMITTEE).exists()

    chalon = Process.objects.get(territory__official_code="247100589")
    assert chalon.themes.count() == 4
    assert chalon.bodies.filter(kind=GovernanceBody.Kind.COMMISSION).count() == 4
    assert chalon.bodies.filter(kind=GovernanceBody.Kind.GOVERNANCE_GROUP).count() == 1

    chambery = Process.objects.get(territory__official_code="200069110")
    assert chambery.phases.filter(modes__mode=ParticipationMode.PANEL).exists()
    timeline = process_timeline(chambery)
    assert [p.kind for p in timeline.current] == ["reflection"]
    assert chambery.status == Process.Status.PUBLISHED
    assert orleans.status == Process.Status.CLOSED


def test_demo_panel_is_drawn_from_its_pool_with_a_published_seed() -> None:
    from fabrique.panels.models import Draw, Panel, Volunteer

    call_command("load_demo")
    call_command("load_demo")  # the panel is not drawn twice

    panel = Panel.objects.get()
    draw = Draw.objects.get()
    assert (panel.size, panel.volunteers.count()) == (50, 400)
    assert draw.status == Draw.Status.DONE
    assert len(draw.selected) == 50
    assert draw.min_probability > 0
    drawn = panel.volunteers.exclude(status=Volunteer.Status.POOL).count()
    assert drawn == 50
    assert panel.volunteers.filter(status=Volunteer.Status.DECLINED).count() == 2


def test_demo_has_a_synthesis_an_opinion_map_and_a_report_to_show() -> None:
    from fabrique.synthesis.models import (
        OpinionActivity,
        OpinionComputation,
        Report,
        Statement,
        Synthesis,
    )

    call_command("load_demo")
    call_command("load_demo")  # nothing is made twice

    activity = OpinionActivity.objects.get()
    assert activity.status == OpinionActivity.Status.OPEN
    computation = OpinionComputation.objects.get(activity=activity)
    assert computation.status == OpinionComputation.Status.DONE
    assert computation.published_at is not None
    assert computation.result["k"] == 2  # the two camps the demo's answers are drawn from
    pending = Statement.objects.get(status=Statement.Status.PENDING)
    assert pending.author.email == "habitant1@grandchalon.demo"

    version = Synthesis.objects.get()
    assert version.status == Synthesis.Status.DONE
    assert version.topics.count() >= 2
    report = Report.objects.get()
    assert report.synthesis == version
    assert report.status == Report.Status.PUBLISHED
