"""Forms of the topics pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.participation.models import Contribution
from fabrique.processes.models import Phase, Process, Theme


class LaunchForm(forms.Form):
    title = forms.CharField(
        label=_("Title of this version"),
        max_length=200,
        required=False,
        help_text=_("For example: « Synthèse de la concertation de printemps »."),
    )
    phase = forms.ModelChoiceField(label=_("Phase"), queryset=Phase.objects.none(), required=False)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of contribution"),
        choices=[("", _("All kinds")), *Contribution.Kind.choices],
        required=False,
    )
    requested_topics = forms.IntegerField(
        label=_("Number of topics"),
        min_value=2,
        max_value=60,
        required=False,
        help_text=_("Leave empty: the method chooses it. You can merge and split afterwards."),
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase = self.fields["phase"]
        assert isinstance(phase, forms.ModelChoiceField)
        phase.queryset = process.phases.order_by("start_date")
        phase.empty_label = _("All phases")
        theme = self.fields["theme"]
        assert isinstance(theme, forms.ModelChoiceField)
        theme.queryset = process.themes.all()
        theme.empty_label = _("All themes")
