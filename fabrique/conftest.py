from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Test accounts need no slow hashing: the real hasher takes a second per account."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database, as pytest-django sets it up; at the end, before it is dropped,
    end the PostgreSQL sessions that threads of servers run by tests (live pages, websockets)
    opened and nothing closed: they would keep the database from being dropped."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


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
