from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import DateInput
from fabrique.processes.models import Process, Theme
from fabrique.territories.forms import CommuneField

from .models import Contribution, ModerationLog

IMAGE_TYPES = "image/jpeg,image/png,image/webp"
MAX_IMAGE_MB = 5
MAX_ATTACHMENT_MB = 10


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you want to share?"),
        choices=Contribution.Kind.choices,
        widget=forms.RadioSelect,
        initial=Contribution.Kind.IDEA,
    )
    title = forms.CharField(label=_("Title"), max_length=150, help_text=_("In a few words."))
    body = forms.CharField(
        label=_("Your contribution"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("5,000 characters at most."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    commune = CommuneField(
        label=_("Commune concerned"),
        required=False,
        help_text=_("Optional: where your contribution applies."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=8, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    image = forms.ImageField(
        label=_("Image"),
        required=False,
        help_text=_("Optional. JPEG, PNG or WebP, %(max)s MB at most.") % {"max": MAX_IMAGE_MB},
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
    )
    image_alt = forms.CharField(
        label=_("What the image shows"),
        required=False,
        max_length=200,
        help_text=_("For people who cannot see it."),
    )
    attachment = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("Optional. PDF, office document or image, %(max)s MB at most.")
        % {"max": MAX_ATTACHMENT_MB},
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes = self.fields["themes"]
        assert isinstance(themes, forms.ModelMultipleChoiceField)
        themes.queryset = process.themes.all()
        if not process.themes.exists():
            del self.fields["themes"]
        commune = self.fields["commune"]
        assert isinstance(commune, CommuneField)
        commune.set_territory(process.territory)

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_IMAGE_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The image is larger than %(max)s MB.") % {"max": MAX_IMAGE_MB}
            )
        return image

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload and getattr(upload, "size", 0) > MAX_ATTACHMENT_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The document is larger than %(max)s MB.") % {"max": MAX_ATTACHMENT_MB}
            )
        return upload


class CollectedContributionForm(ContributionForm):
    """A contribution typed in by a facilitator for someone met in person."""

    collected_for = forms.CharField(
        label=_("Name given by the person"),
        required=False,
        max_length=100,
        help_text=_("Optional: a first name, or « a resident of … »."),
    )
    collected_place = forms.CharField(
        label=_("Where"), max_length=200, help_text=_("E.g. « Market of Saint-Marcel ».")
    )
    collected_on = forms.DateField(label=_("When"), widget=DateInput())
    consent = forms.BooleanField(
        label=_("The person agreed to their words being published on the platform."),
    )


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Your contribution"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong?"),
        max_length=300,
        help_text=_("Insult, personal data, advertising, off-topic… Moderators will look at it."),
    )


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Contribution.Status.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the contribution is not, or only partly, retained."),
    )
    answer = forms.CharField(
        label=_("Public answer"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (ModerationLog.Action.HIDE, _("Hide")),
            (ModerationLog.Action.RESTORE, _("Restore")),
            (ModerationLog.Action.ACCEPT, _("Accept")),
            (ModerationLog.Action.DISMISS, _("Dismiss the report")),
            (ModerationLog.Action.BLOCK, _("Block the author")),
            (ModerationLog.Action.UNBLOCK, _("Unblock the author")),
        ]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class ParticipationSettingsForm(forms.Form):
    premoderation = forms.BooleanField(
        label=_("Moderate contributions and comments before they are published"), required=False
    )
    edit_window_minutes = forms.IntegerField(
        label=_("Minutes during which authors may edit what they wrote"),
        min_value=0,
        max_value=60 * 24 * 30,
    )
