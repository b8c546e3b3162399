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
    """Which contribution of a cluster is kept; all the others are merged into it, except
    those ticked « leave apart ». (Working without JavaScript: changing the one kept leaves
    nothing else to untick.)"""

    target = forms.TypedChoiceField(
        label=_("Contribution kept"), coerce=int, widget=forms.RadioSelect
    )
    apart = forms.TypedMultipleChoiceField(
        label=_("Left apart"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self, *args: Any, members: list[Contribution], default_target: int | None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"target": default_target, "apart": []})
        super().__init__(*args, **kwargs)
        choices = [(c.pk, c.title) for c in members]
        target = self.fields["target"]
        apart = self.fields["apart"]
        assert isinstance(target, forms.TypedChoiceField)
        assert isinstance(apart, forms.TypedMultipleChoiceField)
        target.choices = choices
        apart.choices = choices
        self.members = {c.pk: c for c in members}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target")
        if target is None:
            return data
        left = set(data.get("apart", []))
        data["sources"] = [pk for pk in self.members if pk != target and pk not in left]
        if not data["sources"]:
            raise forms.ValidationError(
                _(
                    "Every other contribution is left apart: there is nothing to merge. "
                    "Dismiss the cluster instead."
                )
            )
        return data

    @property
    def target_contribution(self) -> Contribution:
        return self.members[self.cleaned_data["target"]]

    @property
    def source_contributions(self) -> list[Contribution]:
        return [self.members[pk] for pk in self.cleaned_data["sources"]]
