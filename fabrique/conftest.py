from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Test accounts need no slow hashing: the real hasher takes a second per account."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Browser tests (helpers in fabrique/core/tests/browser.py) ---------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run, quit at the end."""
    from fabrique.core.tests import browser as helpers

    if not helpers.browser_available():
        pytest.skip("Chromium and chromedriver are not installed (make install-test).")
    driver = helpers.make_driver()
    yield driver
    helpers.quit_driver(driver)


@pytest.fixture
def web(browser: Any, live_server: Any, transactional_db: None) -> Any:
    """The shared browser, without cookies, at desktop size, pointed at the live server.

    In-memory caches are emptied too: allauth's rate limits (one confirmation e-mail per
    address every few minutes...) must not leak from one test into the next.
    """
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from fabrique.core.tests import browser as helpers

    for cache in caches.all():
        if isinstance(cache, LocMemCache):
            cache.clear()
    helpers.reset_driver(browser)
    return helpers.Web(driver=browser, base_url=live_server.url)


@pytest.fixture
def browser_demo(transactional_db: None) -> Any:
    """Grand Chalon with its life basins, a platform admin, a territory admin, an inhabitant."""
    from fabrique.core.tests.browser import load_browser_demo

    return load_browser_demo()
