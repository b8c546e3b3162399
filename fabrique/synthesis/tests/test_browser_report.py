"""A restitution report in a real browser: composed by staff, then read by anyone (axe on
each page)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.synthesis.models import Report
from fabrique.synthesis.tests.test_browser_figures import make_figures_demo

pytestmark = pytest.mark.browser


def test_staff_compose_and_publish_a_report_that_anyone_reads(
    web: Web, browser_demo: BrowserDemo, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    found = make_figures_demo(browser_demo)
    process = found.process
    args = [process.territory.slug, process.slug]
    web.log_in(browser_demo.territory_admin)

    web.open(reverse("synthesis:bo_reports", args=args))
    assert web.h1() == "Rapports de restitution"
    web.check_page("synthesis-reports")
    web.fill("title", "Ce que vous nous avez dit au printemps")
    web.submit("main form")
    report = Report.objects.get(title="Ce que vous nous avez dit au printemps")
    assert web.h1() == report.title
    assert report.files_status == Report.FilesStatus.DONE  # made at once while developing

    web.fill("introduction", "Merci aux 300 personnes qui ont pris part à la concertation.")
    web.driver.find_element(By.NAME, "all_topics").click()
    for topic in found.topics[:3]:
        web.driver.find_element(By.CSS_SELECTOR, f"input[name=topics][value='{topic.pk}']").click()
    web.submit("main section[aria-labelledby=compose-title] form")
    report.refresh_from_db()
    assert [t["label"] for t in report.content["topics"]] == [t.label for t in found.topics[:3]]
    web.check_page("synthesis-report-compose")

    web.submit("main form[action$='publier/']")
    report.refresh_from_db()
    assert report.is_published

    web.driver.delete_all_cookies()
    web.open(report.get_absolute_url())
    assert web.h1() == "Ce que vous nous avez dit au printemps"
    page = web.driver.page_source
    assert "Merci aux 300 personnes" in page
    assert "Pistes cyclables" in page
    assert "<h3>Commerces de proximité</h3>" not in page  # a topic left out
    assert "Des voix sous-représentées" in page
    assert "Retenue" in page
    web.check_page("synthesis-report-public")
    link = web.driver.find_element(By.PARTIAL_LINK_TEXT, "Télécharger le rapport (PDF")
    assert link.get_attribute("href").endswith("/rapport.pdf")
