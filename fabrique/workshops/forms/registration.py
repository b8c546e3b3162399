"""Forms of registrations: registering (visitor, signed-in person, staff), invitations, the
door (walk-ins). The rules are in ``services.registration``; these only read the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

NEEDS_HELP = _(
    "Optional. Step-free access, hearing loop, sign language, childcare, diet… "
    "Only the organisers see it."
)


class RegistrationForm(forms.Form):
    """A visitor gives a name and an address; a signed-in person (``signed_in``) only
    their needs."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We send the link to confirm there, then your registration page."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("This e-mail address is not valid: check it.")},
    )
    needs = forms.CharField(
        label=_("Anything we should know so that you can come?"),
        max_length=500,
        required=False,
        help_text=NEEDS_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    invitation = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        if signed_in:
            del self.fields["name"]
            del self.fields["email"]


class StaffRegistrationForm(forms.Form):
    """Staff register someone who called or came by: no confirmation needed."""

    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        help_text=_(
            "With an address, the person receives their registration page and the reminder."
        ),
        error_messages={"invalid": _("This e-mail address is not valid: check it.")},
    )
    needs = forms.CharField(
        label=_("Needs for coming (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InvitationsForm(forms.Form):
    addresses = forms.CharField(
        label=_("Addresses to invite"),
        # Help texts are shown as HTML: the « <address> » must be escaped (when shown).
        help_text=lazy(escape, str)(
            _(
                "One a line: « Name <address> » or the address alone. You can paste a column "
                "from a spreadsheet or a list of recipients."
            )
        ),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        error_messages={"invalid": _("This e-mail address is not valid: check it.")},
    )
