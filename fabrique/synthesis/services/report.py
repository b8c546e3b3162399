"""Restitution reports: composed by staff from a version of the topics, generated (a
snapshot of figures, topics, representativeness and answers), published; the PDF and the
spreadsheet are made in the background from the same snapshot."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fabrique.accounts.models import User
from fabrique.core.sanitize import sanitize_html
from fabrique.core.tabular import spreadsheet_value
from fabrique.territories.models import BasinGrouping

from ..models import Report, Synthesis, Topic
from ..selectors.report import (
    content_context,
    figures_rows,
    report_content,
    spreadsheet_header,
    spreadsheet_rows,
)

logger = logging.getLogger(__name__)


def _check_version(synthesis: Synthesis) -> None:
    if synthesis.status != Synthesis.Status.DONE:
        raise ValidationError(
            {"synthesis": _("This version is not finished: a report is made from a finished one.")}
        )


def report_create(
    *, synthesis: Synthesis, title: str, by: User | None, language: str | None = None
) -> Report:
    """A draft report of every topic of a version, generated at once."""
    _check_version(synthesis)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the report a title.")})
    report = Report(
        process=synthesis.process,
        synthesis=synthesis,
        title=title[:200],
        grouping=BasinGrouping.objects.filter(territory_id=synthesis.process.territory_id).first(),
        language=language or translation.get_language() or "fr",
        created_by=by,
    )
    report.full_clean(exclude=["created_by", "published_by"])
    report.save()
    report_generate(report=report)
    return report


def report_update(
    *,
    report: Report,
    title: str,
    introduction: str,
    all_topics: bool,
    topics: Sequence[Topic] = (),
    grouping: BasinGrouping | None = None,
    include_figures: bool = True,
    include_representativeness: bool = True,
    include_answers: bool = True,
) -> Report:
    """Save what the report holds, then generate it again."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the report a title.")})
    chosen = [t for t in topics if t.synthesis_id == report.synthesis_id]
    if not all_topics and not chosen:
        raise ValidationError(
            {"topics": _("Choose at least one topic, or keep every topic of the version.")}
        )
    if grouping is not None and grouping.territory_id != report.process.territory_id:
        raise ValidationError({"grouping": _("This grouping belongs to another territory.")})
    report.title = title[:200]
    report.introduction = sanitize_html(introduction)
    report.all_topics = all_topics
    report.grouping = grouping
    report.include_figures = include_figures
    report.include_representativeness = include_representativeness
    report.include_answers = include_answers
    with transaction.atomic():
        report.save()
        report.topics.set([] if all_topics else chosen)
        report_generate(report=report)
    return report


def report_generate(*, report: Report) -> Report:
    """Take the content again from the version and the process, and queue the files.

    A published report generated again says « updated on … »."""
    with translation.override(report.language):
        content = report_content(report)
    now = timezone.now()
    report.content = content
    report.generated_at = now
    report.generated_revision = report.synthesis.revision
    report.regenerated = report.published_at is not None
    report.files_status = Report.FilesStatus.QUEUED
    report.files_progress = 0
    report.files_stage = ""
    report.files_error = ""
    report.save(
        update_fields=[
            "content", "generated_at", "generated_revision", "regenerated", "files_status",
            "files_progress", "files_stage", "files_error", "updated_at",
        ]
    )  # fmt: skip
    _enqueue(report)
    return report


def _enqueue(report: Report) -> None:
    from ..report_tasks import report_files_task

    transaction.on_commit(lambda: report_files_task.enqueue(report.pk))


def report_publish(*, report: Report, by: User | None) -> Report:
    if report.is_published:
        raise ValidationError(_("This report is already published."))
    if not report.content:
        raise ValidationError(_("Generate the report before publishing it."))
    report.status = Report.Status.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = by
    report.regenerated = False
    report.save(
        update_fields=["status", "published_at", "published_by", "regenerated", "updated_at"]
    )
    return report


def report_unpublish(*, report: Report) -> Report:
    if not report.is_published:
        raise ValidationError(_("This report is not published."))
    report.status = Report.Status.DRAFT
    report.save(update_fields=["status", "updated_at"])
    return report


def report_delete(*, report: Report) -> None:
    if report.is_published:
        raise ValidationError(_("Withdraw the report from publication before deleting it."))
    for stored in (report.pdf, report.xlsx):
        if stored:
            stored.delete(save=False)
    report.delete()


# --- The files ----------------------------------------------------------------------------


def _progress(report: Report, fraction: float, stage: str) -> None:
    Report.objects.filter(pk=report.pk, files_status=Report.FilesStatus.RUNNING).update(
        files_progress=round(fraction * 100, 1), files_stage=stage[:200]
    )


def report_pdf_bytes(report: Report) -> bytes:
    """The report as a PDF: A4, numbered pages, a table of contents, tagged for assistive
    technologies (PDF/UA)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string("synthesis/report/pdf.html", content_context(report, for_print=True))
    # Nothing is fetched from the network or the disk: an image address typed in the
    # introduction must not make the server call it (the web page shows such images).
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True, custom_metadata=True
    )
    return pdf


def report_xlsx_write(report: Report, target: Any) -> int:
    """Write the spreadsheet in ``target`` (a path or a binary file); returns how many
    contributions it holds.

    Written row by row (openpyxl's write-only mode) from rows read in chunks: memory stays
    flat whatever the number of contributions."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Contributions")[:31])
    header = spreadsheet_header()
    widths = [10, 18, 18, 40, 80, 30, 22, 22, 18, 10, 18, 60]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cells(values: Sequence[Any], font: Font | None = None) -> list[Any]:
        """Plain values where they are safe (fast); a cell object only for text that a
        spreadsheet would take for a formula, and for the bold titles."""
        row: list[Any] = []
        for value in values:
            if isinstance(value, str):
                value = spreadsheet_value(value)
                if value.startswith("=") or font is not None:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # text typed by people, never a formula
                    if font is not None:
                        cell.font = font
                    value = cell
            row.append(value)
        return row

    sheet.append(cells(header, bold))
    count = 0
    for values in spreadsheet_rows(report):
        sheet.append(cells(values))
        count += 1
    figures_sheet = workbook.create_sheet(_("Figures")[:31])
    figures_sheet.column_dimensions["A"].width = 50
    for index in range(2, 8):
        figures_sheet.column_dimensions[get_column_letter(index)].width = 18
    for line in figures_rows(report):
        figures_sheet.append(cells(line, bold if line and line[0] and len(line) == 1 else None))
    workbook.save(target)
    return count


def report_files_build(*, report_id: int) -> Report | None:
    """Make the PDF and the spreadsheet of a queued report (run by the task workers)."""
    claimed = Report.objects.filter(pk=report_id, files_status=Report.FilesStatus.QUEUED).update(
        files_status=Report.FilesStatus.RUNNING, files_progress=0
    )
    report = (
        Report.objects.select_related("synthesis", "process", "grouping")
        .filter(pk=report_id)
        .first()
    )
    if not claimed or report is None:
        return report
    generated_at = report.generated_at
    try:
        with translation.override(report.language):
            _progress(report, 0.05, _("Making the PDF…"))
            started = time.monotonic()
            pdf = report_pdf_bytes(report)
            pdf_seconds = time.monotonic() - started
            _progress(report, 0.4, _("Making the spreadsheet…"))
            started = time.monotonic()
            with tempfile.TemporaryFile() as sheet:
                report_xlsx_write(report, sheet)
                xlsx_seconds = time.monotonic() - started
                sheet.seek(0)
                _store(report, pdf, sheet, generated_at, pdf_seconds, xlsx_seconds)
    except Exception as error:  # shown to staff, who can generate again
        logger.exception("Files of report %s failed", report_id)
        Report.objects.filter(pk=report_id, files_status=Report.FilesStatus.RUNNING).update(
            files_status=Report.FilesStatus.FAILED,
            files_error=_("The files could not be made (%(error)s).")
            % {"error": type(error).__name__},
        )
    report.refresh_from_db()
    return report


def _store(
    report: Report,
    pdf: bytes,
    sheet: Any,
    generated_at: Any,
    pdf_seconds: float,
    xlsx_seconds: float,
) -> None:
    """Keep the new files unless the report was generated again meanwhile (its own task
    then makes newer ones)."""
    old = [f.name for f in (report.pdf, report.xlsx) if f]
    report.pdf.save("rapport.pdf", ContentFile(pdf), save=False)
    report.xlsx.save("contributions.xlsx", File(sheet), save=False)
    with transaction.atomic():
        kept = Report.objects.filter(
            pk=report.pk, files_status=Report.FilesStatus.RUNNING, generated_at=generated_at
        ).update(
            pdf=report.pdf.name,
            xlsx=report.xlsx.name,
            files_status=Report.FilesStatus.DONE,
            files_progress=100,
            files_stage="",
            files_generated_at=timezone.now(),
            pdf_seconds=round(pdf_seconds, 2),
            xlsx_seconds=round(xlsx_seconds, 2),
        )
    storage = report.pdf.storage
    for name in old if kept else [report.pdf.name, report.xlsx.name]:
        if name and storage.exists(name):
            storage.delete(name)
