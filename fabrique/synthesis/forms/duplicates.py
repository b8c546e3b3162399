"""Forms of the near-duplicates page: launching a search, merging a cluster."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.participation.models import Contribution

from ..services.duplicates import DEFAULT_SENSITIVITY, THRESHOLDS


class ScanForm(forms.Form):
    sensitivity = forms.ChoiceField(
        label=_("How close must contributions be?"),
        choices=[
            ("strict", _("Almost the same words (few clusters, nearly all true duplicates)")),
            ("usual", _("Much the same words (recommended)")),
            ("broad", _("Close words (more clusters, to check one by one)")),
        ],
        initial=DEFAULT_SENSITIVITY,
        widget=forms.RadioSelect,
    )

    @property
    def threshold(self) -> float:
        return THRESHOLDS[self.cleaned_data["sensitivity"]]


class MergeForm(forms.Form):
    """Which contribution of a cluster is kept, and which are merged into it."""

    target = forms.TypedChoiceField(
        label=_("Contribution kept"), coerce=int, widget=forms.RadioSelect
    )
    sources = forms.TypedMultipleChoiceField(
        label=_("Merged into it"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, members: list[Contribution], default_target: int | None, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "target": default_target,
                "sources": [c.pk for c in members if c.pk != default_target],
            },
        )
        super().__init__(*args, **kwargs)
        choices = [(c.pk, c.title) for c in members]
        target = self.fields["target"]
        sources = self.fields["sources"]
        assert isinstance(target, forms.TypedChoiceField)
        assert isinstance(sources, forms.TypedMultipleChoiceField)
        target.choices = choices
        sources.choices = choices
        self.members = {c.pk: c for c in members}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target")
        # The kept one may stay ticked among the others: it is simply not merged into itself.
        chosen = [pk for pk in data.get("sources", []) if pk != target]
        if target is not None and not chosen:
            raise forms.ValidationError(
                _("Tick at least one contribution to merge into the one kept.")
            )
        data["sources"] = chosen
        return data

    @property
    def target_contribution(self) -> Contribution:
        return self.members[self.cleaned_data["target"]]

    @property
    def source_contributions(self) -> list[Contribution]:
        return [self.members[pk] for pk in self.cleaned_data["sources"]]
