"""The form staff fill in to plan a workshop."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.accounts.models import RoleAssignment, User
from fabrique.accounts.permissions import STAFF_ROLES
from fabrique.core.forms import RichTextarea
from fabrique.processes.models import ParticipationMode, Process

from ..models import Workshop


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def staff_of(process: Process) -> Any:
    """People who may be named facilitators: the territory's staff."""
    return (
        User.objects.filter(
            pk__in=RoleAssignment.objects.filter(
                territory=process.territory, role__in=STAFF_ROLES
            ).values("user_id")
        )
        .filter(is_active=True)
        .order_by("display_name", "email")
    )


class WorkshopForm(forms.ModelForm):
    online_url = forms.URLField(
        label=_("link to join online"),
        required=False,
        assume_scheme="https",
        help_text=Workshop._meta.get_field("online_url").help_text,
    )

    class Meta:
        model = Workshop
        fields = [
            "title",
            "summary",
            "phase",
            "themes",
            "format",
            "starts_at",
            "ends_at",
            "commune",
            "place_name",
            "address",
            "latitude",
            "longitude",
            "online_url",
            "capacity",
            "audience",
            "registration_open",
            "accessibility",
            "facilitators",
            "description",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "description": RichTextarea(attrs={"rows": 6}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
            "facilitators": forms.CheckboxSelectMultiple,
            "format": forms.RadioSelect,
            "audience": forms.RadioSelect,
        }
        help_texts = {
            "phase": _("Only phases that open workshops are offered."),
            "facilitators": _(
                "They run this workshop (registrations, attendance, tables, live) "
                "without other rights on the process."
            ),
        }

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        phase_field = self.fields["phase"]
        assert isinstance(phase_field, forms.ModelChoiceField)
        phase_field.queryset = process.phases.filter(
            modes__mode=ParticipationMode.WORKSHOPS
        ).order_by("start_date")
        if not self.instance.pk and not self.is_bound:
            today = timezone.localdate()
            current = phase_field.queryset.filter(start_date__lte=today, end_date__gte=today)
            self.initial["phase"] = current.first() or phase_field.queryset.first() or None
        themes_field = self.fields["themes"]
        assert isinstance(themes_field, forms.ModelMultipleChoiceField)
        themes_field.queryset = process.themes.all()
        if not themes_field.queryset.exists():
            del self.fields["themes"]
        commune_field = self.fields["commune"]
        assert isinstance(commune_field, forms.ModelChoiceField)
        commune_field.queryset = process.territory.communes.order_by("name")
        facilitators_field = self.fields["facilitators"]
        assert isinstance(facilitators_field, forms.ModelMultipleChoiceField)
        facilitators_field.queryset = staff_of(process)
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs["step"] = "any"

    def _post_clean(self) -> None:
        # The service checks the whole workshop (dates in the phase, place, link).
        pass
