"""Process pages for the public and the back-office, through the test client."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.processes import services
from fabrique.processes.models import BodyMember, GovernanceBody, Phase, Process, ProcessFollow
from fabrique.processes.tests.factories import (
    BodyFactory,
    PhaseFactory,
    ProcessFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "participant",
    "moderator",
    "territory_admin",
    "admin_elsewhere",
    "platform_admin",
]
MANAGERS = {"territory_admin", "platform_admin"}


def _login_as(client, persona, territory):
    if persona == "anonymous":
        return
    user = UserFactory()
    if persona == "platform_admin":
        RoleFactory(user=user, role=Role.PLATFORM_ADMIN, territory=None)
    elif persona == "admin_elsewhere":
        RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=ProcessFactory().territory)
    elif persona != "participant":
        RoleFactory(user=user, role=persona, territory=territory)
    client.force_login(user)


@pytest.fixture
def process():
    today = timezone.localdate()
    process = ProcessFactory(
        start_date=date(today.year - 1, 1, 1), end_date=date(today.year + 1, 12, 31)
    )
    PhaseFactory(process=process, start_date=process.start_date, end_date=process.end_date)
    ThemeFactory(process=process)
    body = BodyFactory(process=process)
    body.meetings.create(date=today, title="Réunion")
    return process


def _bo_urls(process):
    t, s = process.territory.slug, process.slug
    phase, theme = process.phases.get(), process.themes.get()
    body = process.bodies.get()
    return [
        reverse("processes:bo_list", args=[t]),
        reverse("processes:bo_create", args=[t]),
        reverse("processes:bo_process", args=[t, s]),
        reverse("processes:bo_edit", args=[t, s]),
        reverse("processes:bo_phases", args=[t, s]),
        reverse("processes:bo_phase", args=[t, s, phase.pk]),
        reverse("processes:bo_themes", args=[t, s]),
        reverse("processes:bo_theme", args=[t, s, theme.pk]),
        reverse("processes:bo_bodies", args=[t, s]),
        reverse("processes:bo_body", args=[t, s, body.pk]),
        reverse("processes:bo_meeting", args=[t, s, body.meetings.get().pk]),
        reverse("processes:bo_news", args=[t, s]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_back_office_pages_of_a_process_by_role(client, process, persona) -> None:
    _login_as(client, persona, process.territory)

    statuses = {url: client.get(url).status_code for url in _bo_urls(process)}

    expected = 302 if persona == "anonymous" else 200 if persona in MANAGERS else 403
    assert set(statuses.values()) == {expected}, statuses


@pytest.mark.parametrize("persona", PERSONAS)
def test_back_office_writes_are_refused_to_non_managers(client, process, persona) -> None:
    _login_as(client, persona, process.territory)
    t, s = process.territory.slug, process.slug

    client.post(reverse("processes:bo_status", args=[t, s]), {"status": "published"})
    client.post(reverse("processes:bo_phase_delete", args=[t, s, process.phases.get().pk]))
    client.post(
        reverse("processes:bo_themes", args=[t, s]),
        {"theme-title": "Nouvelle", "theme-colour": "#123456"},
    )

    process.refresh_from_db()
    allowed = persona in MANAGERS
    assert (process.status == Process.Status.PUBLISHED) is allowed
    assert process.themes.filter(title="Nouvelle").exists() is allowed


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_draft_is_public_to_no_one_but_its_managers(client, process, persona) -> None:
    _login_as(client, persona, process.territory)

    pages = [process.get_absolute_url(), process.phases.get().get_absolute_url()]
    statuses = {client.get(url).status_code for url in pages}

    assert statuses == ({200} if persona in MANAGERS else {404})
    listed = client.get(reverse("processes:list")).content.decode()
    assert process.title not in listed


def test_published_process_home_says_what_is_open_now(client, process) -> None:
    phase = process.phases.get()
    services.phase_save(
        process=process, phase=phase, kind=Phase.Kind.REFLECTION, title="On réfléchit",
        start_date=phase.start_date, end_date=phase.end_date, modes=["contributions", "workshops"],
    )  # fmt: skip
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)

    response = client.get(process.get_absolute_url())

    page = response.content.decode()
    assert "On réfléchit" in page
    assert 'class="mode mode-contributions"' in page
    assert 'class="mode mode-workshops"' in page
    assert f'<meta property="og:title" content="{process.title}">' in page
    assert reverse("processes:feed", args=[process.slug]) in page
    assert process.title in client.get(reverse("processes:list")).content.decode()


def test_private_bodies_are_not_shown(client, process) -> None:
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    hidden = BodyFactory(process=process, name="Groupe confidentiel", is_public=False)

    assert "Groupe confidentiel" not in client.get(process.get_absolute_url()).content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_only_published_minutes_are_shown(client, process) -> None:
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    body = process.bodies.get()
    services.meeting_save(
        body=body,
        date=date(2026, 1, 5),
        title="Publique",
        minutes="Relevé A",
        minutes_published=True,
    )
    services.meeting_save(body=body, date=date(2026, 2, 5), title="Interne", minutes="Relevé B")

    page = client.get(body.get_absolute_url()).content.decode()

    assert "Relevé A" in page
    assert "Relevé B" not in page


def test_theme_page_shows_its_resources_and_triad(client, process) -> None:
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    theme = process.themes.get()
    services.resource_save(
        process=process,
        theme=theme,
        kind="link",
        title="Guide ADEME",
        url="https://example.org/guide",
    )
    triad = services.body_save(
        process=process, kind=GovernanceBody.Kind.TRIAD, name="Triade", theme=theme
    )
    services.member_save(body=triad, name="Inès Élue", role=BodyMember.Role.ELECTED)

    page = client.get(theme.get_absolute_url()).content.decode()

    assert "Guide ADEME" in page
    assert "Inès Élue" in page


def test_following_with_htmx_and_without(client, process) -> None:
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    user = UserFactory()
    client.force_login(user)
    url = reverse("processes:follow", args=[process.slug])

    fragment = client.post(url, {"action": "follow"}, HTTP_HX_REQUEST="true")
    again = client.post(url, {"action": "follow"})

    assert 'id="follow-form"' in fragment.content.decode()
    assert again.status_code == 302
    assert ProcessFollow.objects.filter(process=process, user=user).count() == 1
    client.post(url, {"action": "unfollow"})
    assert not ProcessFollow.objects.exists()


def test_following_needs_an_account(client, process) -> None:
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)

    response = client.post(reverse("processes:follow", args=[process.slug]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_atom_feed_lists_the_news(client, process) -> None:
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    services.news_publish(
        process=process, author=None, title="Réunion publique le 12", body="Venez", send_email=False
    )

    response = client.get(reverse("processes:feed", args=[process.slug]))

    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Réunion publique le 12" in response.content.decode()


def test_feed_of_a_draft_is_not_found(client, process) -> None:
    assert client.get(reverse("processes:feed", args=[process.slug])).status_code == 404


@pytest.fixture
def manager(client, process):
    user = UserFactory()
    RoleFactory(user=user, role=Role.TERRITORY_ADMIN, territory=process.territory)
    client.force_login(user)
    return user


def test_guided_set_up_from_an_empty_territory_to_a_published_page(
    client, manager, process
) -> None:
    territory = process.territory
    create = client.post(
        reverse("processes:bo_create", args=[territory.slug]),
        {
            "title": "Fabrique 2030",
            "summary": "Notre avenir",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
        },
    )
    new = Process.objects.get(title="Fabrique 2030")
    assert create["Location"] == reverse("processes:bo_phases", args=[territory.slug, new.slug])
    status_url = reverse("processes:bo_status", args=[territory.slug, new.slug])

    refused = client.post(status_url, {"status": "published"}, follow=True)
    new.refresh_from_db()
    assert new.status == Process.Status.DRAFT
    assert refused.context["messages"]

    client.post(
        reverse("processes:bo_phases", args=[territory.slug, new.slug]),
        {"phase-kind": "launch", "phase-title": "Lancement", "phase-start_date": "2027-01-01",
         "phase-end_date": "2027-01-31", "phase-modes": ["contributions"]},
    )  # fmt: skip
    client.post(status_url, {"status": "published"})

    new.refresh_from_db()
    assert new.status == Process.Status.PUBLISHED
    assert new.phases.get().mode_values == ["contributions"]
    client.logout()
    assert client.get(new.get_absolute_url()).status_code == 200


def test_a_bad_phase_keeps_what_was_typed_and_says_why(client, manager, process) -> None:
    url = reverse("processes:bo_phases", args=[process.territory.slug, process.slug])
    phase = process.phases.get()

    response = client.post(
        url,
        {"phase-kind": "diagnostic", "phase-title": "Titre tapé",
         "phase-start_date": phase.start_date.isoformat(),
         "phase-end_date": phase.end_date.isoformat()},
    )  # fmt: skip

    assert response.status_code == 200
    assert 'value="Titre tapé"' in response.content.decode()
    assert response.context["form"].errors["start_date"]
    assert process.phases.count() == 1


def test_a_second_elected_official_in_a_triad_is_refused_on_the_role_field(
    client, manager, process
) -> None:
    theme = process.themes.get()
    triad = services.body_save(
        process=process, kind=GovernanceBody.Kind.TRIAD, name="Triade", theme=theme
    )
    services.member_save(body=triad, name="Anne", role=BodyMember.Role.ELECTED)
    url = reverse("processes:bo_body", args=[process.territory.slug, process.slug, triad.pk])

    response = client.post(
        url, {"form": "member", "member-name": "Bruno", "member-role": "elected"}
    )

    assert response.status_code == 200
    assert response.context["member_form"].errors["role"]
    assert 'value="Bruno"' in response.content.decode()
    assert triad.members.count() == 1


def test_news_form_publishes_and_emails_followers(
    client, manager, process, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    services.process_follow(process=process, user=UserFactory(email="suiveur@exemple.fr"))
    url = reverse("processes:bo_news", args=[process.territory.slug, process.slug])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"title": "Atelier samedi", "body": "Rendez-vous à 10 h", "send_email": "on"}
        )

    assert process.news.get().emailed_at is not None
    assert mailoutbox[0].to == ["suiveur@exemple.fr"]


def test_personal_data_export_includes_follows_and_body_seats(client, process) -> None:
    user = UserFactory()
    services.process_follow(process=process, user=user)
    services.member_save(body=process.bodies.get(), name="", role=BodyMember.Role.MEMBER, user=user)
    client.force_login(user)

    data = client.get(reverse("accounts:export")).json()

    assert data["processes"]["follows"][0]["process"] == process.title
    assert data["processes"]["body_memberships"][0]["body"] == "Comité de pilotage"
