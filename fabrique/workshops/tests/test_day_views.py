"""The day's pages through the test client: who may open each one, and what each does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fabrique.accounts.models import Role, User
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.participation.models import Contribution
from fabrique.workshops.models import (
    CapturedContribution,
    Registration,
    Table,
    Workshop,
    WorkshopDocument,
)
from fabrique.workshops.services import day as services
from fabrique.workshops.tests.factories import (
    RegistrationFactory,
    TableFactory,
    WorkshopFactory,
    held_workshop,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@dataclass
class Cast:
    workshop: Workshop
    table: Table
    other_table: Table
    capture: CapturedContribution  # typed in by the table's facilitator
    runner_capture: CapturedContribution  # typed in by the territory's facilitator
    document: WorkshopDocument
    people: dict[str, User | None]


def _staff(territory: Any, role: str) -> User:
    user = UserFactory()
    RoleFactory(user=user, territory=territory, role=role)
    return user


@pytest.fixture
def cast() -> Cast:
    workshop = held_workshop()
    territory = workshop.process.territory
    table_facilitator = _staff(territory, Role.MODERATOR)
    other_table_facilitator = _staff(territory, Role.BODY_MEMBER)
    workshop_facilitator = UserFactory()
    workshop.facilitators.add(workshop_facilitator)
    other_workshop_facilitator = UserFactory()
    WorkshopFactory(process=workshop.process).facilitators.add(other_workshop_facilitator)
    territory_facilitator = _staff(territory, Role.FACILITATOR)
    table = TableFactory(workshop=workshop, name="Mobilités", facilitator=table_facilitator)
    other_table = TableFactory(
        workshop=workshop, name="Habitat", facilitator=other_table_facilitator
    )

    def capture(by: User, title: str) -> CapturedContribution:
        return services.capture_submit(
            workshop=workshop,
            table=table,
            captured_by=by,
            kind="idea",
            title=title,
            body="Dit à la table.",
            consent=True,
        )

    return Cast(
        workshop=workshop,
        table=table,
        other_table=other_table,
        capture=capture(table_facilitator, "Des bus le dimanche"),
        runner_capture=capture(territory_facilitator, "Un parking vélo"),
        document=services.document_upload(
            workshop=workshop, file=image_upload(), title="Tableau", description="Post-it"
        ),
        people={
            "anonymous": None,
            "participant": UserFactory(),
            "other_workshop_facilitator": other_workshop_facilitator,
            "other_table_facilitator": other_table_facilitator,
            "table_facilitator": table_facilitator,
            "workshop_facilitator": workshop_facilitator,
            "territory_facilitator": territory_facilitator,
            "territory_admin": _staff(territory, Role.TERRITORY_ADMIN),
        },
    )


def _url(name: str, workshop: Workshop, *args: Any) -> str:
    process = workshop.process
    return reverse(
        f"workshops:{name}", args=[process.territory.slug, process.slug, workshop.pk, *args]
    )


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


RUNNERS = {"workshop_facilitator", "territory_facilitator", "territory_admin"}
EVERYONE = [
    "anonymous",
    "participant",
    "other_workshop_facilitator",
    "other_table_facilitator",
    "table_facilitator",
    *sorted(RUNNERS),
]

# Page name, its arguments from the cast, and who besides the runners may open it.
PAGES = [
    ("bo_tables", lambda c: [], set()),
    ("bo_table_edit", lambda c: [c.table.pk], set()),
    ("bo_table_delete", lambda c: [c.table.pk], set()),
    ("bo_captures", lambda c: [], set()),
    ("bo_workshop_captures", lambda c: [], set()),
    ("bo_table_captures", lambda c: [c.table.pk], {"table_facilitator"}),
    ("bo_capture_edit", lambda c: [c.capture.pk], {"table_facilitator"}),
    ("bo_capture_remove", lambda c: [c.capture.pk], {"table_facilitator"}),
    ("bo_capture_edit", lambda c: [c.runner_capture.pk], set()),
    ("bo_document_delete", lambda c: [c.document.pk], set()),
    ("bo_restitution", lambda c: [], set()),
]


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize(
    ("name", "args", "also"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)]
)
def test_who_may_open_each_page(cast: Cast, who: str, name: str, args: Any, also: set) -> None:
    url = _url(name, cast.workshop, *args(cast))
    response = _client(cast.people[who]).get(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif who in RUNNERS or who in also:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


POSTS = [
    ("bo_tables", lambda c: [], {"form": "many", "count": "2"}),
    ("bo_table_move", lambda c: [c.other_table.pk], {"direction": "up"}),
    ("bo_table_delete", lambda c: [c.other_table.pk], {}),
    ("bo_document_delete", lambda c: [c.document.pk], {}),
    ("bo_restitution", lambda c: [], {"form": "restitution", "restitution": "Bilan"}),
]


@pytest.mark.parametrize("who", ["participant", "table_facilitator", "other_workshop_facilitator"])
@pytest.mark.parametrize(("name", "args", "data"), POSTS, ids=[p[0] for p in POSTS])
def test_writes_are_refused_to_those_who_do_not_run_the_workshop(
    cast: Cast, who: str, name: str, args: Any, data: dict
) -> None:
    before = (Table.objects.count(), WorkshopDocument.objects.count())
    response = _client(cast.people[who]).post(_url(name, cast.workshop, *args(cast)), data)
    assert response.status_code == 403
    assert (Table.objects.count(), WorkshopDocument.objects.count()) == before
    cast.workshop.refresh_from_db()
    assert cast.workshop.restitution == ""


def test_a_table_facilitator_cannot_type_in_at_another_table(cast: Cast) -> None:
    client = _client(cast.people["other_table_facilitator"])
    response = client.post(
        _url("bo_table_captures", cast.workshop, cast.table.pk),
        {"kind": "idea", "title": "Intrus", "body": "x", "consent": "on"},
    )
    assert response.status_code == 403
    assert not Contribution.objects.filter(title="Intrus").exists()


def test_a_table_facilitator_cannot_change_someone_elses_capture(cast: Cast) -> None:
    client = _client(cast.people["table_facilitator"])
    url = _url("bo_capture_remove", cast.workshop, cast.runner_capture.pk)
    assert client.post(url).status_code == 403
    assert CapturedContribution.objects.filter(pk=cast.runner_capture.pk).exists()


def test_a_page_of_another_workshop_is_not_found(cast: Cast) -> None:
    elsewhere = WorkshopFactory(process=cast.workshop.process)
    client = _client(cast.people["territory_admin"])
    url = _url("bo_table_captures", elsewhere, cast.table.pk)
    assert client.get(url).status_code == 404
    assert client.get(_url("bo_capture_edit", elsewhere, cast.capture.pk)).status_code == 404


class TestTablesPage:
    def test_add_a_table_with_a_facilitator_from_the_list(self, cast: Cast) -> None:
        client = _client(cast.people["workshop_facilitator"])
        url = _url("bo_tables", cast.workshop)
        page = client.get(url).content.decode()
        # The facilitator is chosen in a list of the territory's staff and the workshop's own.
        assert f'<option value="{cast.people["table_facilitator"].pk}"' in page
        assert f'<option value="{cast.people["participant"].pk}"' not in page
        staff = cast.people["territory_facilitator"]
        response = client.post(
            url, {"form": "table", "name": "Énergie", "topic": "Rénover", "facilitator": staff.pk}
        )
        assert response.status_code == 302
        table = Table.objects.get(name="Énergie")
        assert (table.topic, table.facilitator) == ("Rénover", staff)

    def test_a_refused_table_keeps_what_was_typed(self, cast: Cast) -> None:
        client = _client(cast.people["territory_admin"])
        response = client.post(
            _url("bo_tables", cast.workshop),
            {"form": "table", "name": "Mobilités", "topic": "Un sujet tapé"},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Un sujet tapé" in page
        assert "Une table s’appelle déjà « Mobilités »." in page

    def test_rename_move_and_remove(self, cast: Cast) -> None:
        client = _client(cast.people["territory_admin"])
        client.post(
            _url("bo_table_edit", cast.workshop, cast.other_table.pk),
            {"name": "Logement", "topic": "", "facilitator": ""},
        )
        cast.other_table.refresh_from_db()
        assert (cast.other_table.name, cast.other_table.facilitator) == ("Logement", None)
        client.post(_url("bo_table_move", cast.workshop, cast.other_table.pk), {"direction": "up"})
        assert list(cast.workshop.tables.values_list("name", flat=True)) == [
            "Logement",
            "Mobilités",
        ]
        response = client.post(_url("bo_table_delete", cast.workshop, cast.table.pk))
        assert response.status_code == 302
        assert not Table.objects.filter(pk=cast.table.pk).exists()
        assert CapturedContribution.objects.filter(table__isnull=True).count() == 2

    def test_move_is_a_post(self, cast: Cast) -> None:
        client = _client(cast.people["territory_admin"])
        url = _url("bo_table_move", cast.workshop, cast.table.pk)
        assert client.get(url).status_code == 405

    def test_seat_by_hand_and_at_random(self, cast: Cast) -> None:
        now = timezone.now()
        ana = RegistrationFactory(workshop=cast.workshop, name="Ana", checked_in_at=now)
        bob = RegistrationFactory(workshop=cast.workshop, name="Bob", checked_in_at=now)
        client = _client(cast.people["workshop_facilitator"])
        url = _url("bo_tables", cast.workshop)
        page = client.get(url).content.decode()
        assert "Ana" in page
        assert "Bob" in page
        client.post(url, {"form": "seating", f"seat_{ana.pk}": cast.table.pk, f"seat_{bob.pk}": ""})
        ana.refresh_from_db()
        assert ana.table == cast.table
        client.post(url, {"form": "random"})
        bob.refresh_from_db()
        assert bob.table == cast.other_table  # the emptiest table

    def test_upload_a_photo_needs_its_description(self, cast: Cast) -> None:
        client = _client(cast.people["territory_admin"])
        url = _url("bo_tables", cast.workshop)
        response = client.post(
            url,
            {"form": "document", "title": "Tableau 2", "file": image_upload(), "is_public": "on"},
        )
        assert response.status_code == 200
        assert "Tableau 2" in response.content.decode()  # kept
        assert not WorkshopDocument.objects.filter(title="Tableau 2").exists()
        response = client.post(
            url,
            {
                "form": "document",
                "title": "Tableau 2",
                "description": "Les idées de la table 2",
                "file": image_upload(),
                "table": cast.table.pk,
            },
        )
        assert response.status_code == 302
        document = WorkshopDocument.objects.get(title="Tableau 2")
        assert (document.table, document.is_public) == (cast.table, False)


class TestCapturePage:
    prefix = uuid.uuid4().hex[:8]

    def _post(self, client: Client, url: str, token: str = "", **overrides: str) -> Any:
        # Tokens are remembered for hours: a fresh one unless a test reuses one on purpose.
        data = {
            "kind": "question",
            "title": "Pourquoi si peu de bus ?",
            "body": "Le dimanche, rien ne passe.",
            "collected_for": "Inès",
            "consent": "on",
            "form_token": f"{self.prefix}-{token}" if token else uuid.uuid4().hex,
        }
        data.update(overrides)
        return client.post(url, data)

    def test_two_contributions_in_a_row(self, cast: Cast) -> None:
        client = _client(cast.people["table_facilitator"])
        url = _url("bo_table_captures", cast.workshop, cast.table.pk)
        response = self._post(client, url, token="a")
        capture = CapturedContribution.objects.latest("pk")
        assert response["Location"] == f"{url}?saved={capture.pk}"
        page = client.get(response["Location"]).content.decode()
        assert "Enregistrée : « Pourquoi si peu de bus ? »" in page
        assert 'name="title" value' not in page  # an empty form again
        assert "autofocus" in page
        self._post(client, url, token="b", title="Et le soir ?")
        contribution = capture.contribution
        assert contribution.collected_by == cast.people["table_facilitator"]
        assert contribution.collected_for == "Inès"
        assert contribution.kind == "question"
        assert cast.table.captures.count() == 4

    def test_a_table_facilitator_sees_no_tabs_to_pages_refused_to_them(self, cast: Cast) -> None:
        url = _url("bo_table_captures", cast.workshop, cast.table.pk)
        tables = _url("bo_tables", cast.workshop)
        page = _client(cast.people["table_facilitator"]).get(url).content.decode()
        assert f'href="{tables}"' not in page
        assert "Contributions de «\u00a0Mobilités\u00a0»" in page
        page = _client(cast.people["workshop_facilitator"]).get(url).content.decode()
        assert f'href="{tables}"' in page

    def test_the_same_form_sent_twice_is_taken_once(self, cast: Cast) -> None:
        client = _client(cast.people["table_facilitator"])
        url = _url("bo_table_captures", cast.workshop, cast.table.pk)
        self._post(client, url, token="same")
        self._post(client, url, token="same")
        assert Contribution.objects.filter(title="Pourquoi si peu de bus ?").count() == 1

    def test_without_consent_nothing_is_saved_and_the_text_stays(self, cast: Cast) -> None:
        client = _client(cast.people["table_facilitator"])
        url = _url("bo_table_captures", cast.workshop, cast.table.pk)
        response = self._post(client, url, consent="")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Pourquoi si peu de bus ?" in page
        assert "Le dimanche, rien ne passe." in page
        assert not Contribution.objects.filter(title="Pourquoi si peu de bus ?").exists()

    def test_before_the_workshop_the_page_says_why(self, cast: Cast) -> None:
        upcoming = WorkshopFactory(process=cast.workshop.process)
        upcoming.facilitators.add(cast.people["workshop_facilitator"])
        client = _client(cast.people["workshop_facilitator"])
        response = self._post(client, _url("bo_workshop_captures", upcoming))
        assert response.status_code == 200
        assert "L’atelier n’a pas encore eu lieu" in response.content.decode()

    def test_the_list_of_a_table_links_to_public_pages_and_own_corrections(
        self, cast: Cast
    ) -> None:
        client = _client(cast.people["table_facilitator"])
        page = client.get(_url("bo_table_captures", cast.workshop, cast.table.pk)).content.decode()
        assert cast.capture.contribution.get_absolute_url() in page
        assert _url("bo_capture_edit", cast.workshop, cast.capture.pk) in page
        assert _url("bo_capture_edit", cast.workshop, cast.runner_capture.pk) not in page

    def test_correct_and_remove_ones_own_capture(self, cast: Cast) -> None:
        client = _client(cast.people["table_facilitator"])
        url = _url("bo_capture_edit", cast.workshop, cast.capture.pk)
        response = client.post(
            url, {"kind": "testimony", "title": "Bus du dimanche", "body": "Corrigé."}
        )
        assert response.status_code == 302
        cast.capture.contribution.refresh_from_db()
        assert cast.capture.contribution.title == "Bus du dimanche"
        client.post(_url("bo_capture_remove", cast.workshop, cast.capture.pk))
        assert not CapturedContribution.objects.filter(pk=cast.capture.pk).exists()

    def test_all_captures_by_table_with_counts(self, cast: Cast) -> None:
        client = _client(cast.people["territory_facilitator"])
        page = client.get(_url("bo_captures", cast.workshop)).content.decode()
        assert "Mobilités (2)" in page
        assert "Habitat (0)" in page
        assert cast.runner_capture.contribution.get_absolute_url() in page


class TestRestitutionPage:
    def test_preview_saves_nothing_then_draft_then_publish(
        self, cast: Cast, django_capture_on_commit_callbacks
    ) -> None:
        RegistrationFactory(workshop=cast.workshop, email="ana@exemple.fr")
        client = _client(cast.people["workshop_facilitator"])
        url = _url("bo_restitution", cast.workshop)
        data = {"form": "restitution", "restitution": "<h2>Bilan</h2><script>x</script>"}
        response = client.post(url, {**data, "action": "preview"})
        page = response.content.decode()
        assert "<h4>Bilan</h4>" in page  # under the page's h2 and the preview's h3
        assert "<script>x" not in page
        cast.workshop.refresh_from_db()
        assert cast.workshop.restitution == ""

        client.post(url, {**data, "action": "save"})
        cast.workshop.refresh_from_db()
        assert cast.workshop.restitution == "<h2>Bilan</h2>"
        assert not cast.workshop.has_restitution

        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**data, "action": "publish"})
        cast.workshop.refresh_from_db()
        assert cast.workshop.has_restitution
        page = client.get(url).content.decode()
        assert "Publiée le" in page
        assert "Mettre à jour la restitution publiée" in page

    def test_figures_are_shown(self, cast: Cast) -> None:
        RegistrationFactory(workshop=cast.workshop, checked_in_at=timezone.now())
        RegistrationFactory(workshop=cast.workshop, status=Registration.Status.CANCELLED)
        page = (
            _client(cast.people["territory_admin"])
            .get(_url("bo_restitution", cast.workshop))
            .content.decode()
        )
        assert "<strong>1</strong> personne présente" in page
        assert "<strong>2</strong> contributions" in page

    def test_choose_the_public_documents(self, cast: Cast) -> None:
        client = _client(cast.people["territory_admin"])
        client.post(_url("bo_restitution", cast.workshop), {"form": "public"})
        cast.document.refresh_from_db()
        assert not cast.document.is_public
        client.post(
            _url("bo_restitution", cast.workshop), {"form": "public", "public": cast.document.pk}
        )
        cast.document.refresh_from_db()
        assert cast.document.is_public

    def test_delete_a_document_from_the_restitution_page(self, cast: Cast) -> None:
        client = _client(cast.people["territory_admin"])
        url = _url("bo_document_delete", cast.workshop, cast.document.pk)
        assert client.get(url + "?from=restitution").status_code == 200
        response = client.post(url, {"from": "restitution"})
        assert response["Location"] == _url("bo_restitution", cast.workshop) + "#documents"
        assert not WorkshopDocument.objects.exists()
