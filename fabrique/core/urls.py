from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """An address that works outside the site (e-mails, feeds): SITE_URL + path."""
    return settings.SITE_URL.rstrip("/") + path
