"""Forms of the day itself: tables, seating, capturing contributions, documents, restitution."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from fabrique.accounts.models import User
from fabrique.core.forms import RICH_TEXT_HELP, RichTextarea
from fabrique.participation.models import Contribution
from fabrique.processes.models import Theme
from fabrique.territories.forms import CommuneField

from ..models import Registration, Table, Workshop, WorkshopDocument
from ..models.day import DOCUMENT_EXTENSIONS
from ..selectors.day import table_facilitator_candidates
from ..services.day import MAX_DOCUMENT_MB, MAX_TABLES_AT_ONCE


class FacilitatorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, User)
        return f"{obj.display_name} ({obj.email})" if obj.display_name else obj.email


class TableForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        required=False,
        help_text=_("Optional: what this table works on."),
    )
    facilitator = FacilitatorField(
        label=_("Facilitator"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody yet —"),
        help_text=_(
            "A member of the territory's staff or a facilitator of the workshop. "
            "They type in what is said at the table."
        ),
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facilitator = self.fields["facilitator"]
        assert isinstance(facilitator, forms.ModelChoiceField)
        facilitator.queryset = table_facilitator_candidates(workshop=workshop)


class TablesAtOnceForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of tables"),
        min_value=1,
        max_value=MAX_TABLES_AT_ONCE,
        initial=4,
        help_text=_("Named « Table 1 », « Table 2 »…; rename them afterwards if you wish."),
    )


class SeatingForm(forms.Form):
    """One select per present person: at which table they sit."""

    def __init__(
        self,
        *args: Any,
        participants: list[Registration],
        tables: list[Table],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— no table —")), *((str(t.pk), t.name) for t in tables)]
        self.participants = participants
        for registration in participants:
            self.fields[f"seat_{registration.pk}"] = forms.TypedChoiceField(
                label=registration.name,
                choices=choices,
                required=False,
                coerce=int,
                empty_value=None,
                initial=str(registration.table_id or ""),
            )

    def seating(self) -> dict[int, int | None]:
        return {r.pk: self.cleaned_data.get(f"seat_{r.pk}") for r in self.participants}


class CaptureForm(forms.Form):
    """What a participant said, typed in fast by the table's facilitator."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Contribution.Kind.choices,
        widget=forms.RadioSelect,
        initial=Contribution.Kind.IDEA,
    )
    title = forms.CharField(label=_("Title"), max_length=150, help_text=_("In a few words."))
    body = forms.CharField(
        label=_("What the person said"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
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
        help_text=_("Optional: where it applies."),
    )
    collected_for = forms.CharField(
        label=_("On behalf of"),
        max_length=100,
        required=False,
        help_text=_("Optional: a first name, or leave empty for « a participant »."),
    )
    consent = forms.BooleanField(
        label=_("The person agreed to their words being published on the platform."),
        error_messages={
            "required": _(
                "Ask the person first: their words are published only if they agree. "
                "Then tick this box."
            )
        },
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        process = workshop.process
        themes = self.fields["themes"]
        assert isinstance(themes, forms.ModelMultipleChoiceField)
        themes.queryset = process.themes.all()
        if not themes.queryset.exists():
            del self.fields["themes"]
        commune = self.fields["commune"]
        assert isinstance(commune, CommuneField)
        commune.set_territory(process.territory)
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        self.fields["collected_for"].widget.attrs["autocomplete"] = "off"

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("themes", [])
        return data


class CaptureEditForm(CaptureForm):
    """Correcting a capture: the person's consent was recorded when it was typed in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["consent"]


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Photo (JPEG, PNG, WebP), PDF, text or slides document; %(max)s MB at most.")
        % {"max": MAX_DOCUMENT_MB},
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{e}" for e in DOCUMENT_EXTENSIONS)}
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required for a photo: what it shows, for people who cannot see it "
            "(for example, the ideas written on the board)."
        ),
    )
    table = forms.ModelChoiceField(
        label=_("Table"),
        queryset=Table.objects.none(),
        required=False,
        empty_label=_("The whole workshop"),
    )
    is_public = forms.BooleanField(
        label=_("Show it with the restitution"), required=False, initial=True
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = self.fields["table"]
        assert isinstance(table, forms.ModelChoiceField)
        table.queryset = Table.objects.filter(workshop=workshop)
        if not table.queryset.exists():
            del self.fields["table"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and getattr(upload, "size", 0) > MAX_DOCUMENT_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB.") % {"max": MAX_DOCUMENT_MB}
            )
        return upload


class RestitutionForm(forms.Form):
    restitution = forms.CharField(
        label=_("Restitution"),
        required=False,
        widget=RichTextarea(attrs={"rows": 14}),
        help_text=format_lazy(
            "{} {}", _("What was said and decided, and what happens next."), RICH_TEXT_HELP
        ),
    )


class PublicDocumentsForm(forms.Form):
    public = forms.ModelMultipleChoiceField(
        label=_("Documents shown with the restitution"),
        queryset=WorkshopDocument.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, workshop: Workshop, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        public = self.fields["public"]
        assert isinstance(public, forms.ModelMultipleChoiceField)
        public.queryset = WorkshopDocument.objects.filter(workshop=workshop)
        self.initial["public"] = list(
            public.queryset.filter(is_public=True).values_list("pk", flat=True)
        )
