from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .permissions import backoffice_territories, is_platform_admin


def backoffice(request: HttpRequest) -> dict[str, Any]:
    """Whether to show the back-office link: only to people who hold a role somewhere."""
    user = request.user
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: (
                user.notifications.filter(read_at__isnull=True).count()
                if user.is_authenticated
                else 0
            )
        ),
        "shows_backoffice": SimpleLazyObject(
            lambda: (
                user.is_authenticated
                and (is_platform_admin(user) or backoffice_territories(user).exists())
            )
        ),
    }
