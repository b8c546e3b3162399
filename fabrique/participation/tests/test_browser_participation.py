"""Participation in a real browser: every page with axe-core, posting with the map."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.demo.contributions import load_demo_contributions
from fabrique.demo.processes import load_demo_processes
from fabrique.participation.models import Contribution
from fabrique.processes.models import Process
from fabrique.territories.services import territory_import

pytestmark = pytest.mark.browser
SLUG = "projet-de-territoire"


@pytest.fixture
def demo(browser_demo: BrowserDemo) -> BrowserDemo:
    orleans = territory_import(code="244500468").territory
    chambery = territory_import(code="200069110").territory
    load_demo_processes(chalon=browser_demo.territory, orleans=orleans, chambery=chambery)
    load_demo_contributions(
        chalon=browser_demo.territory,
        staff=browser_demo.territory_admin,
        facilitator=browser_demo.territory_admin,
    )
    return browser_demo


@dataclass(frozen=True)
class Page:
    name: str
    who: str
    path: Callable[[], str]
    heading: Callable[[], str]


def _first() -> Contribution:
    return Contribution.objects.filter(process__slug=SLUG).order_by("pk").first()


def _t() -> str:
    return Process.objects.get(slug=SLUG).territory.slug


PAGES = [
    Page("contribution-list", "anonymous", lambda: reverse("participation:list", args=[SLUG]),
         lambda: "Idées et questions"),
    Page("contribution-detail", "inhabitant", lambda: _first().get_absolute_url(),
         lambda: _first().title),
    Page("contribution-create", "inhabitant", lambda: reverse("participation:create", args=[SLUG]),
         lambda: "Partager une idée ou une question"),
    Page("contribution-collect", "territory_admin",
         lambda: reverse("participation:collect", args=[SLUG]),
         lambda: "Saisir une contribution recueillie en personne"),
    Page("moderation", "territory_admin",
         lambda: reverse("participation:moderation", args=[_t(), SLUG]), lambda: "Modération"),
    Page("moderation-index", "territory_admin",
         lambda: reverse("participation:moderation_index", args=[_t()]), lambda: "Modération"),
    Page("notifications", "territory_admin", lambda: reverse("accounts:notifications"),
         lambda: "Notifications"),
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_participation_page(web: Web, demo: BrowserDemo, page: Page) -> None:
    if page.who != "anonymous":
        web.log_in(getattr(demo, page.who))
    path = page.path()

    web.open(path)

    assert web.path == path
    assert web.h1() == page.heading()
    web.check_page(page.name)


def test_an_inhabitant_posts_an_idea_placed_on_the_map(web: Web, demo: BrowserDemo) -> None:
    web.log_in(demo.inhabitant)
    web.open(reverse("participation:create", args=[SLUG]))
    web.driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=question]").click()
    web.fill("title", "Un abri vélo à la gare")
    web.fill("body", "Pour laisser son vélo au sec.<script>alert(1)</script>")
    web.fill("commune", "Chalon-sur-Saône (71076)")
    # A click in the middle of the map places the point (the tiles may not load offline).
    web.wait_for(lambda d: d.find_element(By.CSS_SELECTOR, "#location-map.leaflet-container"))
    web.driver.find_element(By.ID, "location-map").click()
    assert web.driver.find_element(By.ID, "id_latitude").get_attribute("value")
    web.check_page("contribution-create-filled")
    web.submit("form.contribution-form")

    contribution = Contribution.objects.get(title="Un abri vélo à la gare")
    assert web.path == contribution.get_absolute_url()
    assert contribution.has_point
    assert contribution.commune.insee_code == "71076"
    assert "<script>" not in web.driver.find_element(
        By.CSS_SELECTOR, ".contribution-body"
    ).get_attribute("innerHTML")
    web.check_page("contribution-posted")


def test_supporting_without_leaving_the_page(web: Web, demo: BrowserDemo) -> None:
    contribution = Contribution.objects.filter(process__slug=SLUG, support_count=0).first()
    web.log_in(demo.inhabitant)
    web.open(contribution.get_absolute_url())

    web.driver.find_element(By.CSS_SELECTOR, "#support-form button").click()
    web.wait_for(
        lambda d: d.find_element(By.CSS_SELECTOR, "#support-form button[aria-pressed=true]")
    )

    contribution.refresh_from_db()
    assert contribution.support_count == 1
    assert web.driver.find_element(By.CSS_SELECTOR, ".support-count strong").text == "1"


def test_filters_update_the_list_and_the_address(web: Web, demo: BrowserDemo) -> None:
    web.open(reverse("participation:list", args=[SLUG]))
    before = len(web.driver.find_elements(By.CSS_SELECTOR, ".contribution-card"))

    web.driver.find_element(By.CSS_SELECTOR, "#f-kind option[value=question]").click()
    web.wait_for(lambda d: "type=question" in d.current_url)
    web.wait_for(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".contribution-card")) < before)

    kinds = {
        t.text
        for t in web.driver.find_elements(By.CSS_SELECTOR, ".contribution-card .tag:first-child")
    }
    assert kinds == {"Question"}


def test_a_report_reaches_the_moderators_who_hide_the_contribution(
    web: Web, demo: BrowserDemo
) -> None:
    contribution = (
        Contribution.objects.filter(process__slug=SLUG, visibility="published", reports=None)
        .exclude(author=demo.inhabitant)
        .first()
    )
    web.log_in(demo.inhabitant)
    web.open(contribution.get_absolute_url())
    web.driver.find_element(By.CSS_SELECTOR, "details.report summary").click()
    web.driver.find_element(By.CSS_SELECTOR, "details.report [name=reason]").send_keys(
        "Propos injurieux"
    )
    web.submit("details.report form")
    assert contribution.reports.filter(reason="Propos injurieux").exists()

    web.log_in(demo.territory_admin)
    web.open(reverse("participation:moderation", args=[_t(), SLUG]))
    item = f"#reason-contribution-{contribution.pk}"
    assert "Propos injurieux" in web.driver.find_element(By.CSS_SELECTOR, "main").text
    web.driver.find_element(By.CSS_SELECTOR, item).send_keys("Insulte")
    form = f"form:has({item})"
    web.submit(form, "button[value=hide]")

    contribution.refresh_from_db()
    assert contribution.visibility == "hidden"
    assert contribution.moderation_reason == "Insulte"
    assert "Insulte" in web.driver.find_element(By.CSS_SELECTOR, "main").text  # the log
    web.check_page("moderation-after-hiding")
    web.log_in(demo.inhabitant)
    web.open(reverse("participation:list", args=[SLUG]))
    assert contribution.title not in web.driver.find_element(By.ID, "results").text


def test_a_facilitator_types_in_what_someone_said_at_the_market(
    web: Web, demo: BrowserDemo
) -> None:
    web.log_in(demo.territory_admin)
    web.open(reverse("participation:collect", args=[SLUG]))
    web.driver.find_element(By.CSS_SELECTOR, "input[name=kind][value=testimony]").click()
    web.fill("title", "Le bus du samedi est toujours plein")
    web.fill("body", "Une habitante de Saint-Marcel rencontrée au marché.")
    web.fill("collected_for", "Martine")
    web.fill("collected_place", "Marché de Saint-Marcel")
    web.driver.execute_script("document.getElementsByName('collected_on')[0].value = '2026-11-21'")
    web.submit("form.contribution-form")
    # Without the person's agreement, nothing is recorded and nothing typed is lost.
    assert not Contribution.objects.filter(title__startswith="Le bus du samedi").exists()
    assert web.driver.find_element(By.NAME, "collected_place").get_attribute("value") == (
        "Marché de Saint-Marcel"
    )
    web.driver.find_element(By.NAME, "consent").click()
    web.submit("form.contribution-form")

    contribution = Contribution.objects.get(title="Le bus du samedi est toujours plein")
    assert contribution.collected_by == demo.territory_admin
    assert contribution.collected_place == "Marché de Saint-Marcel"
    web.open(contribution.get_absolute_url())
    assert "Recueillie en personne" in web.driver.find_element(By.CSS_SELECTOR, "main").text
    assert "Martine" in web.driver.find_element(By.CSS_SELECTOR, "main").text


def test_the_map_shows_the_points_and_follows_the_filters(web: Web, demo: BrowserDemo) -> None:
    located = Contribution.objects.filter(process__slug=SLUG, latitude__isnull=False).count()
    assert located > 0
    web.open(reverse("participation:list", args=[SLUG]))

    status = web.wait_for(lambda d: d.find_element(By.CSS_SELECTOR, ".map-status").text or None)
    assert status.startswith(f"{located} contribution")
    web.driver.find_element(By.CSS_SELECTOR, "#f-kind option[value=question]").click()
    web.wait_for(lambda d: d.find_element(By.CSS_SELECTOR, ".map-status").text != status or None)


def test_on_a_phone_the_filters_fold_away_until_asked_for(web: Web, demo: BrowserDemo) -> None:
    web.driver.set_window_size(360, 800)
    try:
        web.open(reverse("participation:list", args=[SLUG]))
        details = web.driver.find_element(By.CSS_SELECTOR, "details.filters-box")
        assert details.get_attribute("open") is None
        assert not web.driver.find_element(By.ID, "q").is_displayed()
        web.driver.find_element(By.CSS_SELECTOR, "details.filters-box summary").click()
        assert web.driver.find_element(By.ID, "q").is_displayed()
    finally:
        web.driver.set_window_size(1280, 900)
