"""Opinion map pages through the test client: each role, bad input, htmx answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation import services as participation
from fabrique.synthesis.models import OpinionActivity, OpinionComputation, Statement, StatementVote
from fabrique.synthesis.services import opinion as services
from fabrique.territories.tests.factories import TerritoryFactory

from .test_opinion_activity_factories import PLANTED_STATEMENTS, opinion_activity, planted_votes

pytestmark = pytest.mark.django_db

ROLES_REFUSED = ["participant", Role.MODERATOR, Role.FACILITATOR, "other_admin"]


@pytest.fixture
def activity() -> OpinionActivity:
    return opinion_activity()


def _as(client, activity, role=None):
    user = UserFactory()
    if role == "other_admin":
        RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=TerritoryFactory())
    elif role and role != "participant":
        RoleFactory(user=user, role=role, territory=activity.process.territory)
    client.force_login(user)
    return user


def _bo(name, activity, *extra):
    process = activity.process
    return reverse(f"synthesis:{name}", args=[process.territory.slug, process.slug, *extra])


def _public(name, activity):
    return reverse(f"synthesis:{name}", args=[activity.process.slug, activity.pk])


def _computation(activity, done=True) -> OpinionComputation:
    computation = services.opinion_computation_launch(activity=activity, by=None)
    if done:
        computation = services.opinion_computation_run(computation=computation)
    return computation


# --- Back-office: who may enter ---------------------------------------------------------


def _staff_pages(activity):
    computation = _computation(activity, done=False)
    return [
        _bo("bo_opinion_list", activity),
        _bo("bo_opinion", activity, activity.pk),
        _bo("bo_opinion_from_contributions", activity, activity.pk),
        _bo("bo_opinion_computation", activity, activity.pk, computation.number),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, activity) -> None:
    for url in _staff_pages(activity):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_only_the_territorys_admins_open_the_staff_pages(client, activity, role) -> None:
    pages = _staff_pages(activity)
    _as(client, activity, role)

    for url in pages:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ROLES_REFUSED)
def test_staff_actions_are_refused_to_others_and_change_nothing(client, activity, role) -> None:
    statement = activity.statements.first()
    computation = _computation(activity)
    _as(client, activity, role)

    responses = [
        client.post(_bo("bo_opinion_list", activity), {"title": "Pirate"}),
        client.post(
            _bo("bo_opinion", activity, activity.pk), {"form": "status", "status": "closed"}
        ),
        client.post(_bo("bo_opinion", activity, activity.pk), {"form": "lines", "lines": "Pirate"}),
        client.post(  # moderators may accept and refuse (below), not correct
            _bo("bo_opinion_statement", activity, activity.pk, statement.pk),
            {"action": "edit", "text": "Pirate"}
            if role == Role.MODERATOR
            else {"action": "refuse", "reason": "x"},
        ),
        client.post(
            _bo("bo_opinion_computation_action", activity, activity.pk, computation.number),
            {"action": "retry"},
        ),
    ]

    assert all(r.status_code == 403 for r in responses)
    activity.refresh_from_db()
    statement.refresh_from_db()
    assert activity.status == OpinionActivity.Status.OPEN
    assert statement.status == Statement.Status.ACCEPTED
    assert OpinionActivity.objects.count() == 1
    assert activity.statements.count() == 2


def test_the_territory_admin_sees_every_staff_page(client, activity) -> None:
    pages = _staff_pages(activity)
    _as(client, activity, Role.TERRITORY_ADMIN)

    for url in pages:
        assert client.get(url).status_code == 200, url


# --- Back-office: what staff do ---------------------------------------------------------


def test_staff_create_an_activity_and_land_on_its_statements(client) -> None:
    activity = opinion_activity(statements=[])
    _as(client, activity, Role.TERRITORY_ADMIN)

    response = client.post(
        _bo("bo_opinion_list", activity),
        {
            "title": "Le centre-bourg",
            "introduction": "Vos avis",
            "allow_participant_statements": "on",
        },
    )

    created = OpinionActivity.objects.get(title="Le centre-bourg")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/opinions/{created.pk}/#add")
    assert created.status == OpinionActivity.Status.DRAFT
    assert created.allow_participant_statements


def test_typed_lines_with_errors_write_nothing_and_keep_the_text(client, activity) -> None:
    _as(client, activity, Role.TERRITORY_ADMIN)
    typed = "Une bonne idée\n" + "x" * 300 + "\nUne autre"

    response = client.post(
        _bo("bo_opinion", activity, activity.pk), {"form": "lines", "lines": typed}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ligne 2" in page
    assert "300 caractères, 280 au plus" in page
    assert "x" * 300 in page  # nothing lost
    assert activity.statements.count() == 2
    response = client.post(
        _bo("bo_opinion", activity, activity.pk),
        {"form": "lines", "lines": "Une bonne idée\nUne autre"},
    )
    assert response.status_code == 302
    assert activity.statements.count() == 4


def test_staff_turn_contributions_into_statements(client, activity) -> None:
    process = activity.process
    idea = participation.contribution_submit(
        process=process, author=UserFactory(), kind="idea", title="Un composteur", body="Au parc"
    )
    other = participation.contribution_submit(
        process=process, author=UserFactory(), kind="question", title="Et les vélos ?", body="…"
    )
    _as(client, activity, Role.TERRITORY_ADMIN)
    url = _bo("bo_opinion_from_contributions", activity, activity.pk)

    listing = client.get(url, {"q": "composteur"}).content.decode()
    assert "Un composteur" in listing
    assert "Et les vélos" not in listing

    refused = client.post(
        url,
        {"chosen": [idea.pk, other.pk], f"text-{idea.pk}": "y" * 290, f"text-{other.pk}": "Oui"},
    )
    assert refused.status_code == 200
    assert "Un composteur" in refused.content.decode()
    assert "y" * 290 in refused.content.decode()
    assert not activity.statements.filter(source_contribution__isnull=False).exists()

    response = client.post(
        url, {"chosen": [idea.pk], f"text-{idea.pk}": "Il faut un composteur au parc."}
    )
    assert response.status_code == 302
    statement = activity.statements.get(source_contribution=idea)
    assert statement.text == "Il faut un composteur au parc."
    assert "déjà un énoncé" in client.get(url).content.decode()


def test_staff_moderate_a_proposed_statement(client) -> None:
    activity = opinion_activity(allow_participant_statements=True)
    proposed = services.statement_propose(
        activity=activity, author=UserFactory(), text="Un kiosque"
    )
    _as(client, activity, Role.TERRITORY_ADMIN)
    url = _bo("bo_opinion_statement", activity, activity.pk, proposed.pk)

    assert "Un kiosque" in client.get(_bo("bo_opinion", activity, activity.pk)).content.decode()
    client.post(url, {"action": "refuse"})  # no reason: refused, said why
    proposed.refresh_from_db()
    assert proposed.status == Statement.Status.PENDING
    client.post(url, {"action": "accept"})
    proposed.refresh_from_db()
    assert proposed.status == Statement.Status.ACCEPTED


@pytest.mark.parametrize("role", ["participant", Role.FACILITATOR, "other_admin"])
def test_only_moderators_and_staff_moderate_statements(client, role) -> None:
    activity = opinion_activity(allow_participant_statements=True)
    proposed = services.statement_propose(
        activity=activity, author=UserFactory(), text="Un kiosque"
    )
    _as(client, activity, role)
    url = _bo("bo_opinion_statement", activity, activity.pk, proposed.pk)

    assert client.post(url, {"action": "accept"}).status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == Statement.Status.PENDING


def test_moderators_moderate_statements_from_the_moderation_page(client) -> None:
    from fabrique.participation.models import ModerationLog

    activity = opinion_activity(allow_participant_statements=True)
    process = activity.process
    kiosk = services.statement_propose(activity=activity, author=UserFactory(), text="Un kiosque")
    bench = services.statement_propose(activity=activity, author=UserFactory(), text="Des bancs")
    moderator = _as(client, activity, Role.MODERATOR)
    page = reverse("participation:moderation", args=[process.territory.slug, process.slug])
    index = reverse("participation:moderation_index", args=[process.territory.slug])

    html = client.get(page).content.decode()
    assert "Un kiosque" in html
    assert "Des bancs" in html
    assert activity.title in html
    assert '<td class="num">2</td>' in client.get(index).content.decode()

    url = _bo("bo_opinion_statement", activity, activity.pk, kiosk.pk)
    accepted = client.post(url, {"action": "accept", "back": "moderation"})
    assert accepted.status_code == 302
    assert accepted["Location"] == page
    refused = client.post(
        _bo("bo_opinion_statement", activity, activity.pk, bench.pk),
        {"action": "refuse", "reason": "Hors sujet", "back": "moderation"},
    )
    assert refused["Location"] == page
    kiosk.refresh_from_db()
    bench.refresh_from_db()
    assert kiosk.status == Statement.Status.ACCEPTED
    assert (bench.status, bench.moderation_reason) == (Statement.Status.REJECTED, "Hors sujet")

    log = ModerationLog.objects.filter(process=process).order_by("at", "pk")
    assert [(e.action, e.actor, e.reason) for e in log] == [
        ("accept", moderator, ""),
        ("refuse", moderator, "Hors sujet"),
    ]
    html = client.get(page).content.decode()
    assert "Énoncé « Des bancs »" in html
    assert "(Hors sujet)" in html
    assert "Un kiosque" not in html.split("Journal de modération")[0]


def test_staff_open_and_close_the_votes(client) -> None:
    activity = opinion_activity(status=OpinionActivity.Status.DRAFT)
    _as(client, activity, Role.TERRITORY_ADMIN)
    url = _bo("bo_opinion", activity, activity.pk)

    client.post(url, {"form": "status", "status": "open"})
    activity.refresh_from_db()
    assert activity.status == OpinionActivity.Status.OPEN
    client.post(url, {"form": "status", "status": "closed"})
    activity.refresh_from_db()
    assert activity.status == OpinionActivity.Status.CLOSED


def test_launching_a_computation_leads_to_its_progress(client, activity) -> None:
    _as(client, activity, Role.TERRITORY_ADMIN)

    response = client.post(
        _bo("bo_opinion", activity, activity.pk),
        {"form": "compute", "min_votes": 7, "max_groups": 5},
    )

    computation = OpinionComputation.objects.get(activity=activity)
    assert response.status_code == 302
    assert response["Location"] == computation.get_absolute_url()
    page = client.get(computation.get_absolute_url()).content.decode()
    assert 'id="opinion-progress"' in page
    assert "hx-get" in page
    again = client.post(
        _bo("bo_opinion", activity, activity.pk),
        {"form": "compute", "min_votes": 7, "max_groups": 5},
    )
    assert "déjà en cours" in again.content.decode()
    assert OpinionComputation.objects.count() == 1


def test_the_progress_fragment_reloads_the_page_once_finished(client, activity) -> None:
    computation = _computation(activity, done=False)
    _as(client, activity, Role.TERRITORY_ADMIN)
    url = computation.get_absolute_url()

    running = client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in running.content.decode()
    assert "HX-Refresh" not in running
    services.opinion_computation_run(computation=computation)
    finished = client.get(url, HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"


def test_a_failed_computation_says_why_and_can_be_retried(client, activity) -> None:
    computation = _computation(activity)  # no vote at all: it fails
    assert computation.status == OpinionComputation.Status.FAILED
    _as(client, activity, Role.TERRITORY_ADMIN)

    page = client.get(computation.get_absolute_url()).content.decode()
    assert computation.error in page
    assert 'value="retry"' in page
    response = client.post(
        _bo("bo_opinion_computation_action", activity, activity.pk, computation.number),
        {"action": "retry"},
    )
    assert response.status_code == 302
    computation.refresh_from_db()
    assert computation.status == OpinionComputation.Status.QUEUED


def test_results_are_public_only_once_published(client) -> None:
    activity = opinion_activity(statements=PLANTED_STATEMENTS)
    people = planted_votes(activity)
    computation = _computation(activity)
    results = _public("opinion_results", activity)
    assert client.get(results).status_code == 404

    _as(client, activity, Role.TERRITORY_ADMIN)
    staff_view = client.get(computation.get_absolute_url()).content.decode()
    assert "<svg" in staff_view
    assert "Groupe A" in staff_view
    client.post(
        _bo("bo_opinion_computation_action", activity, activity.pk, computation.number),
        {"action": "publish"},
    )
    client.logout()

    page = client.get(results).content.decode()
    assert "<svg" in page
    assert "Ce qui rassemble" in page
    assert "Ce qui divise" in page
    assert "Vous" not in page.split("<svg", 1)[1].split("</svg>")[0]
    client.force_login(people["B"][3])
    mine = client.get(results).content.decode()
    assert "Entouré de noir : vous" in mine


# --- Participants -----------------------------------------------------------------------


def test_anonymous_visitors_see_the_statements_and_a_log_in_link(client, activity) -> None:
    page = client.get(activity.get_absolute_url()).content.decode()

    assert "Les bus devraient passer le dimanche." in page
    assert reverse("account_login") in page
    assert 'name="value"' not in page
    response = client.post(
        _public("opinion_vote", activity),
        {"statement": activity.statements.first().pk, "value": "1"},
    )
    assert reverse("account_login") in response["Location"]
    assert not StatementVote.objects.exists()


def test_a_draft_is_hidden_from_participants_but_shown_to_staff(client) -> None:
    activity = opinion_activity(status=OpinionActivity.Status.DRAFT)
    assert client.get(activity.get_absolute_url()).status_code == 404
    _as(client, activity)
    assert client.get(activity.get_absolute_url()).status_code == 404
    _as(client, activity, Role.TERRITORY_ADMIN)
    assert client.get(activity.get_absolute_url()).status_code == 200


def test_a_participant_answers_one_statement_after_another_with_htmx(client, activity) -> None:
    user = _as(client, activity)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "0 / 2 avis donnés" in page
    statement_pk = int(page.split('name="statement" value="')[1].split('"')[0])

    fragment = client.post(
        _public("opinion_vote", activity),
        {"statement": statement_pk, "value": "1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    # A double click sends the same answer twice: it counts once.
    client.post(
        _public("opinion_vote", activity),
        {"statement": statement_pk, "value": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert "<html" not in fragment
    assert "1 / 2 avis donnés" in fragment
    assert f'name="statement" value="{statement_pk}"' not in fragment
    assert StatementVote.objects.filter(voter=user).count() == 1


def test_answering_works_without_javascript_and_can_be_changed(client, activity) -> None:
    user = _as(client, activity)
    statement = activity.statements.first()

    response = client.post(
        _public("opinion_vote", activity), {"statement": statement.pk, "value": "0"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#vote")
    client.post(
        _public("opinion_vote", activity),
        {"statement": statement.pk, "value": "-1", "back": "answers"},
    )

    assert StatementVote.objects.get(voter=user, statement=statement).value == -1
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "1 / 2 avis donnés" in page
    assert "Pas d’accord" in page


def test_a_closed_activity_refuses_votes_with_a_message(client, activity) -> None:
    services.opinion_activity_set_status(activity=activity, status="closed")
    _as(client, activity)

    fragment = client.post(
        _public("opinion_vote", activity),
        {"statement": activity.statements.first().pk, "value": "1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()

    assert "clos" in fragment
    assert not StatementVote.objects.exists()


def test_a_participant_proposes_a_statement_when_allowed(client) -> None:
    activity = opinion_activity(allow_participant_statements=True)
    user = _as(client, activity)

    too_long = client.post(_public("opinion_propose", activity), {"text": "z" * 281})
    assert too_long.status_code == 400
    response = client.post(_public("opinion_propose", activity), {"text": "Un kiosque à livres"})

    assert response.status_code == 302
    proposed = Statement.objects.get(text="Un kiosque à livres")
    assert proposed.author == user
    assert proposed.status == Statement.Status.PENDING
    assert "Un kiosque à livres" in client.get(activity.get_absolute_url()).content.decode()


def test_proposals_are_refused_when_not_allowed(client, activity) -> None:
    _as(client, activity)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert 'id="propose"' not in page
    client.post(_public("opinion_propose", activity), {"text": "Un kiosque"})
    assert not Statement.objects.filter(text="Un kiosque").exists()


def test_staff_correct_a_statement_until_people_vote_then_withdraw_it(client, activity) -> None:
    statement = activity.statements.first()
    _as(client, activity, Role.TERRITORY_ADMIN)
    url = _bo("bo_opinion_statement", activity, activity.pk, statement.pk)

    client.post(url, {"action": "edit", "text": "Les bus devraient passer le dimanche matin."})
    statement.refresh_from_db()
    assert statement.text == "Les bus devraient passer le dimanche matin."
    services.statement_vote(statement=statement, voter=UserFactory(), value=1)
    response = client.post(url, {"action": "edit", "text": "Autre chose"}, follow=True)
    statement.refresh_from_db()
    assert statement.text == "Les bus devraient passer le dimanche matin."
    assert "Retirez-le" in response.content.decode()

    client.post(url, {"action": "refuse"})
    statement.refresh_from_db()
    assert statement.status == Statement.Status.REJECTED
