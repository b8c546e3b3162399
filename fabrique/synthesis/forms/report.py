"""Forms of restitution reports: start one from a version, compose it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.core.forms import RICH_TEXT_HELP, RichTextarea
from fabrique.processes.models import Process
from fabrique.territories.models import BasinGrouping

from ..models import Report, Synthesis, Topic
from .figures import GroupingChoiceField


class VersionChoiceField(forms.ModelChoiceField[Synthesis]):
    def label_from_instance(self, obj: Synthesis) -> str:
        label = _("No. %(number)s of %(date)s (%(count)s contributions)") % {
            "number": obj.number,
            "date": obj.created_at.strftime("%d/%m/%Y"),
            "count": obj.contribution_count,
        }
        return f"{label} — {obj.title}" if obj.title else str(label)


class TopicChoiceField(forms.ModelMultipleChoiceField[Topic]):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.label} ({obj.size})"


class ReportCreateForm(forms.Form):
    synthesis = VersionChoiceField(
        label=_("Version of the topics"),
        queryset=Synthesis.objects.none(),
        empty_label=None,
        help_text=_("The report shows the topics of this version, as staff edited them."),
    )
    title = forms.CharField(
        label=_("Title of the report"),
        max_length=200,
        initial=_("What you told us"),
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["synthesis"]
        assert isinstance(field, VersionChoiceField)
        field.queryset = Synthesis.objects.filter(
            process=process, status=Synthesis.Status.DONE
        ).order_by("-number")


class ReportForm(forms.ModelForm[Report]):
    topics = TopicChoiceField(
        label=_("Topics to include"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Used when « every topic » is unticked; the version's order is kept."),
    )
    grouping = GroupingChoiceField(
        label=_("Grouping of communes"),
        queryset=BasinGrouping.objects.none(),
        required=False,
        empty_label=_("None: communes only"),
        help_text=_("For the figures by basin and the « basin » column of the spreadsheet."),
    )

    class Meta:
        model = Report
        fields = [
            "title",
            "introduction",
            "all_topics",
            "topics",
            "grouping",
            "include_figures",
            "include_representativeness",
            "include_answers",
        ]
        labels = {
            "title": _("Title"),
            "introduction": _("Introduction"),
            "all_topics": _("Every topic of the version, in its order"),
            "include_figures": _("Key figures (participants, contributions, workshops)"),
            "include_representativeness": _("Who took part (representativeness, warnings)"),
            "include_answers": _("Official answers, grouped by status"),
        }
        help_texts = {"introduction": RICH_TEXT_HELP}
        widgets = {"introduction": RichTextarea()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        report = self.instance
        topics = self.fields["topics"]
        assert isinstance(topics, TopicChoiceField)
        topics.queryset = report.synthesis.topics.order_by("position", "pk")
        grouping = self.fields["grouping"]
        assert isinstance(grouping, GroupingChoiceField)
        grouping.queryset = BasinGrouping.objects.filter(territory_id=report.process.territory_id)
