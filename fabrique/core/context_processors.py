from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "territory": getattr(request, "territory", None),
        "site_name": "Fabrique",
        "debug": settings.DEBUG,
        "map_tiles": settings.MAP_TILES_URL,
    }
