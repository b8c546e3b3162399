"""French first; English when the person chooses it."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_are_in_french_whatever_the_browser_prefers(client) -> None:
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_the_language_switch_changes_the_language(client) -> None:
    switch = client.get(reverse("language", args=["en"]), {"next": "/"})
    response = client.get(reverse("home"))

    assert switch.status_code == 302
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_french(client, settings) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"

    response = client.get(reverse("home"))

    assert response["Content-Language"] == "fr"


def test_the_language_switch_never_leaves_the_site(client) -> None:
    response = client.get(reverse("language", args=["en"]), {"next": "https://ailleurs.example/"})

    assert response["Location"] == "/"


def test_an_unknown_language_is_not_found(client) -> None:
    assert client.get(reverse("language", args=["de"])).status_code == 404
