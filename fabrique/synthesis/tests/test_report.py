"""Restitution reports: composition, generation, publication, the PDF and the spreadsheet."""

from __future__ import annotations

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from fabrique.accounts.tests.factories import UserFactory
from fabrique.participation.models import Contribution
from fabrique.synthesis.models import Report, Synthesis, TopicEdit
from fabrique.synthesis.selectors.report import published_reports
from fabrique.synthesis.services import report as services
from fabrique.synthesis.tests.factories import ContributionFactory, TopicFactory, put_in_topic
from fabrique.synthesis.tests.test_figures import Scene, make_scene
from fabrique.workshops.models import Registration
from fabrique.workshops.tests.factories import RegistrationFactory, held_workshop

pytestmark = pytest.mark.django_db


def answered(scene: Scene) -> Contribution:
    contribution = ContributionFactory(
        process=scene.process,
        author=UserFactory(commune=scene.a),
        title="Une piste le long du canal",
        status=Contribution.Status.RETAINED,
        answer="Nous l'inscrivons au plan vélo 2027.",
        answered_at=timezone.now(),
    )
    put_in_topic(contribution, scene.t1, representative=True, closeness=0.9)
    return contribution


@pytest.fixture
def scene() -> Scene:
    return make_scene()


def create(scene: Scene, **kwargs) -> Report:
    return services.report_create(
        synthesis=scene.synthesis, title="Ce que vous nous avez dit", by=None, **kwargs
    )


class TestComposition:
    def test_a_new_report_holds_every_topic_with_examples_and_figures(self, scene):
        answered(scene)

        report = create(scene)

        content = report.content
        assert [t["label"] for t in content["topics"]] == ["Vélo", "Arbres"]
        velo = content["topics"][0]
        assert velo["size"] == 4  # the hidden contribution is not counted
        assert velo["examples"][0]["title"] == "Une piste le long du canal"
        assert len(velo["examples"]) == 3
        assert all("Idée" in e["title"] or "canal" in e["title"] for e in velo["examples"])
        assert content["figures"]["contributions"] == 7
        assert content["figures"]["by_channel"] == [
            ["En ligne", 5], ["En atelier", 1], ["Recueillie en personne", 1],
        ]  # fmt: skip
        assert content["answers"]["groups"][0]["label"] == "Retenue"
        assert content["representativeness"]["basins"]["title"] == "Bassins de vie"
        assert report.grouping == scene.grouping
        assert report.status == Report.Status.DRAFT

    def test_hidden_contributions_never_appear_as_examples(self, scene):
        report = create(scene)

        titles = [e["title"] for t in report.content["topics"] for e in t["examples"]]
        hidden = Contribution.objects.get(visibility="hidden")
        assert hidden.title not in titles

    def test_staff_choose_topics_and_sections(self, scene):
        report = create(scene)

        services.report_update(
            report=report, title=" Bilan ", introduction="<p>Merci !</p><script>x()</script>",
            all_topics=False, topics=[scene.t2], include_answers=False,
            include_representativeness=False,
        )  # fmt: skip

        report.refresh_from_db()
        assert report.title == "Bilan"
        assert report.introduction == "<p>Merci !</p>"
        assert [t["label"] for t in report.content["topics"]] == ["Arbres"]
        assert report.content["answers"] is None
        assert report.content["representativeness"] is None

    def test_no_topic_chosen_is_refused(self, scene):
        report = create(scene)

        with pytest.raises(ValidationError, match="au moins un sujet"):
            services.report_update(
                report=report, title="Bilan", introduction="", all_topics=False, topics=[]
            )

    def test_an_unfinished_version_is_refused(self, scene):
        Synthesis.objects.filter(pk=scene.synthesis.pk).update(status=Synthesis.Status.RUNNING)
        scene.synthesis.refresh_from_db()

        with pytest.raises(ValidationError):
            create(scene)

    def test_workshops_held_and_their_attendance(self, scene):
        workshop = held_workshop(process=scene.process)
        RegistrationFactory(workshop=workshop, checked_in_at=timezone.now())
        RegistrationFactory(workshop=workshop, checked_in_at=timezone.now())
        RegistrationFactory(workshop=workshop, status=Registration.Status.CONFIRMED)

        report = create(scene)

        workshops = report.content["figures"]["workshops"]
        assert workshops["held"] == 1
        assert workshops["present"] == 2

    def test_the_method_counts_the_edits(self, scene):
        for action in ("rename", "rename", "merge"):
            TopicEdit.objects.create(
                synthesis=scene.synthesis, revision=1, action=action, summary=""
            )

        report = create(scene)

        method = " ".join(report.content["method"])
        assert "Regroupement des contributions" in method
        assert "3 fois (2 renommages, 1 fusion)" in method


class TestPublication:
    def test_publish_then_regenerate_says_updated(self, scene):
        report = create(scene)
        services.report_publish(report=report, by=None)
        assert not report.regenerated
        assert list(published_reports(scene.process)) == [report]

        Synthesis.objects.filter(pk=scene.synthesis.pk).update(revision=3)
        report.refresh_from_db()
        assert report.is_stale
        services.report_generate(report=report)

        report.refresh_from_db()
        assert report.regenerated
        assert not report.is_stale
        assert report.generated_at > report.published_at

    def test_publishing_twice_and_deleting_a_published_report_are_refused(self, scene):
        report = create(scene)
        services.report_publish(report=report, by=None)

        with pytest.raises(ValidationError):
            services.report_publish(report=report, by=None)
        with pytest.raises(ValidationError):
            services.report_delete(report=report)
        services.report_unpublish(report=report)
        services.report_delete(report=report)
        assert not Report.objects.exists()


def pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF, well enough to find words in it (no PDF library needed)."""
    import re

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(chunks).decode("latin-1")


class TestFiles:
    def test_the_files_are_made_in_the_background(
        self, scene, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        settings.MEDIA_ROOT = tmp_path
        answered(scene)

        with django_capture_on_commit_callbacks(execute=True):
            report = create(scene)  # the immediate task backend runs the task at once

        report.refresh_from_db()
        assert report.files_status == Report.FilesStatus.DONE
        assert report.files_ready
        pdf = report.pdf.read()
        assert pdf.startswith(b"%PDF")
        assert "/StructTreeRoot" in pdf_text(pdf)  # tagged for assistive technologies
        assert report.pdf_seconds is not None

    def test_the_pdf_holds_the_title_and_the_topics(self, scene):
        report = create(scene)

        pdf = services.report_pdf_bytes(report)

        assert pdf.startswith(b"%PDF")
        text = pdf_text(pdf)
        assert "Ce que vous nous avez dit" in text  # the document's title, in its metadata
        assert "/Lang (fr)" in text
        assert "pdfuaid:part" in text
        assert "Arbres" in text  # a topic, in the bookmarks

    def test_the_spreadsheet_has_every_contribution_and_the_figures(self, scene):
        answered(scene)
        report = create(scene)
        out = io.BytesIO()

        count = services.report_xlsx_write(report, out)

        assert count == 7
        book = load_workbook(io.BytesIO(out.getvalue()))
        sheet = book["Contributions"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == (
            "Numéro", "Date", "Type", "Titre", "Texte", "Sujet", "Commune", "Bassin", "Canal",
            "Soutiens", "Statut", "Réponse officielle",
        )  # fmt: skip
        assert len(rows) == 8
        by_title = {row[3]: row for row in rows[1:]}
        canal = by_title["Une piste le long du canal"]
        assert canal[5:] == (
            "Vélo", "Aubigny", "Nord", "En ligne", 0, "Retenue",
            "Nous l'inscrivons au plan vélo 2027.",
        )  # fmt: skip
        assert canal[1].year == timezone.localdate().year
        collected = [row for row in rows[1:] if row[8] == "Recueillie en personne"]
        assert collected[0][6:8] == ("Bellevue", "Sud")
        assert {row[5] for row in rows[1:]} == {"Vélo", "Arbres", "Dans aucun sujet"}
        figures = list(book["Chiffres"].iter_rows(values_only=True))
        assert ("Participants", 4) in [row[:2] for row in figures]

    def test_text_that_looks_like_a_formula_stays_text(self, scene):
        contribution = ContributionFactory(process=scene.process, title='=HYPERLINK("x")')
        put_in_topic(contribution, scene.t1)
        report = create(scene)
        out = io.BytesIO()

        services.report_xlsx_write(report, out)

        sheet = load_workbook(io.BytesIO(out.getvalue()))["Contributions"]
        cell = next(row[3] for row in sheet.iter_rows(min_row=2) if row[3].value.startswith("="))
        assert cell.data_type == "s"

    def test_a_report_generated_again_while_its_files_are_made_keeps_only_the_newest(
        self, scene, settings, tmp_path, django_capture_on_commit_callbacks
    ):
        settings.MEDIA_ROOT = tmp_path
        with django_capture_on_commit_callbacks(execute=True):
            report = create(scene)
        report.refresh_from_db()
        first_pdf = report.pdf.name
        Report.objects.filter(pk=report.pk).update(files_status=Report.FilesStatus.QUEUED)

        # Generated again after the task claimed the files: its result is thrown away.
        original = services._store

        def regenerate_then_store(report_, *args, **kwargs):
            Report.objects.filter(pk=report_.pk).update(generated_at=timezone.now())
            return original(report_, *args, **kwargs)

        services._store = regenerate_then_store
        try:
            services.report_files_build(report_id=report.pk)
        finally:
            services._store = original

        report.refresh_from_db()
        assert report.pdf.name == first_pdf
        assert report.files_status == Report.FilesStatus.RUNNING
        assert len(list((tmp_path / "synthesis" / "reports").iterdir())) == 2


def test_topics_of_another_version_cannot_be_chosen(scene):
    report = create(scene)
    stranger = TopicFactory()

    with pytest.raises(ValidationError):
        services.report_update(
            report=report, title="Bilan", introduction="", all_topics=False, topics=[stranger]
        )


def test_published_opinion_maps_are_in_the_report_with_what_unites_and_divides(scene, client):
    from fabrique.synthesis.services import opinion

    from .test_opinion_activity_factories import (
        PLANTED_STATEMENTS,
        opinion_activity,
        planted_votes,
    )

    published = opinion_activity(scene.process, title="Se déplacer", statements=PLANTED_STATEMENTS)
    planted_votes(published)
    computation = opinion.opinion_computation_launch(activity=published, by=None)
    computation = opinion.opinion_computation_run(computation=computation)
    opinion.opinion_computation_publish(computation=computation)
    unpublished = opinion_activity(scene.process, title="Carte pas encore publiée")
    opinion.opinion_computation_run(
        computation=opinion.opinion_computation_launch(activity=unpublished, by=None)
    )

    report = create(scene)

    [section] = report.content["opinion"]
    assert section["title"] == "Se déplacer"
    assert section["voters"] == 30
    assert sorted(g["size"] for g in section["groups"]) == [10, 10, 10]
    unites = [c["text"] for c in section["consensus"]]
    assert unites[:2] == PLANTED_STATEMENTS[:2]  # every planted group agrees with both
    assert all(c["agreed"] for c in section["consensus"][:2])
    assert section["divisive"]
    assert all(len(d["groups"]) == 3 for d in section["divisive"])

    services.report_publish(report=report, by=None)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Cartes des opinions" in page
    assert "Carte pas encore publiée" not in page
    assert f"« {PLANTED_STATEMENTS[0]} »" in page


def test_the_pdf_fetches_no_address_typed_in_the_introduction(scene, monkeypatch):
    import urllib.request

    report = create(scene)
    report.introduction = '<p>Voir <img src="http://169.254.169.254/latest/meta-data/" alt="x"></p>'
    report.save(update_fields=["introduction"])
    opened: list[str] = []

    def record(*args, **kwargs):
        opened.append(str(args[1] if len(args) > 1 else args[0]))
        raise OSError("no network in tests")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", record)
    pdf = services.report_pdf_bytes(report)

    assert pdf.startswith(b"%PDF")
    assert opened == []
