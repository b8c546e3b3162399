"""Signing up, confirming the e-mail address, logging in and out, resetting the password:
the way a person does it, in a real browser, with the e-mails the platform sends."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse
from selenium.webdriver.common.by import By

from fabrique.accounts.models import User
from fabrique.core.tests.browser import Web

pytestmark = pytest.mark.browser

NAME = "Zoé Participante"
EMAIL = "zoe.participante@exemple.fr"
PASSWORD = "des-tomates-sur-le-balcon-71"
NEW_PASSWORD = "un-verger-partage-a-givry-71"


def _link(message: EmailMessage, path_start: str) -> str:
    body = str(message.body)
    match = re.search(rf"https?://\S+{re.escape(path_start)}\S+", body)
    assert match, f"no link to {path_start} in:\n{body}"
    return match.group(0)


def _logged_in(web: Web) -> bool:
    logout = web.driver.find_elements(By.CSS_SELECTOR, f"a[href='{reverse('account_logout')}']")
    login = web.driver.find_elements(By.CSS_SELECTOR, f"a[href='{reverse('account_login')}']")
    assert bool(logout) != bool(login), "the header shows both or neither log-in and log-out"
    return bool(logout)


def _sign_up(web: Web, *, password2: str = PASSWORD) -> None:
    web.open(reverse("account_signup"))
    web.fill("display_name", NAME)
    web.fill("email", EMAIL)
    web.fill("password1", PASSWORD)
    web.fill("password2", password2)
    web.submit()


def _log_in(web: Web, email: str, password: str) -> None:
    web.open(reverse("account_login"))
    web.fill("login", email)
    web.fill("password", password)
    web.submit()


class _Clock:
    """``time`` as seen by django.core.signing, ``offset`` later than it really is."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset.total_seconds()

    def time(self) -> float:
        return time.time() + self.offset


def test_sign_up_confirm_log_out_and_in(web: Web, mailoutbox: list[EmailMessage]) -> None:
    _sign_up(web)
    assert web.path == reverse("account_email_verification_sent")
    assert not _logged_in(web)
    web.check_page("walk-verification-sent")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]
    link = _link(mailoutbox[0], "/compte/confirm-email/")
    assert link.startswith(web.base_url)

    web.driver.get(link)
    assert web.driver.find_elements(By.CSS_SELECTOR, "main form button[type=submit]")
    web.check_page("walk-email-confirm")
    web.submit()

    assert web.path == reverse("home")
    assert _logged_in(web)
    user = User.objects.get(email=EMAIL)
    assert user.display_name == NAME
    assert EmailAddress.objects.get(user=user, email=EMAIL).verified

    # Log out through the header link, then the confirmation page.
    web.driver.find_element(By.CSS_SELECTOR, f"a[href='{reverse('account_logout')}']").click()
    assert web.path == reverse("account_logout")
    web.submit()
    assert not _logged_in(web)

    _log_in(web, EMAIL, PASSWORD)
    assert _logged_in(web)
    web.open(reverse("accounts:profile"))
    assert web.driver.find_element(By.NAME, "display_name").get_attribute("value") == NAME


def test_password_reset(web: Web, mailoutbox: list[EmailMessage]) -> None:
    user = User.objects.create_user(EMAIL, PASSWORD, display_name=NAME)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)

    web.open(reverse("account_reset_password"))
    web.fill("email", EMAIL)
    web.submit()
    assert web.path == reverse("account_reset_password_done")

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [EMAIL]
    web.driver.get(_link(mailoutbox[0], "/compte/password/reset/key/"))
    # allauth moves the key out of the address before showing the form.
    assert web.path.endswith("-set-password/")
    web.check_page("walk-password-reset-from-key")
    web.fill("password1", NEW_PASSWORD)
    web.fill("password2", NEW_PASSWORD)
    web.submit()
    assert web.path == reverse("account_reset_password_from_key_done")
    web.check_page("walk-password-reset-from-key-done")

    _log_in(web, EMAIL, PASSWORD)
    assert not _logged_in(web), "the old password still works"
    _log_in(web, EMAIL, NEW_PASSWORD)
    assert _logged_in(web)


def test_expired_confirmation_link_says_so(
    web: Web, mailoutbox: list[EmailMessage], settings
) -> None:
    _sign_up(web)
    link = _link(mailoutbox[0], "/compte/confirm-email/")
    days = settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS

    # The link is signed with the time it was sent: open it as if days had passed.
    with mock.patch.object(signing, "time", _Clock(timedelta(days=days) - timedelta(hours=1))):
        web.driver.get(link)
        assert web.driver.find_elements(By.CSS_SELECTOR, "main form button[type=submit]")
    with mock.patch.object(signing, "time", _Clock(timedelta(days=days, hours=1))):
        web.driver.get(link)

    assert not web.driver.find_elements(By.CSS_SELECTOR, "main form")
    text = web.driver.find_element(By.TAG_NAME, "main").text
    assert "expir" in text.lower()  # « expiré » or “expired”
    # It says how to get a new link.
    assert web.driver.find_elements(By.CSS_SELECTOR, f"main a[href='{reverse('account_email')}']")
    web.check_page("walk-email-confirm-expired")
    assert not EmailAddress.objects.get(email=EMAIL).verified


def test_signup_errors_keep_what_was_typed(web: Web, mailoutbox: list[EmailMessage]) -> None:
    _sign_up(web, password2="un-autre-mot-de-passe")

    assert web.path == reverse("account_signup")
    value = {
        name: web.driver.find_element(By.NAME, name).get_attribute("value")
        for name in ("display_name", "email")
    }
    assert value == {"display_name": NAME, "email": EMAIL}
    password2 = web.driver.find_element(By.NAME, "password2")
    assert password2.get_attribute("aria-invalid") == "true"
    assert web.driver.find_elements(By.CSS_SELECTOR, "main .errorlist li")
    web.check_page("walk-signup-errors")
    assert not User.objects.filter(email=EMAIL).exists()
    assert mailoutbox == []
