"""Report pages: staff compose and publish; everyone reads a published report and its files."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fabrique.accounts.models import Role
from fabrique.accounts.tests.factories import RoleFactory, UserFactory
from fabrique.processes.models import Process
from fabrique.synthesis.models import Report
from fabrique.synthesis.services import report as services
from fabrique.synthesis.tests.test_figures import make_scene
from fabrique.territories.tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "moderator", "facilitator", "other_admin", "admin"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scene(media, django_capture_on_commit_callbacks):
    scene = make_scene()
    with django_capture_on_commit_callbacks(execute=True):
        scene.report = services.report_create(
            synthesis=scene.synthesis, title="Ce que vous nous avez dit", by=None
        )
    scene.report.refresh_from_db()
    return scene


def log_in(client, who: str, territory) -> None:
    users = {
        "participant": lambda: UserFactory(),
        "moderator": lambda: RoleFactory(role=Role.MODERATOR, territory=territory).user,
        "facilitator": lambda: RoleFactory(role=Role.FACILITATOR, territory=territory).user,
        "other_admin": lambda: (
            RoleFactory(role=Role.TERRITORY_ADMIN, territory=TerritoryFactory()).user
        ),
        "admin": lambda: RoleFactory(role=Role.TERRITORY_ADMIN, territory=territory).user,
    }
    if who != "anonymous":
        client.force_login(users[who]())


def bo(name: str, scene, *extra) -> str:
    return reverse(f"synthesis:{name}", args=[scene.territory.slug, scene.process.slug, *extra])


def public(name: str, report: Report) -> str:
    return reverse(f"synthesis:{name}", args=[report.process.slug, report.pk])


@pytest.mark.parametrize("who", ROLES)
def test_only_territory_admins_compose_reports(client, scene, who):
    log_in(client, who, scene.territory)
    report = scene.report
    expected = {"anonymous": 302, "admin": 200}.get(who, 403)

    for url in (bo("bo_reports", scene), bo("bo_report", scene, report.pk),
                bo("bo_report_files", scene, report.pk)):  # fmt: skip
        assert client.get(url).status_code == expected, url
    response = client.post(bo("bo_report_action", scene, report.pk, "publier"))

    assert response.status_code == (302 if who in ("anonymous", "admin") else 403)
    report.refresh_from_db()
    assert report.is_published == (who == "admin")


@pytest.mark.parametrize("who", ROLES)
def test_a_draft_is_seen_by_its_territory_admins_only(client, scene, who):
    log_in(client, who, scene.territory)

    response = client.get(public("report", scene.report))

    assert response.status_code == (200 if who == "admin" else 404)
    if who == "admin":
        assert "Aperçu" in response.content.decode()
    assert client.get(public("report_pdf", scene.report)).status_code == response.status_code


@pytest.mark.parametrize("who", ROLES)
def test_a_published_report_is_for_everyone(client, scene, who):
    services.report_publish(report=scene.report, by=None)
    log_in(client, who, scene.territory)

    response = client.get(public("report", scene.report))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce que vous nous avez dit" in page
    assert "Vélo" in page
    assert "Aperçu" not in page
    assert public("report_pdf", scene.report) in page
    pdf = client.get(public("report_pdf", scene.report))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    sheet = client.get(public("report_xlsx", scene.report))
    assert "attachment" in sheet["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(sheet.streaming_content)))
    assert book["Contributions"].max_row == 7  # the header and six published contributions


def test_a_report_of_a_draft_process_stays_hidden(client, scene):
    services.report_publish(report=scene.report, by=None)
    Process.objects.filter(pk=scene.process.pk).update(status=Process.Status.DRAFT)

    assert client.get(public("report", scene.report)).status_code == 404


def test_a_report_is_read_through_its_own_process_only(client, scene):
    services.report_publish(report=scene.report, by=None)
    other = make_scene().process

    url = reverse("synthesis:report", args=[other.slug, scene.report.pk])

    assert client.get(url).status_code == 404


class TestComposition:
    @pytest.fixture
    def admin(self, client, scene):
        log_in(client, "admin", scene.territory)
        return client

    def test_create_a_report_from_a_version(self, admin, scene, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(
                bo("bo_reports", scene), {"synthesis": scene.synthesis.pk, "title": "Bilan"}
            )

        report = Report.objects.get(title="Bilan")
        assert response["Location"] == bo("bo_report", scene, report.pk)
        assert report.files_status == Report.FilesStatus.DONE

    def test_compose_then_publish(self, admin, scene, django_capture_on_commit_callbacks):
        url = bo("bo_report", scene, scene.report.pk)
        page = admin.get(url).content.decode()
        assert "Vélo (4)" in page  # the topics to choose, with their sizes

        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post(url, {
                "title": "Bilan du printemps", "introduction": "Merci à toutes et tous.",
                "topics": [scene.t2.pk], "grouping": scene.grouping.pk,
                "include_figures": "on", "include_answers": "on",
            })  # fmt: skip
        assert response.status_code == 302
        scene.report.refresh_from_db()
        assert [t["label"] for t in scene.report.content["topics"]] == ["Arbres"]
        assert scene.report.content["representativeness"] is None

        admin.post(bo("bo_report_action", scene, scene.report.pk, "publier"))
        scene.report.refresh_from_db()
        assert scene.report.is_published
        assert "Publié le" in admin.get(public("report", scene.report)).content.decode()

    def test_a_refused_composition_keeps_what_was_typed(self, admin, scene):
        url = bo("bo_report", scene, scene.report.pk)

        response = admin.post(url, {"title": "Bilan", "introduction": "Mon introduction"})

        assert response.status_code == 200
        page = response.content.decode()
        assert "au moins un sujet" in page
        assert "Mon introduction" in page

    def test_a_stale_report_says_so_and_is_regenerated(self, admin, scene):
        type(scene.synthesis).objects.filter(pk=scene.synthesis.pk).update(revision=5)

        page = admin.get(bo("bo_report", scene, scene.report.pk)).content.decode()
        assert "générez-le à nouveau" in page
        admin.post(bo("bo_report_action", scene, scene.report.pk, "regenerer"))

        scene.report.refresh_from_db()
        assert scene.report.generated_revision == 5

    def test_unknown_action_is_not_found(self, admin, scene):
        url = bo("bo_report", scene, scene.report.pk) + "effacer-tout/"

        assert admin.post(url).status_code == 404

    def test_without_a_finished_version_the_page_says_how_to_make_one(self, admin, scene):
        type(scene.synthesis).objects.filter(pk=scene.synthesis.pk).update(status="failed")

        page = admin.get(bo("bo_reports", scene)).content.decode()

        assert reverse("synthesis:bo_list", args=[scene.territory.slug, scene.process.slug]) in page
