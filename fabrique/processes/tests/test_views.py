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
        {"form": "theme", "theme-title": "Nouvelle", "theme-colour": "#123456"},
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


def test_a_form_sent_twice_creates_one_theme(client, manager, process) -> None:
    url = reverse("processes:bo_themes", args=[process.territory.slug, process.slug])
    data = {
        "form": "theme",
        "theme-title": "Eau",
        "theme-colour": "#1a6f80",
        "form_token": "abc123",
    }

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert process.themes.filter(title="Eau").count() == 1
    assert any(
        "already been sent" in str(m) or "déjà été envoyé" in str(m)
        for m in second.context["messages"]
    )


def test_the_set_up_forms_carry_a_one_time_token(client, manager, process) -> None:
    page = client.get(reverse("processes:bo_themes", args=[process.territory.slug, process.slug]))

    assert page.content.decode().count('name="form_token"') == 2


def _write_requests(process):
    """Every back-office write of a process, with valid data: (url, data)."""
    t, s = process.territory.slug, process.slug
    phase, theme, body = process.phases.get(), process.themes.get(), process.bodies.get()
    meeting = body.meetings.get()
    resource = services.resource_save(process=process, kind="link", title="R", url="https://e.org")
    news = services.news_publish(
        process=process, author=None, title="N", body="B", send_email=False
    )
    return [
        (reverse("processes:bo_create", args=[t]),
         {"title": "Autre", "summary": "S", "start_date": "2027-01-01", "end_date": "2027-02-01"}),
        (reverse("processes:bo_edit", args=[t, s]),
         {"title": "Renommée", "summary": "S", "start_date": process.start_date.isoformat(),
          "end_date": process.end_date.isoformat()}),
        (reverse("processes:bo_phase", args=[t, s, phase.pk]),
         {"phase-kind": "launch", "phase-title": "Renommée",
          "phase-start_date": phase.start_date.isoformat(),
          "phase-end_date": phase.end_date.isoformat()}),
        (reverse("processes:bo_theme", args=[t, s, theme.pk]),
         {"form": "spotlight", "spotlight-title": "Enjeu", "spotlight-start_date": "2026-01-01",
          "spotlight-end_date": "2026-01-31"}),
        (reverse("processes:bo_bodies", args=[t, s]),
         {"body-kind": "steering", "body-name": "Nouveau comité", "body-is_public": "on"}),
        (reverse("processes:bo_body", args=[t, s, body.pk]),
         {"form": "member", "member-name": "Intrus", "member-role": "member"}),
        (reverse("processes:bo_meeting", args=[t, s, meeting.pk]),
         {"meeting-date": "2026-03-01", "meeting-title": "Renommée"}),
        (reverse("processes:bo_news", args=[t, s]), {"title": "Fausse annonce", "body": "…"}),
        (reverse("processes:bo_resource_delete", args=[t, s, resource.pk]), {}),
        (reverse("processes:bo_delete", args=[t, s, "news", news.pk]), {}),
        (reverse("processes:bo_delete", args=[t, s, "meeting", meeting.pk]), {}),
        (reverse("processes:bo_delete", args=[t, s, "theme", theme.pk]), {}),
    ]  # fmt: skip


def _snapshot():
    from fabrique.processes.models import Meeting, News, Resource, Spotlight, Theme

    return (
        list(Process.objects.values_list("title", flat=True).order_by("pk")),
        list(Phase.objects.values_list("title", flat=True)),
        list(Theme.objects.values_list("title", flat=True)),
        list(Spotlight.objects.values_list("title", flat=True)),
        list(GovernanceBody.objects.values_list("name", flat=True)),
        list(BodyMember.objects.values_list("name", flat=True)),
        list(Meeting.objects.values_list("title", flat=True)),
        list(News.objects.values_list("title", flat=True)),
        list(Resource.objects.values_list("title", flat=True)),
    )


@pytest.mark.parametrize(
    "persona",
    ["anonymous", "participant", "moderator", "facilitator", "body_member", "admin_elsewhere"],
)
def test_no_back_office_write_goes_through_without_the_role(client, process, persona) -> None:
    requests = _write_requests(process)
    _login_as(client, persona, process.territory)
    before = _snapshot()

    statuses = {client.post(url, data).status_code for url, data in requests}

    assert statuses == ({302} if persona == "anonymous" else {403})
    assert _snapshot() == before


def test_every_back_office_write_works_for_a_territory_admin(client, manager, process) -> None:
    requests = _write_requests(process)
    before = _snapshot()

    statuses = [client.post(url, data).status_code for url, data in requests]

    assert set(statuses) == {302}, statuses
    assert _snapshot() != before


def test_objects_of_another_process_cannot_be_reached_through_this_one(
    client, manager, process
) -> None:
    other = ProcessFactory(territory=process.territory)
    foreign_body = BodyFactory(process=other)
    foreign_theme = ThemeFactory(process=other)
    t, s = process.territory.slug, process.slug

    assert client.get(reverse("processes:bo_body", args=[t, s, foreign_body.pk])).status_code == 404
    assert (
        client.post(
            reverse("processes:bo_delete", args=[t, s, "theme", foreign_theme.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("processes:bo_process", args=["autre-territoire", s])).status_code == 404
    )
    assert other.themes.filter(pk=foreign_theme.pk).exists()


def test_inverted_process_dates_are_refused_on_the_end_date_field(client, manager, process) -> None:
    response = client.post(
        reverse("processes:bo_create", args=[process.territory.slug]),
        {
            "title": "À l'envers",
            "summary": "S",
            "start_date": "2027-06-01",
            "end_date": "2027-01-01",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["end_date"]
    assert (
        'value="À l\'envers"' in response.content.decode()
        or "À l&#x27;envers" in response.content.decode()
    )
    assert not Process.objects.filter(title="À l'envers").exists()


def test_publishing_without_phase_is_refused_on_the_status_field(client, manager) -> None:
    process = ProcessFactory(territory=ProcessFactory().territory)
    RoleFactory(user=manager, role=Role.TERRITORY_ADMIN, territory=process.territory)
    url = reverse("processes:bo_status", args=[process.territory.slug, process.slug])

    response = client.post(url, {"status": "closed"})

    assert response.status_code == 200
    assert response.context["status_form"].errors["status"]
    process.refresh_from_db()
    assert process.status == Process.Status.DRAFT


@pytest.mark.parametrize("page", ["theme", "body", "news", "news_list", "feed"])
def test_no_page_of_a_draft_is_public(client, process, page) -> None:
    news = services.news_publish(
        process=process, author=None, title="N", body="B", send_email=False
    )
    urls = {
        "theme": process.themes.get().get_absolute_url(),
        "body": process.bodies.get().get_absolute_url(),
        "news": news.get_absolute_url(),
        "news_list": reverse("processes:news_list", args=[process.slug]),
        "feed": reverse("processes:feed", args=[process.slug]),
    }

    assert client.get(urls[page]).status_code == 404


def test_editing_a_theme_keeps_its_icon(client, manager, process) -> None:
    theme = process.themes.get()
    theme.icon = "water"
    theme.save()
    url = reverse("processes:bo_theme", args=[process.territory.slug, process.slug, theme.pk])

    client.post(url, {"form": "theme", "theme-title": "Eau", "theme-colour": "#1a6f80"})

    theme.refresh_from_db()
    assert (theme.title, theme.icon) == ("Eau", "water")


def test_a_theme_carried_by_a_triad_cannot_be_deleted(client, manager, process) -> None:
    theme = process.themes.get()
    services.body_save(process=process, kind=GovernanceBody.Kind.TRIAD, name="Triade", theme=theme)
    url = reverse(
        "processes:bo_delete", args=[process.territory.slug, process.slug, "theme", theme.pk]
    )

    confirm = client.get(url)
    client.post(url)

    assert confirm.status_code == 200
    assert process.themes.filter(pk=theme.pk).exists()


def test_resource_files_that_a_browser_would_run_are_refused(client, manager, process) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("processes:bo_themes", args=[process.territory.slug, process.slug])
    upload = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")

    response = client.post(
        url,
        {
            "form": "resource",
            "resource-kind": "document",
            "resource-title": "Doc",
            "resource-file": upload,
        },
    )

    assert response.status_code == 200
    assert response.context["resource_form"].errors["file"]
    assert not process.resources.exists()


def test_news_e_mail_links_are_absolute(
    process, settings, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    settings.SITE_URL = "https://participer.exemple.fr"
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    services.process_follow(process=process, user=UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        news = services.news_publish(
            process=process, author=None, title="T", body="B", send_email=True
        )

    assert f"https://participer.exemple.fr{news.get_absolute_url()}" in mailoutbox[0].body


def test_erasing_an_account_keeps_the_seat_but_not_the_name(client, process) -> None:
    user = UserFactory(display_name="Zoé Secrète")
    seat = services.member_save(
        body=process.bodies.get(), name="", role=BodyMember.Role.MEMBER, user=user
    )
    client.force_login(user)

    client.post(reverse("accounts:delete"), {"confirm": "on"})

    seat.refresh_from_db()
    assert seat.user is None
    assert "Zoé" not in seat.name


def test_the_home_page_shows_what_is_open_now(client, process) -> None:
    phase = process.phases.get()
    services.phase_save(
        process=process, phase=phase, kind=Phase.Kind.REFLECTION, title="Boîte à idées",
        start_date=phase.start_date, end_date=phase.end_date, modes=["contributions"],
    )  # fmt: skip
    services.process_set_status(process=process, status=Process.Status.PUBLISHED)
    draft = ProcessFactory(territory=process.territory, title="Brouillon secret")

    page = client.get(reverse("home")).content.decode()

    assert process.title in page
    assert "Boîte à idées" in page
    assert draft.title not in page
