"""Every page a person sees, opened in a real browser with the right role.

Each page must show its heading, pass axe-core's WCAG 2.1 A/AA rules and is saved as a
desktop and a phone screenshot in var/screenshots/ for review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.by import By

from fabrique.core.tests.browser import BrowserDemo, Web, assert_accessible
from fabrique.territories.models import LegalPage

pytestmark = pytest.mark.browser


def tr(message: str, **params: object) -> str:
    """``message`` as the server shows it: in French, whatever the browser asks for.

    Whatever the state of the translations too: an untranslated string stays in English.
    """
    with translation.override("fr"):
        text = gettext(message)
    return text % params if params else text


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # "anonymous", or a BrowserDemo attribute holding a user
    path: Callable[[BrowserDemo], str]
    heading: Callable[[BrowserDemo], str]
    status: int = 200


def _bo(name: str, *args: Callable[[BrowserDemo], object]) -> Callable[[BrowserDemo], str]:
    """The address of a back-office page of the demo territory."""
    return lambda d: reverse(name, args=[d.territory.slug, *(arg(d) for arg in args)])


def _grouping(d: BrowserDemo) -> int:
    return d.grouping.pk


def _basin(d: BrowserDemo) -> int:
    return d.basin.pk


def _legal_page(kind: LegalPage.Kind) -> Page:
    """A public legal page; its title is the label of its kind, as the view shows it."""

    def heading(d: BrowserDemo) -> str:
        with translation.override("fr"):
            return str(kind.label)

    return Page(
        f"legal-{kind.value}", "anonymous", lambda d: reverse("legal_page", args=[kind]), heading
    )


PAGES = [
    # Public pages.
    Page(
        "home",
        "anonymous",
        lambda d: reverse("home"),
        lambda d: tr("Build the future of %(name)s together", name=d.territory.name),
    ),
    Page(
        "territory-list",
        "anonymous",
        lambda d: reverse("territories:list"),
        lambda d: tr("Territories"),
    ),
    Page(
        "territory-detail",
        "anonymous",
        lambda d: d.territory.get_absolute_url(),
        lambda d: d.territory.name,
    ),
    *(_legal_page(kind) for kind in LegalPage.Kind),
    Page(
        "not-found", "anonymous", lambda d: "/pas-de-page-ici/", lambda d: tr("Page not found"), 404
    ),
    # Accounts (allauth).
    Page("login", "anonymous", lambda d: reverse("account_login"), lambda d: tr("Sign In")),
    Page("signup", "anonymous", lambda d: reverse("account_signup"), lambda d: tr("Sign Up")),
    Page(
        "password-reset",
        "anonymous",
        lambda d: reverse("account_reset_password"),
        lambda d: tr("Password Reset"),
    ),
    Page(
        "password-reset-done",
        "anonymous",
        lambda d: reverse("account_reset_password_done"),
        lambda d: tr("Password Reset"),
    ),
    Page(
        "verification-sent",
        "anonymous",
        lambda d: reverse("account_email_verification_sent"),
        lambda d: tr("Verify Your Email Address"),
    ),
    Page("logout", "inhabitant", lambda d: reverse("account_logout"), lambda d: tr("Sign Out")),
    Page(
        "email", "inhabitant", lambda d: reverse("account_email"), lambda d: tr("Email Addresses")
    ),
    Page(
        "password-change",
        "inhabitant",
        lambda d: reverse("account_change_password"),
        lambda d: tr("Change Password"),
    ),
    # The participant's own pages.
    Page(
        "profile", "inhabitant", lambda d: reverse("accounts:profile"), lambda d: tr("My profile")
    ),
    Page(
        "account-delete",
        "inhabitant",
        lambda d: reverse("accounts:delete"),
        lambda d: tr("Delete my account"),
    ),
    Page(
        "backoffice-no-access",
        "inhabitant",
        lambda d: reverse("accounts:dashboard"),
        lambda d: tr("Back-office"),
        403,
    ),
    Page(
        "forbidden",
        "inhabitant",
        _bo("territories:groupings"),
        lambda d: tr("Access refused"),
        403,
    ),
    # Platform administrator.
    Page(
        "backoffice-dashboard",
        "platform_admin",
        lambda d: reverse("accounts:dashboard"),
        lambda d: tr("Back-office"),
    ),
    Page(
        "territory-import",
        "platform_admin",
        lambda d: reverse("territories:import"),
        lambda d: tr("Create or update a territory from official data"),
    ),
    # Territory administrator.
    Page(
        "backoffice-territory",
        "territory_admin",
        _bo("accounts:territory_home"),
        lambda d: d.territory.name,
    ),
    Page(
        "groupings",
        "territory_admin",
        _bo("territories:groupings"),
        lambda d: tr("Life basins and sectors"),
    ),
    Page(
        "grouping-detail",
        "territory_admin",
        _bo("territories:grouping", _grouping),
        lambda d: d.grouping.name,
    ),
    Page(
        "basin-create",
        "territory_admin",
        _bo("territories:basin_create", _grouping),
        lambda d: tr("New basin"),
    ),
    Page(
        "basin-edit",
        "territory_admin",
        _bo("territories:basin_edit", _grouping, _basin),
        lambda d: tr("Edit the basin %(name)s", name=d.basin.name),
    ),
    Page(
        "basin-import",
        "territory_admin",
        _bo("territories:basin_import", _grouping),
        lambda d: tr("Import “%(name)s” from a CSV file", name=d.grouping.name),
    ),
    Page(
        "basin-delete",
        "territory_admin",
        _bo("territories:basin_delete", _grouping, _basin),
        lambda d: tr("Delete the basin %(name)s?", name=d.basin.name),
    ),
    Page(
        "appearance",
        "territory_admin",
        _bo("territories:appearance"),
        lambda d: tr("Appearance"),
    ),
    Page("roles", "territory_admin", _bo("accounts:roles"), lambda d: tr("Roles")),
    Page(
        "legal-page-edit",
        "territory_admin",
        _bo("territories:legal_page_edit", lambda d: LegalPage.Kind.LEGAL_NOTICE.value),
        lambda d: tr("Legal notice"),
    ),
]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page(web: Web, browser_demo: BrowserDemo, page: Page) -> None:
    path = page.path(browser_demo)
    # The server answers with the right status (a browser cannot see it)...
    client = Client()
    if page.who != "anonymous":
        client.force_login(getattr(browser_demo, page.who))
        web.log_in(getattr(browser_demo, page.who))
    assert client.get(path).status_code == page.status

    # ...and the browser shows the page itself, not a log-in form it was sent to.
    web.open(path)
    assert web.path == path
    assert web.h1() == page.heading(browser_demo)
    assert web.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    web.check_page(page.name)


def test_territory_detail_shows_basins(web: Web, browser_demo: BrowserDemo) -> None:
    web.open(browser_demo.territory.get_absolute_url())
    headings = [h.text for h in web.driver.find_elements(By.CSS_SELECTOR, "main h2")]
    assert browser_demo.grouping.name in headings
    basin_rows = web.driver.find_elements(By.CSS_SELECTOR, "main table tbody th[scope=row]")
    assert [row.text for row in basin_rows] == list(
        browser_demo.grouping.basins.order_by("position").values_list("name", flat=True)
    )


def test_basin_import_reports_every_faulty_line(
    web: Web, browser_demo: BrowserDemo, tmp_path
) -> None:
    faulty = tmp_path / "bassins.csv"
    faulty.write_text(
        "code_insee;bassin\n"
        "71076;Centre urbain\n"
        "99999;Nulle part\n"  # no such commune
        "71076;Côte chalonnaise\n"  # placed twice
        "71221;\n",  # no basin name
        encoding="utf-8",
    )
    web.log_in(browser_demo.territory_admin)
    path = reverse(
        "territories:basin_import", args=[browser_demo.territory.slug, browser_demo.grouping.pk]
    )
    web.open(path)
    web.driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(faulty))
    web.submit()

    assert web.path == path
    report = web.driver.find_element(By.CSS_SELECTOR, "main [role=alert]")
    lines = [li.text for li in report.find_elements(By.TAG_NAME, "li")]
    # « Ligne 3 : … » / “Line 3: …”: each faulty line of the file, by its number.
    assert [re.match(r"\D*(\d+)", line).group(1) for line in lines] == ["3", "4", "5"], lines
    # Nothing was imported: the basins are still those of the demo file.
    assert not browser_demo.grouping.basins.filter(name="Nulle part").exists()
    web.check_page("basin-import-errors")


def test_accessibility_check_catches_violations(web: Web) -> None:
    """The check above is not a no-op: broken markup makes it fail, listing each problem."""
    web.open(reverse("home"))
    web.driver.execute_script(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/css/site.css"><input type="text"><a href="#"></a>\')'
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(web.driver)
    for rule in ("image-alt", "label", "link-name"):
        assert f"- {rule} " in str(failure.value)
