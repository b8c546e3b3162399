"""Forms of the figures pages: what to cross, and the population shares staff enter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.processes.models import Process
from fabrique.territories.models import BasinGrouping

from ..models import ReferenceShare, Synthesis
from ..selectors.figures import Dimension


class GroupingChoiceField(forms.ModelChoiceField[BasinGrouping]):
    def label_from_instance(self, obj: BasinGrouping) -> str:
        return obj.name


class WhoSaysWhatForm(forms.Form):
    """Read from the address: the page can be bookmarked and shared among staff."""

    version = forms.TypedChoiceField(label=_("Version of the topics"), coerce=int)
    dimension = forms.ChoiceField(
        label=_("Cross the topics with"), choices=Dimension.choices, initial=Dimension.COMMUNE
    )
    grouping = GroupingChoiceField(
        label=_("Grouping of communes"),
        queryset=BasinGrouping.objects.none(),
        required=False,
        empty_label=None,
        help_text=_("For the basins."),
    )

    def __init__(
        self, *args: Any, process: Process, versions: list[Synthesis], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        version = self.fields["version"]
        assert isinstance(version, forms.TypedChoiceField)
        version.choices = [
            (
                v.number,
                _("No. %(number)s of %(date)s (%(count)s contributions)")
                % {
                    "number": v.number,
                    "date": v.created_at.strftime("%d/%m/%Y"),
                    "count": v.contribution_count,
                },
            )
            for v in versions
        ]
        grouping = self.fields["grouping"]
        assert isinstance(grouping, GroupingChoiceField)
        grouping.queryset = BasinGrouping.objects.filter(territory=process.territory)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("dimension") == Dimension.BASIN and not data.get("grouping"):
            self.add_error(
                "grouping",
                _("This territory has no grouping of communes yet: define its basins first."),
            )
        return data


class RepresentativenessForm(forms.Form):
    grouping = GroupingChoiceField(
        label=_("Grouping of communes"),
        queryset=BasinGrouping.objects.none(),
        required=False,
        empty_label=None,
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grouping = self.fields["grouping"]
        assert isinstance(grouping, GroupingChoiceField)
        grouping.queryset = BasinGrouping.objects.filter(territory=process.territory)


class ReferenceSharesForm(forms.Form):
    SCOPE_PROCESS = "process"
    SCOPE_TERRITORY = "territory"

    attribute = forms.ChoiceField(
        label=_("Characteristic"),
        choices=ReferenceShare.Attribute.choices,
        widget=forms.HiddenInput,
    )
    shares = forms.CharField(
        label=_("Shares of the population"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One line per value: the value, a semicolon, its share in %. "
            "The shares must add up to 100 (give or take one point)."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("E.g. « INSEE, recensement 2021, population de 15 ans ou plus »."),
    )
    scope = forms.ChoiceField(
        label=_("For"),
        choices=[
            (SCOPE_PROCESS, _("this process only")),
            (SCOPE_TERRITORY, _("every process of the territory")),
        ],
        initial=SCOPE_TERRITORY,
        widget=forms.RadioSelect,
    )
