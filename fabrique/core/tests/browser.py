"""Helpers for the browser tests: a headless Chromium, an accessibility check, screenshots.

Not collected as tests (the file name does not start with ``test_``).
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from fabrique.accounts.models import Role, User
from fabrique.accounts.services import role_grant
from fabrique.territories.models import Basin, BasinGrouping, Territory
from fabrique.territories.services import basins_import_csv, territory_import

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DESKTOP_WIDTH = 1280
PHONE_WIDTH = 360
VIEWPORT_HEIGHT = 900
# A very long page (the commune table of a big EPCI) is cut there in screenshots.
MAX_SCREENSHOT_HEIGHT = 8000

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def make_driver() -> WebDriver:
    """A headless Chromium that talks to nothing but the test server.

    It keeps Chromium's own language preference (English): the platform must answer in
    French whatever the browser asks for. The temporary profile directory is removed by
    :func:`quit_driver`.
    """
    # Selenium Manager must never try to download a browser or a driver.
    os.environ["SE_OFFLINE"] = "true"
    profile_dir = tempfile.mkdtemp(prefix="fabrique-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={DESKTOP_WIDTH},{VIEWPORT_HEIGHT}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    driver._fabrique_profile_dir = profile_dir  # type: ignore[attr-defined]
    return driver


def quit_driver(driver: WebDriver) -> None:
    profile_dir = getattr(driver, "_fabrique_profile_dir", None)
    try:
        driver.quit()
    finally:
        if profile_dir:
            shutil.rmtree(profile_dir, ignore_errors=True)


def reset_driver(driver: WebDriver) -> None:
    """Forget every cookie and go back to the desktop viewport, between two tests."""
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# --- Accessibility ----------------------------------------------------------------------

_AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
  .then(function (results) {
    done({violations: results.violations.map(function (v) {
      return {
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map(function (n) {
          return {target: n.target, html: n.html, summary: n.failureSummary};
        })
      };
    })});
  })
  .catch(function (error) { done({error: String(error)}); });
"""


def _axe_source() -> str:
    path = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_text(encoding="utf-8")


def axe_violations(driver: WebDriver) -> list[dict[str, Any]]:
    """Run axe-core on the current page against WCAG 2.1 A and AA; return the violations."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(_axe_source())
    result = driver.execute_async_script(_AXE_RUN, WCAG_TAGS)
    if "error" in result:
        raise AssertionError(f"axe-core failed on {driver.current_url}: {result['error']}")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
    return "\n".join(lines)


def assert_accessible(driver: WebDriver) -> None:
    """Fail with every WCAG 2.1 A/AA violation axe-core finds on the current page."""
    violations = axe_violations(driver)
    if violations:
        raise AssertionError(
            f"{len(violations)} accessibility violation(s) on {driver.current_url}:\n"
            + format_violations(violations)
        )


# --- Screenshots ------------------------------------------------------------------------


def screenshot_dir() -> Path:
    folder = Path(settings.BASE_DIR) / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(driver: WebDriver, name: str, *, width: int = DESKTOP_WIDTH) -> Path:
    """Save the whole page, as laid out ``width`` CSS pixels wide, to var/screenshots/<name>.png."""
    mobile = width < 768
    metrics = {"width": width, "height": VIEWPORT_HEIGHT, "deviceScaleFactor": 1, "mobile": mobile}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    height = driver.execute_script(
        "return Math.ceil(Math.max(document.documentElement.scrollHeight,"
        " document.body ? document.body.scrollHeight : 0))"
    )
    clip = {
        "x": 0,
        "y": 0,
        "width": width,
        "height": max(VIEWPORT_HEIGHT, min(int(height), MAX_SCREENSHOT_HEIGHT)),
        "scale": 1,
    }
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}
    )
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path = screenshot_dir() / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def save_screenshots(driver: WebDriver, name: str) -> list[Path]:
    """Save <name>-desktop.png (1280 px wide) and <name>-phone.png (360 px wide)."""
    return [
        save_screenshot(driver, f"{name}-desktop", width=DESKTOP_WIDTH),
        save_screenshot(driver, f"{name}-phone", width=PHONE_WIDTH),
    ]


# --- Data and log-in --------------------------------------------------------------------

DEMO_CSV = Path(settings.BASE_DIR) / "fabrique" / "demo" / "data" / "grand_chalon_basins.csv"
GRAND_CHALON = "247100589"
PASSWORD = "un-mot-de-passe-solide-42"


@dataclass
class BrowserDemo:
    """What the demo loader sets up, cut down to one territory and the roles pages need."""

    territory: Territory
    grouping: BasinGrouping
    basin: Basin
    platform_admin: User
    territory_admin: User
    inhabitant: User


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Hashing is slow on purpose; the demo people all share one password, hashed once.
    return make_password(PASSWORD)


def _person(email: str, name: str) -> User:
    user = User.objects.create(email=email, password=_password_hash(), display_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def load_browser_demo() -> BrowserDemo:
    territory = territory_import(code=GRAND_CHALON).territory
    grouping = BasinGrouping.objects.create(
        territory=territory,
        name="Bassins de vie",
        description="Les six bassins de vie du projet de territoire.",
    )
    report = basins_import_csv(grouping=grouping, content=DEMO_CSV.read_bytes())
    assert report.ok, report.errors
    platform_admin = _person("admin@fabrique.demo", "Camille Operateur")
    platform_admin.is_staff = platform_admin.is_superuser = True
    platform_admin.save()
    role_grant(user=platform_admin, role=Role.PLATFORM_ADMIN, territory=None, granted_by=None)
    territory_admin = _person("agent@grandchalon.demo", "Claire Agent")
    role_grant(
        user=territory_admin, role=Role.TERRITORY_ADMIN, territory=territory, granted_by=None
    )
    inhabitant = _person("habitant@grandchalon.demo", "Hugo Habitant")
    return BrowserDemo(
        territory=territory,
        grouping=grouping,
        basin=grouping.basins.order_by("position").first(),  # type: ignore[arg-type]
        platform_admin=platform_admin,
        territory_admin=territory_admin,
        inhabitant=inhabitant,
    )


def log_in_with_cookie(driver: WebDriver, base_url: str, user: User) -> None:
    """Open a session for ``user`` in the browser without going through the log-in form."""
    client = Client()
    client.force_login(user)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    # A cookie can only be set for the site the browser is on: open its cheapest page.
    driver.get(f"{base_url}{settings.STATIC_URL}css/site.css")
    driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session_key, "path": "/"})


@dataclass
class Web:
    """The browser and the address of the live server, with the moves every test makes."""

    driver: WebDriver
    base_url: str

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def open(self, path: str) -> WebDriver:
        self.driver.get(self.url(path))
        return self.driver

    def log_in(self, user: User) -> None:
        log_in_with_cookie(self.driver, self.base_url, user)

    @property
    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    def h1(self) -> str:
        headings = self.driver.find_elements(By.TAG_NAME, "h1")
        assert len(headings) == 1, f"{len(headings)} h1 on {self.driver.current_url}"
        return " ".join(headings[0].text.split())

    def fill(self, name: str, value: str) -> None:
        field = self.driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)

    def submit(
        self,
        form_selector: str = "main form",
        button_selector: str = "button[type=submit], input[type=submit]",
    ) -> None:
        """Click a submit button of a form (its first unless told) and wait for the next
        page."""
        form = self.driver.find_element(By.CSS_SELECTOR, form_selector)
        button = form.find_element(By.CSS_SELECTOR, button_selector)
        # A mark on the page being left: it is gone once the next page is there. (Waiting
        # for the button to go stale is flaky: during the navigation chromedriver may
        # answer with an "unknown error" instead.)
        self.driver.execute_script("window.__fabriqueLeaving = true")
        button.click()
        WebDriverWait(self.driver, 10, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script(
                "return !window.__fabriqueLeaving && document.readyState === 'complete'"
            )
        )

    def wait_for(self, condition: Any, timeout: float = 10) -> Any:
        """Wait until ``condition(driver)`` is truthy (an htmx swap, say) and return it."""
        return WebDriverWait(self.driver, timeout, ignored_exceptions=(WebDriverException,)).until(
            condition
        )

    def check_page(self, name: str) -> None:
        """Accessibility check, then the desktop and phone screenshots."""
        assert_accessible(self.driver)
        save_screenshots(self.driver, name)
