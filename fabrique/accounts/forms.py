from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fabrique.territories.forms import CommuneField
from fabrique.territories.models import Territory

from .models import ActorKind, AgeBand, EmailNotifications, Gender, Role, User


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown next to what you write. A first name or a pseudonym is enough."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The display name comes first, like on a paper form.
        self.order_fields(["display_name", "email", "password1", "password2"])

    def save(self, request: HttpRequest) -> User:
        user: User = super().save(request)
        return user


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=User._meta.get_field("display_name").help_text,
    )
    commune = CommuneField(
        label=_("Commune of residence"),
        required=False,
        help_text=User._meta.get_field("commune").help_text,
    )
    actor_kind = forms.ChoiceField(
        label=_("You take part as"),
        required=False,
        choices=[("", _("I prefer not to say")), *ActorKind.choices],
        help_text=User._meta.get_field("actor_kind").help_text,
    )
    age_band = forms.ChoiceField(
        label=_("Age band"),
        required=False,
        choices=[("", _("I prefer not to say")), *AgeBand.choices],
        help_text=User._meta.get_field("age_band").help_text,
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("I prefer not to say")), *Gender.choices],
        help_text=User._meta.get_field("gender").help_text,
    )

    email_notifications = forms.ChoiceField(
        label=User._meta.get_field("email_notifications").verbose_name,
        choices=EmailNotifications.choices,
        help_text=User._meta.get_field("email_notifications").help_text,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, territory: Territory | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commune"]
        assert isinstance(field, CommuneField)
        field.set_territory(territory)


class RoleGrantForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person"),
        help_text=_("The person must already have an account."),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.value, r.label) for r in roles]

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("No account uses %(email)s. Ask the person to sign up first."),
                params={"email": email},
            )
        return user


class AccountDeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account and my personal data will be erased for good."),
    )
