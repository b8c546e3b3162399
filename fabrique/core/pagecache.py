"""Pages cached whole for visitors, rebuilt by one request at a time.

A page missing from the cache is built by the first request that asks for it; the others
asking at the same moment wait for it a little instead of all building it together. A page
older than ``FRESH_SECONDS`` is rebuilt by one request while the others keep getting the
previous copy: a busy page never makes a crowd wait. Callers put in the key whatever
changes the page (a version number bumped on every change, the language, the query).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import cache

FRESH_SECONDS = 60
KEEP_SECONDS = 3600
BUILD_WAIT_SECONDS = 2.0
BUILD_CLAIM_SECONDS = 10


def cached_or_claim(key: str) -> bytes | None:
    """The cached page, or None when this request is the one that must build it (then
    it calls ``store`` when done)."""
    entry: tuple[float, bytes] | None = cache.get(key)
    if entry is not None:
        built_at, content = entry
        if time.time() - built_at < FRESH_SECONDS or not _claim(key):
            return content  # fresh, or being rebuilt by another request meanwhile
        return None
    if _claim(key):
        return None
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        entry = cache.get(key)
        if entry is not None:
            return entry[1]
    return None  # the builder is slow or gone: build it here too


def store(key: str, content: bytes) -> None:
    cache.set(key, (time.time(), content), KEEP_SECONDS)
    cache.delete(f"{key}:building")


def _claim(key: str) -> bool:
    return bool(cache.add(f"{key}:building", 1, timeout=BUILD_CLAIM_SECONDS))


def get_or_build(key: str, build: Callable[[], bytes]) -> bytes:
    """The cached content under ``key``, built (once, see above) when missing or old."""
    content = cached_or_claim(key)
    if content is None:
        content = build()
        store(key, content)
    return content
