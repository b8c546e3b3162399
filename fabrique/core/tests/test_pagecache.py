import threading
import time

from django.core.cache import cache

from fabrique.core import pagecache


def test_a_page_being_built_is_awaited_rather_than_built_again() -> None:
    assert pagecache.cached_or_claim("page-x") is None  # first: this request builds it
    threading.Timer(0.1, lambda: pagecache.store("page-x", b"<html>built</html>")).start()

    assert pagecache.cached_or_claim("page-x") == b"<html>built</html>"  # second: waited


def test_an_old_page_is_rebuilt_by_one_request_while_the_others_get_the_old_copy() -> None:
    cache.set("page-y", (time.time() - pagecache.FRESH_SECONDS - 1, b"old"))

    assert pagecache.cached_or_claim("page-y") is None  # this one rebuilds it
    assert pagecache.cached_or_claim("page-y") == b"old"  # the others do not wait
    pagecache.store("page-y", b"new")
    assert pagecache.cached_or_claim("page-y") == b"new"


def test_a_fresh_page_is_served_as_is() -> None:
    pagecache.store("page-z", b"fresh")

    assert pagecache.cached_or_claim("page-z") == b"fresh"
    assert cache.get("page-z:building") is None
