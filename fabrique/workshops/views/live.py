from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern

from fabrique.workshops.models import Workshop

urlpatterns: list[URLPattern] = []


def detail_context(request: HttpRequest, workshop: Workshop) -> dict[str, Any]:
    """What the public workshop page needs from this part (its block template uses it)."""
    return {}
