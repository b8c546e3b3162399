"""Background work of restitution reports, run by the task workers."""

from __future__ import annotations

from django_tasks import task


@task()
def report_files_task(report_id: int) -> str:
    """Make the PDF and the spreadsheet of a report; the page shows the progress."""
    from .services.report import report_files_build

    report = report_files_build(report_id=report_id)
    return report.files_status if report is not None else "gone"
