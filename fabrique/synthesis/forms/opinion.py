"""Forms of the opinion maps: staff set them up, participants answer and propose."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.participation.models import Contribution
from fabrique.processes.models import Process

from ..models.opinion import STATEMENT_MAX_LENGTH, OpinionActivity


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class OpinionActivityForm(forms.ModelForm):
    class Meta:
        model = OpinionActivity
        fields = ["title", "introduction", "opens_at", "closes_at", "allow_participant_statements"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
        }


class StatementLinesForm(forms.Form):
    lines = forms.CharField(
        label=_("Statements, one per line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=100_000,
        help_text=_(
            "Short sentences that people can agree or disagree with, %(max)d characters at "
            "most each. For example: « Le centre-ville devrait être réservé aux piétons le "
            "samedi. »"
        )
        % {"max": STATEMENT_MAX_LENGTH},
    )


class StatementTextForm(forms.Form):
    text = forms.CharField(
        label=_("Statement"),
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}),
    )


class ProposeForm(forms.Form):
    text = forms.CharField(
        label=_("Your statement"),
        max_length=STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": STATEMENT_MAX_LENGTH}),
        help_text=_(
            "One short sentence that others can agree or disagree with (%(max)d characters at "
            "most). It is put to the vote once a moderator has read it."
        )
        % {"max": STATEMENT_MAX_LENGTH},
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ComputationForm(forms.Form):
    min_votes = forms.IntegerField(
        label=_("Answers needed to be placed on the map"),
        min_value=1,
        max_value=1000,
        initial=7,
        help_text=_(
            "People who answered fewer statements are left out of the groups: too little is "
            "known of their opinions."
        ),
    )
    max_groups = forms.IntegerField(
        label=_("Largest number of groups"),
        min_value=2,
        max_value=10,
        initial=5,
        help_text=_("The method chooses the number of groups up to this one."),
    )


class ContributionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of contribution"),
        choices=[("", _("All kinds")), *Contribution.Kind.choices],
        required=False,
    )
    theme = forms.TypedChoiceField(
        label=_("Theme"), choices=[], required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = self.fields["theme"]
        assert isinstance(theme, forms.TypedChoiceField)
        theme.choices = [("", _("All themes")), *process.themes.values_list("pk", "title")]
