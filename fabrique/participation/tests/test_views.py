"""Participation pages through the test client: each role, bad input, no N+1."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation import services
from fabrique.participation.models import Contribution, ModerationLog, Support, Visibility
from fabrique.participation.tests.factories import closed_process, open_process
from fabrique.processes.tests.factories import ThemeFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def process():
    return open_process()


def _as(client, process, role=None):
    user = UserFactory()
    if role:
        RoleFactory(user=user, role=role, territory=process.territory)
    client.force_login(user)
    return user


def _contribution(process, **kwargs):
    return services.contribution_submit(
        process=process, author=kwargs.pop("author", UserFactory()), kind="idea",
        title=kwargs.pop("title", "Une idée"), body=kwargs.pop("body", "Son texte"), **kwargs,
    )  # fmt: skip


def test_posting_needs_an_account(client, process) -> None:
    response = client.get(reverse("participation:create", args=[process.slug]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_participant_posts_and_lands_on_the_page(client, process) -> None:
    _as(client, process)
    theme = ThemeFactory(process=process)

    response = client.post(
        reverse("participation:create", args=[process.slug]),
        {"kind": "question", "title": "Et le bus ?", "body": "Le dimanche", "themes": [theme.pk]},
    )

    contribution = Contribution.objects.get()
    assert response["Location"] == contribution.get_absolute_url()
    assert contribution.kind == "question"
    assert list(contribution.themes.all()) == [theme]


def test_empty_or_oversized_text_is_refused_and_what_was_typed_is_kept(client, process) -> None:
    _as(client, process)
    url = reverse("participation:create", args=[process.slug])

    empty = client.post(url, {"kind": "idea", "title": "Mon titre", "body": ""})
    huge = client.post(url, {"kind": "idea", "title": "Mon titre", "body": "x" * 5001})

    assert empty.context["form"].errors["body"]
    assert huge.context["form"].errors["body"]
    assert 'value="Mon titre"' in empty.content.decode()
    assert not Contribution.objects.exists()


def test_a_forbidden_file_type_is_refused(client, process) -> None:
    _as(client, process)
    upload = SimpleUploadedFile("virus.html", b"<script>1</script>", content_type="text/html")

    response = client.post(
        reverse("participation:create", args=[process.slug]),
        {"kind": "idea", "title": "T", "body": "B", "attachment": upload},
    )

    assert response.context["form"].errors["attachment"]
    assert not Contribution.objects.exists()


def test_posting_in_a_closed_phase_is_refused(client) -> None:
    process = closed_process()
    _as(client, process)

    response = client.post(
        reverse("participation:create", args=[process.slug]),
        {"kind": "idea", "title": "T", "body": "B"},
    )

    assert response.status_code == 200
    assert not Contribution.objects.exists()


def test_user_text_is_escaped_everywhere(client, process) -> None:
    contribution = _contribution(process, title=XSS, body=XSS)
    services.comment_post(contribution=contribution, author=UserFactory(), body=XSS)

    pages = [
        client.get(contribution.get_absolute_url()).content.decode(),
        client.get(reverse("participation:list", args=[process.slug])).content.decode(),
    ]

    for page in pages:
        assert "<script>alert" not in page
        assert "<img src=x onerror" not in page
        assert "&lt;script&gt;" in page


def test_list_filters_and_htmx_partial(client, process) -> None:
    theme = ThemeFactory(process=process)
    _contribution(process, title="Vélo", themes=[theme])
    _contribution(process, title="Bus")
    url = reverse("participation:list", args=[process.slug])

    full = client.get(url, {"thematique": theme.pk})
    partial = client.get(url, {"q": "Bus"}, HTTP_HX_REQUEST="true")

    assert "Vélo" in full.content.decode()
    assert "Bus</a>" not in full.content.decode()
    assert "<html" not in partial.content.decode()
    assert "Bus" in partial.content.decode()


def test_the_list_page_costs_the_same_queries_for_5_or_25_contributions(
    client, process, django_assert_max_num_queries
) -> None:
    url = reverse("participation:list", args=[process.slug])
    for i in range(5):
        _contribution(process, title=f"Idée {i}", themes=[ThemeFactory(process=process)])
    with django_assert_max_num_queries(30) as five:
        client.get(url)
    for i in range(20):
        _contribution(process, title=f"Autre {i}", themes=[ThemeFactory(process=process)])
    with django_assert_max_num_queries(30) as twentyfive:
        client.get(url)

    assert len(twentyfive.captured_queries) <= len(five.captured_queries) + 1  # + theme list


def test_map_data_lists_the_points(client, process) -> None:
    from decimal import Decimal

    _contribution(process, latitude=Decimal("46.78"), longitude=Decimal("4.85"))
    _contribution(process)

    data = client.get(reverse("participation:map_data", args=[process.slug])).json()

    assert len(data["features"]) == 1
    assert data["features"][0]["geometry"]["coordinates"] == [4.85, 46.78]


def test_map_shows_counts_per_cell_beyond_its_limit_and_follows_the_view(
    client, process, monkeypatch
) -> None:
    from decimal import Decimal

    from fabrique.participation import selectors

    for lat, lon in [("46.780", "4.860"), ("46.781", "4.861"), ("46.60", "4.60")]:
        _contribution(process, latitude=Decimal(lat), longitude=Decimal(lon))
    url = reverse("participation:map_data", args=[process.slug])
    monkeypatch.setattr(selectors, "MAP_POINTS", 2)

    everything = client.get(url, {"bbox": "46.5,4.5,46.9,4.9"}).json()
    assert everything["clustered"] is True
    counts = sorted(f["properties"]["count"] for f in everything["features"])
    assert counts == [1, 2]  # the two neighbours share a cell

    zoomed_in = client.get(url, {"bbox": "46.77,4.85,46.79,4.87"}).json()
    assert zoomed_in["clustered"] is False
    assert sorted(f["geometry"]["coordinates"][1] for f in zoomed_in["features"]) == [
        46.78,
        46.781,
    ]
    assert all(f["properties"]["url"].startswith("/") for f in zoomed_in["features"])

    malformed = client.get(url, {"bbox": "north,<script>"})
    assert malformed.status_code == 200  # falls back to the territory's frame


def test_support_with_htmx_counts_once(client, process) -> None:
    contribution = _contribution(process)
    _as(client, process)
    url = reverse("participation:support", args=[process.slug, contribution.pk])

    client.post(url, {"action": "support"}, HTTP_HX_REQUEST="true")
    fragment = client.post(url, {"action": "support"}, HTTP_HX_REQUEST="true")

    assert 'id="support-form"' in fragment.content.decode()
    assert Support.objects.count() == 1


def test_pending_and_hidden_contributions_are_seen_by_author_and_moderators_only(
    client, process
) -> None:
    author = UserFactory()
    contribution = _contribution(process, author=author)
    services.moderate_contribution(
        contribution=contribution, moderator=author, action="hide", reason="R"
    )

    assert client.get(contribution.get_absolute_url()).status_code == 404
    client.force_login(author)
    assert client.get(contribution.get_absolute_url()).status_code == 200
    _as(client, process, Role.MODERATOR)
    assert client.get(contribution.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(None, False), (Role.MODERATOR, False), (Role.FACILITATOR, False), (Role.BODY_MEMBER, True),
     (Role.TERRITORY_ADMIN, True)],
)  # fmt: skip
def test_who_gives_official_answers(client, process, role, allowed) -> None:
    contribution = _contribution(process)
    _as(client, process, role)

    response = client.post(
        reverse("participation:answer", args=[process.slug, contribution.pk]),
        {"status": "retained", "answer": "Retenu pour 2027"},
    )

    contribution.refresh_from_db()
    assert (contribution.status == "retained") is allowed
    if not allowed:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(None, False), (Role.BODY_MEMBER, False), (Role.FACILITATOR, False), (Role.MODERATOR, True),
     (Role.TERRITORY_ADMIN, True)],
)  # fmt: skip
def test_who_moderates(client, process, role, allowed) -> None:
    contribution = _contribution(process)
    _as(client, process, role)
    t, s = process.territory.slug, process.slug

    queue = client.get(reverse("participation:moderation", args=[t, s]))
    index = client.get(reverse("participation:moderation_index", args=[t]))
    client.post(
        reverse("participation:moderate", args=[t, s, "contribution", contribution.pk]),
        {"action": "hide", "reason": "Hors sujet"},
    )

    contribution.refresh_from_db()
    assert (queue.status_code, index.status_code) == ((200, 200) if allowed else (403, 403))
    assert (contribution.visibility == Visibility.HIDDEN) is allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(None, False), (Role.MODERATOR, False), (Role.BODY_MEMBER, False), (Role.FACILITATOR, True),
     (Role.TERRITORY_ADMIN, True)],
)  # fmt: skip
def test_who_types_in_offline_voices(client, process, role, allowed) -> None:
    _as(client, process, role)

    response = client.post(
        reverse("participation:collect", args=[process.slug]),
        {"kind": "idea", "title": "Au marché", "body": "Plus de bancs", "collected_place": "Marché",
         "collected_on": "2026-05-02", "consent": "on", "collected_for": "Josette"},
    )  # fmt: skip

    assert Contribution.objects.filter(collected_for="Josette").exists() is allowed
    if not allowed:
        assert response.status_code == 403


def test_only_the_settings_are_reserved_to_administrators(client, process) -> None:
    _as(client, process, Role.MODERATOR)
    url = reverse("participation:moderation", args=[process.territory.slug, process.slug])

    response = client.post(
        url, {"form": "settings", "premoderation": "on", "edit_window_minutes": 5}
    )

    assert response.status_code == 403
    assert not services.settings_for(process).premoderation


def test_a_report_reaches_the_queue_and_can_be_dismissed(client, process) -> None:
    contribution = _contribution(process)
    _as(client, process)
    client.post(
        reverse("participation:report", args=[process.slug, contribution.pk]),
        {"reason": "Publicité"},
    )
    moderator = _as(client, process, Role.MODERATOR)
    t, s = process.territory.slug, process.slug

    queue = client.get(reverse("participation:moderation", args=[t, s])).content.decode()
    client.post(reverse("participation:moderate", args=[t, s, "contribution", contribution.pk]),
                {"action": "dismiss"})  # fmt: skip

    assert "Publicité" in queue
    log = ModerationLog.objects.get()
    assert (log.action, log.actor) == (ModerationLog.Action.DISMISS, moderator)


def test_moderation_redirect_stays_on_the_site(client, process) -> None:
    contribution = _contribution(process)
    _as(client, process, Role.MODERATOR)
    url = reverse(
        "participation:moderate",
        args=[process.territory.slug, process.slug, "contribution", contribution.pk],
    )

    response = client.post(url, {"action": "restore", "next": "https://ailleurs.example/"})

    assert response["Location"].startswith("/")


def test_visitors_get_the_list_from_the_cache_until_it_changes(
    client, process, django_assert_max_num_queries
) -> None:
    url = reverse("participation:list", args=[process.slug])
    _contribution(process, title="Première idée")
    client.get(url)

    with django_assert_max_num_queries(4):  # session, territory, process: no list query
        cached = client.get(url).content.decode()
    _contribution(process, title="Idée toute neuve")
    fresh = client.get(url).content.decode()

    assert "Première idée" in cached
    assert "Idée toute neuve" not in cached
    assert "Idée toute neuve" in fresh


def test_people_with_an_account_get_the_shared_results_and_their_own_awaiting_ones(
    client, process
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings = services.settings_for(process)
    settings.premoderation = True
    settings.save()
    url = reverse("participation:list", args=[process.slug])
    author = _as(client, process)
    _contribution(process, author=author, title="En attente")
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    other = UserFactory()
    client.force_login(other)
    others_page = client.get(url).content.decode()

    assert "Vos contributions en attente de modération" in page
    assert "En attente" in page
    assert "En attente" not in others_page
    # The results come from the cache: the page does not count the contributions again.
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]


def test_results_are_rebuilt_when_they_grow_old_even_without_a_change(
    client, process, monkeypatch
) -> None:
    from fabrique.core import pagecache

    url = reverse("participation:list", args=[process.slug])
    _as(client, process)
    client.get(url)
    Contribution.objects.create(  # written without the services: the lists do not know
        process=process, phase=process.phases.get(), title="Écrite ailleurs", body="B"
    )
    assert "Écrite ailleurs" not in client.get(url).content.decode()

    monkeypatch.setattr(pagecache, "FRESH_SECONDS", 0)
    client.get(url)  # rebuilds it

    assert "Écrite ailleurs" in client.get(url).content.decode()


def test_an_author_downloads_what_they_wrote(client, process) -> None:
    author = _as(client, process)
    contribution = _contribution(process, author=author, title="Mes mots à moi")
    services.comment_post(contribution=contribution, author=author, body="Et mon commentaire")

    data = client.get(reverse("accounts:export")).json()["participation"]

    assert data["contributions"][0]["title"] == "Mes mots à moi"
    assert data["comments"][0]["text"] == "Et mon commentaire"


def test_process_news_reach_followers_on_the_site(process) -> None:
    from fabrique.accounts.models import Notification
    from fabrique.processes import services as process_services

    follower = UserFactory()
    process_services.process_follow(process=process, user=follower)

    process_services.news_publish(
        process=process, author=None, title="Réunion", body="B", send_email=False
    )

    assert Notification.objects.get(user=follower).url.endswith(
        f"/actualites/{process.news.get().pk}/"
    )
