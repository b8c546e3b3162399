from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _


class LanguageMiddleware:
    """French unless the person chose another language with the switch.

    The browser's own preference is not followed: a French public service speaks French
    first, and the language switch in the header sets the cookie that changes it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class SingleSubmissionMiddleware:
    """A form carrying a one-time token (``{% form_token %}``) is processed once.

    The second sending of the same form — a double click, a reload, the back button — goes
    back to the page with a message instead of creating the same thing twice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get("form_token", "") if request.method == "POST" else ""
        if token and not cache.add(f"form-token:{token[:64]}", 1, timeout=6 * 3600):
            messages.info(request, _("This form had already been sent; it was taken once."))
            return redirect(request.path)
        return self.get_response(request)
