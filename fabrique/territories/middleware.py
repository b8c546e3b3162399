from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .selectors import territory_for_host


class CurrentTerritoryMiddleware:
    """Sets ``request.territory``: the territory served under this host, or the default one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.territory = SimpleLazyObject(lambda: territory_for_host(request.get_host()))  # type: ignore[attr-defined]  # set for every request here
        return self.get_response(request)
