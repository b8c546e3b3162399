from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Basin, BasinGrouping, Commune, Territory
from .selectors import COMMUNE_MESSAGES, find_commune


class CommuneInput(forms.TextInput):
    """A text input with the territory's communes as suggestions (a native datalist)."""

    template_name = "territories/widgets/commune_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.communes: list[Commune] = []

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        if isinstance(value, Commune):
            value = str(value)
        attrs = attrs or {}
        attrs = {**attrs, "list": f"{attrs.get('id', name)}-options"}
        context = super().get_context(name, value, attrs)
        context["widget"]["communes"] = self.communes
        return context


class CommuneField(forms.Field):
    """A commune typed by name or INSEE code, among the communes of one territory."""

    widget = CommuneInput
    default_error_messages = dict(COMMUNE_MESSAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.territory: Territory | None = None
        self.queryset: QuerySet[Commune] = Commune.objects.none()

    def set_territory(self, territory: Territory | None) -> None:
        self.territory = territory
        self.queryset = territory.communes.order_by("name") if territory else Commune.objects.none()
        assert isinstance(self.widget, CommuneInput)
        self.widget.communes = list(self.queryset)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Commune):
            return str(value)
        return value

    def to_python(self, value: Any) -> Commune | None:
        if isinstance(value, Commune):
            return value
        text = (value or "").strip()
        if not text:
            return None
        return find_commune(
            self.queryset,
            text,
            territory_name=self.territory.name if self.territory else "",
            messages=self.error_messages,
        )


class GroupingForm(forms.ModelForm):
    class Meta:
        model = BasinGrouping
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class BasinForm(forms.Form):
    name = forms.CharField(label=_("Name of the basin"), max_length=120)
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes"),
        queryset=Commune.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A commune can be in only one basin of this grouping."),
    )

    def __init__(
        self, *args: Any, grouping: BasinGrouping, basin: Basin | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.grouping = grouping
        field = self.fields["communes"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = grouping.territory.communes.order_by("name")


class BasinImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "One line per commune: INSEE code, name of the basin, and optionally a note. "
            "Separator: semicolon or comma. "
            "The import replaces the current basins of this grouping."
        ),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        content: bytes = upload.read()
        return content


class AppearanceForm(forms.Form):
    primary_color = forms.CharField(
        label=_("Main colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Used for the header and the buttons; white text must stay readable on it."),
    )
    logo = forms.ImageField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 1 MB. Shown in the header next to the name."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 1024 * 1024:
            raise forms.ValidationError(_("The logo is larger than 1 MB."))
        return logo


class TerritoryImportForm(forms.Form):
    code = forms.CharField(
        label=_("SIREN of the intercommunal authority, or INSEE code of the commune"),
        max_length=20,
        help_text=_("For example 247100589 for CA Le Grand Chalon, or 73065 for Chambéry."),
    )
