from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import RICH_TEXT_HELP, DateInput, RichTextarea

from .models import (
    BodyMember,
    GovernanceBody,
    Meeting,
    ParticipationMode,
    Phase,
    Process,
    Resource,
    Spotlight,
    Theme,
)


class ProcessForm(forms.ModelForm):
    class Meta:
        model = Process
        fields = [
            "title",
            "summary",
            "presentation",
            "start_date",
            "end_date",
            "cover",
            "cover_alt",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "presentation": RichTextarea(),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        presentation = self.fields["presentation"]
        presentation.help_text = format_lazy("{} {}", presentation.help_text, RICH_TEXT_HELP)
        self.fields["cover"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean_cover(self) -> Any:
        cover = self.cleaned_data.get("cover")
        if cover and hasattr(cover, "size") and cover.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The image is larger than 5 MB."))
        return cover

    def _post_clean(self) -> None:
        # The service checks the whole process and says what is wrong on the field at fault;
        # the instance shown in the page header stays as saved until then.
        pass


class PhaseForm(forms.ModelForm):
    modes = forms.MultipleChoiceField(
        label=_("What this phase opens"),
        choices=ParticipationMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The ways of taking part that are open during this phase."),
    )

    class Meta:
        model = Phase
        fields = ["kind", "custom_kind", "title", "description", "start_date", "end_date"]
        widgets = {
            "description": RichTextarea(attrs={"rows": 4}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["modes"] = self.instance.mode_values

    def _post_clean(self) -> None:
        # The service validates the whole phase (dates, overlaps); skip the model's own pass.
        pass


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["title", "description", "colour"]
        widgets = {
            "description": RichTextarea(attrs={"rows": 4}),
            "colour": forms.TextInput(attrs={"type": "color"}),
        }

    def _post_clean(self) -> None:
        pass


class ResourceForm(forms.ModelForm):
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https")

    class Meta:
        model = Resource
        fields = ["kind", "title", "url", "file", "description", "theme"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme_field = self.fields["theme"]
        assert isinstance(theme_field, forms.ModelChoiceField)
        theme_field.queryset = process.themes.all()
        theme_field.empty_label = _("The whole process")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "size") and upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

    def _post_clean(self) -> None:
        pass


class SpotlightForm(forms.ModelForm):
    class Meta:
        model = Spotlight
        fields = ["title", "description", "start_date", "end_date"]
        widgets = {
            "description": RichTextarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def _post_clean(self) -> None:
        pass


class BodyForm(forms.ModelForm):
    class Meta:
        model = GovernanceBody
        fields = ["kind", "name", "theme", "mandate", "is_public"]
        widgets = {"mandate": RichTextarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme_field = self.fields["theme"]
        assert isinstance(theme_field, forms.ModelChoiceField)
        theme_field.queryset = process.themes.all()

    def _post_clean(self) -> None:
        pass


class MemberForm(forms.ModelForm):
    email = forms.EmailField(
        label=_("E-mail of their account (optional)"),
        required=False,
        help_text=_("Link the member to their account; leave empty for someone without one."),
    )

    class Meta:
        model = BodyMember
        fields = ["name", "role", "organisation"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False

    def clean_email(self) -> Any:
        from fabrique.accounts.models import User

        email = (self.cleaned_data.get("email") or "").strip()
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(
                _("No account uses %(email)s. Leave the field empty to add the person by name."),
                params={"email": email},
            )
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name") and not data.get("email"):
            self.add_error("name", _("Give the member's name, or the e-mail of their account."))
        return data

    def _post_clean(self) -> None:
        pass


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["date", "title", "minutes", "minutes_published"]
        widgets = {"date": DateInput(), "minutes": RichTextarea(attrs={"rows": 6})}

    def _post_clean(self) -> None:
        pass


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=RichTextarea(), help_text=RICH_TEXT_HELP)
    send_email = forms.BooleanField(
        label=_("Also send it by e-mail to the people who follow the process"), required=False
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Process.Status.choices)
