"""Processes in a real browser: every page with axe-core, and the set-up walked by staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from fabrique.core.tests.browser import BrowserDemo, Web
from fabrique.demo.processes import load_demo_processes
from fabrique.processes.models import GovernanceBody, Process
from fabrique.territories.services import territory_import

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_processes(browser_demo: BrowserDemo) -> dict[str, Process]:
    orleans = territory_import(code="244500468").territory
    chambery = territory_import(code="200069110").territory
    load_demo_processes(chalon=browser_demo.territory, orleans=orleans, chambery=chambery)
    return {p.slug: p for p in Process.objects.all()}


@dataclass(frozen=True)
class Page:
    name: str
    who: str
    path: Callable[[dict[str, Process]], str]
    heading: Callable[[dict[str, Process]], str]


CHALON = "projet-de-territoire"
ORLEANS = "assises-de-la-transition-ecologique"
CHAMBERY = "fabrique-du-territoire-2030"


def _bo(name: str, slug: str, extra: Callable[[Process], object] | None = None):
    def path(p: dict[str, Process]) -> str:
        process = p[slug]
        args = [process.territory.slug, process.slug]
        if extra is not None:
            args.append(extra(process))
        return reverse(name, args=args)

    return path


def _triad(process: Process) -> GovernanceBody:
    return process.bodies.filter(kind=GovernanceBody.Kind.TRIAD).first()


PAGES = [
    Page("process-list", "anonymous", lambda p: reverse("processes:list"), lambda p: "Démarches"),
    *(
        Page(f"process-{slug}", "anonymous", lambda p, s=slug: p[s].get_absolute_url(),
             lambda p, s=slug: p[s].title)
        for slug in (CHALON, ORLEANS, CHAMBERY)
    ),
    Page("theme", "anonymous", lambda p: p[ORLEANS].themes.first().get_absolute_url(),
         lambda p: p[ORLEANS].themes.first().title),
    Page("phase", "anonymous", lambda p: p[CHAMBERY].phases.all()[3].get_absolute_url(),
         lambda p: p[CHAMBERY].phases.all()[3].title),
    Page("body-triad", "anonymous", lambda p: _triad(p[ORLEANS]).get_absolute_url(),
         lambda p: _triad(p[ORLEANS]).name),
    Page("news-list", "anonymous", lambda p: reverse("processes:news_list", args=[ORLEANS]),
         lambda p: "Actualités"),
    Page("news-detail", "anonymous", lambda p: p[ORLEANS].news.first().get_absolute_url(),
         lambda p: p[ORLEANS].news.first().title),
    Page("bo-process-list", "territory_admin",
         lambda p: reverse("processes:bo_list", args=[p[CHALON].territory.slug]),
         lambda p: "Démarches"),
    Page("bo-process-create", "territory_admin",
         lambda p: reverse("processes:bo_create", args=[p[CHALON].territory.slug]),
         lambda p: "Créer une démarche"),
    Page("bo-process-home", "territory_admin", _bo("processes:bo_process", CHALON),
         lambda p: p[CHALON].title),
    Page("bo-process-edit", "territory_admin", _bo("processes:bo_edit", CHALON),
         lambda p: "Informations"),
    Page("bo-phases", "territory_admin", _bo("processes:bo_phases", CHALON), lambda p: "Phases"),
    Page("bo-themes", "territory_admin", _bo("processes:bo_themes", CHALON),
         lambda p: "Thématiques"),
    Page("bo-theme", "territory_admin", _bo("processes:bo_theme", CHALON,
         lambda pr: pr.themes.first().pk), lambda p: p[CHALON].themes.first().title),
    Page("bo-bodies", "territory_admin", _bo("processes:bo_bodies", CHALON),
         lambda p: "Instances de gouvernance"),
    Page("bo-body", "territory_admin", _bo("processes:bo_body", CHALON,
         lambda pr: pr.bodies.first().pk), lambda p: p[CHALON].bodies.first().name),
    Page("bo-news", "territory_admin", _bo("processes:bo_news", CHALON), lambda p: "Actualités"),
    Page("bo-delete", "territory_admin",
         lambda p: reverse("processes:bo_delete", args=[p[CHALON].territory.slug, CHALON, "news",
                                                       p[CHALON].news.first().pk]),
         lambda p: f"Supprimer « {p[CHALON].news.first().title} » ?"),
    Page("bo-meeting", "platform_admin",
         _bo("processes:bo_meeting", ORLEANS, lambda pr: pr.bodies.first().meetings.first().pk),
         lambda p: p[ORLEANS].bodies.first().meetings.first().title),
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_process_page(web: Web, browser_demo: BrowserDemo, demo_processes, page: Page) -> None:
    path = page.path(demo_processes)
    if page.who != "anonymous":
        client = Client()
        client.force_login(getattr(browser_demo, page.who))
        assert client.get(path).status_code == 200
        web.log_in(getattr(browser_demo, page.who))

    web.open(path)

    assert web.path == path
    assert web.h1() == page.heading(demo_processes)
    web.check_page(page.name)


def test_open_process_says_what_is_open_now(web: Web, browser_demo, demo_processes) -> None:
    web.open(demo_processes[CHAMBERY].get_absolute_url())

    take_part = web.driver.find_element(By.CSS_SELECTOR, ".take-part").text
    assert "Le temps de la réflexion collective" in take_part
    modes = [m.text for m in web.driver.find_elements(By.CSS_SELECTOR, ".take-part .mode")]
    assert modes == ["Idées et questions", "Ateliers", "Panel citoyen"]
    states = [s.text for s in web.driver.find_elements(By.CSS_SELECTOR, ".timeline-state")]
    assert states.count("OUVERTE") == 1


def test_following_a_process_without_leaving_the_page(web, browser_demo, demo_processes) -> None:
    process = demo_processes[CHALON]
    web.log_in(browser_demo.inhabitant)
    web.open(process.get_absolute_url())

    web.driver.find_element(By.CSS_SELECTOR, "#follow-form button").click()
    web.wait_for(
        lambda d: d.find_element(By.CSS_SELECTOR, "#follow-form button[aria-pressed=true]")
    )

    assert process.follows.filter(user=browser_demo.inhabitant).exists()
    web.check_page("process-followed")


def _select(web: Web, name: str, value: str) -> None:
    Select(web.driver.find_element(By.NAME, name)).select_by_value(value)


def _check(web: Web, name: str, value: str) -> None:
    web.driver.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']").click()


def _set_date(web: Web, name: str, iso: str) -> None:
    field = web.driver.find_element(By.NAME, name)
    web.driver.execute_script("arguments[0].value = arguments[1]", field, iso)


def test_staff_set_up_a_process_from_an_empty_territory_to_a_published_page(
    web: Web, browser_demo: BrowserDemo
) -> None:
    territory = browser_demo.territory
    assert not Process.objects.exists()
    web.log_in(browser_demo.territory_admin)

    # 1. Information.
    web.open(reverse("processes:bo_create", args=[territory.slug]))
    web.fill("title", "Assises du climat")
    web.fill("summary", "Un an pour bâtir ensemble notre plan climat.")
    web.fill("presentation", "Pourquoi ?\n\nParce que le climat change.<script>alert(1)</script>")
    _set_date(web, "start_date", "2026-09-01")
    _set_date(web, "end_date", "2027-08-31")
    web.submit()
    process = Process.objects.get()
    assert web.path == reverse("processes:bo_phases", args=[territory.slug, process.slug])
    assert "<script" not in process.presentation
    web.check_page("setup-1-phases-empty")

    # 2. Phases, with one overlapping by mistake: refused on its field, nothing lost.
    _select(web, "phase-kind", "diagnostic")
    web.fill("phase-title", "Diagnostic partagé")
    _set_date(web, "phase-start_date", "2026-09-01")
    _set_date(web, "phase-end_date", "2026-12-31")
    _check(web, "phase-modes", "surveys")
    web.submit("main > .container > form")
    _select(web, "phase-kind", "reflection")
    web.fill("phase-title", "Réflexion collective")
    _set_date(web, "phase-start_date", "2026-12-01")
    _set_date(web, "phase-end_date", "2027-05-31")
    _check(web, "phase-modes", "contributions")
    web.submit("main > .container > form")
    assert web.driver.find_element(By.NAME, "phase-title").get_attribute("value") == (
        "Réflexion collective"
    )
    error = web.driver.find_element(By.CSS_SELECTOR, "#id_phase-start_date_error").text
    assert "Diagnostic partagé" in error
    web.check_page("setup-2-phase-overlap-error")
    _set_date(web, "phase-start_date", "2027-01-01")
    web.submit("main > .container > form")
    assert process.phases.count() == 2

    # 3. A theme.
    web.open(reverse("processes:bo_themes", args=[territory.slug, process.slug]))
    web.fill("theme-title", "Mobilités")
    web.submit("main > .container > form")
    theme = process.themes.get()

    # 4. A triad; a second elected official is refused.
    web.open(reverse("processes:bo_bodies", args=[territory.slug, process.slug]))
    _select(web, "body-kind", "triad")
    web.fill("body-name", "Triade mobilités")
    _select(web, "body-theme", str(theme.pk))
    web.submit("main > .container > form")
    triad = process.bodies.get()
    for name, role in [("Anne Élue", "elected"), ("Bruno Élu", "elected")]:
        web.fill("member-name", name)
        _select(web, "member-role", role)
        web.submit("form:has(input[name=form][value=member])")
    assert list(triad.members.values_list("name", flat=True)) == ["Anne Élue"]
    assert web.driver.find_element(By.CSS_SELECTOR, "#id_member-role_error").text
    web.check_page("setup-4-triad-error")

    # 5. Publish and see the public page.
    web.open(reverse("processes:bo_process", args=[territory.slug, process.slug]))
    _select(web, "status", "published")
    web.submit("main form")
    process.refresh_from_db()
    assert process.status == Process.Status.PUBLISHED
    web.check_page("setup-5-published")
    web.driver.delete_all_cookies()
    web.open(process.get_absolute_url())
    assert web.h1() == "Assises du climat"
    timeline = [t.text for t in web.driver.find_elements(By.CSS_SELECTOR, ".timeline-title")]
    assert timeline == ["Diagnostic partagé", "Réflexion collective"]
    web.check_page("setup-6-public-page")
