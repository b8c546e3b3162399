from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from fabrique.processes.models import Process
from fabrique.territories.forms import CommuneField
from fabrique.territories.models import BasinGrouping

from .models import Category, Panel
from .services import SEED_MAX_LENGTH


class PanelForm(forms.ModelForm):
    class Meta:
        model = Panel
        fields = ["title", "phase", "size", "tolerance", "description", "signup_open"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase = self.fields["phase"]
        assert isinstance(phase, forms.ModelChoiceField)
        phase.queryset = process.phases.all()
        self.fields["size"].widget.attrs.update(min=1, max=1000)
        self.fields["size"].validators.append(
            MinValueValidator(1, message=_("A panel has at least one member."))
        )
        self.fields["tolerance"].widget.attrs.update(min=0, max=50)


class CategoryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Category.Kind.choices,
        help_text=_(
            "Communes and basins take their shares from the official populations; for the "
            "others, type the values and their shares."
        ),
    )
    label = forms.CharField(label=_("Name"), max_length=100)
    question = forms.CharField(
        label=_("Question on the sign-up form"), max_length=200, required=False
    )
    why_asked = forms.CharField(
        label=_("Why it is asked"),
        max_length=300,
        help_text=_("E.g. « So that the panel looks like the territory's population. »"),
    )
    grouping: forms.ModelChoiceField[BasinGrouping] = forms.ModelChoiceField(
        label=_("Grouping of communes (basins)"),
        queryset=BasinGrouping.objects.none(),
        required=False,
    )
    values = forms.CharField(
        label=_("Values and their shares of the population"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "Femme ; 52,1\nHomme ; 47,9"}),
        help_text=_("One value per line, then « ; » and its share in %. The share is optional."),
    )
    source = forms.CharField(
        label=_("Source of the shares"),
        max_length=300,
        required=False,
        help_text=_("E.g. « INSEE, recensement 2021 »."),
    )

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grouping = self.fields["grouping"]
        assert isinstance(grouping, forms.ModelChoiceField)
        grouping.queryset = process.territory.groupings.all()


class SeedForm(forms.Form):
    seed = forms.CharField(
        label=_("Seed"),
        max_length=SEED_MAX_LENGTH,
        help_text=_(
            "Numbers nobody could know in advance and everyone can check: the result of a "
            "public lottery, numbers drawn by a bailiff in a public meeting…"
        ),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that the seed, the pool and the quotas are published with it and "
            "can no longer change."
        )
    )


class SignupForm(forms.Form):
    """The public sign-up form: contact details, then only the questions the quotas use."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("To confirm your sign-up and, if you are drawn, to invite you."),
    )
    phone = forms.CharField(
        label=_("Telephone (optional)"),
        max_length=30,
        required=False,
        help_text=_("If you prefer to be called when you are drawn."),
    )
    commune = CommuneField(label=_("Commune where you live"), required=False)
    consent = forms.BooleanField(
        label=_(
            "I agree to take part in the draw. I understand that my answers to the "
            "questions above are published without my name (under a number) so that anyone "
            "can check the draw, and that I can withdraw at any time."
        )
    )

    def __init__(self, *args: Any, panel: Panel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.panel = panel
        self.categories = list(panel.categories.prefetch_related("values"))
        commune = self.fields["commune"]
        assert isinstance(commune, CommuneField)
        commune.set_territory(panel.process.territory)
        territorial = [c for c in self.categories if c.from_territory]
        if territorial:
            commune.required = True
            commune.help_text = " ".join(c.why_asked for c in territorial)
        else:
            del self.fields["commune"]
        consent = self.fields.pop("consent")
        for category in self.categories:
            if category.from_territory:
                continue
            self.fields[f"category-{category.pk}"] = forms.ModelChoiceField(
                label=category.question or category.label,
                queryset=category.values.all(),
                widget=forms.RadioSelect,
                empty_label=None,
                help_text=category.why_asked,
                error_messages={"required": _("Answer this question.")},
            )
        self.fields["consent"] = consent

    def answers(self) -> dict[int, Any]:
        return {
            category.pk: self.cleaned_data[f"category-{category.pk}"]
            for category in self.categories
            if not category.from_territory
        }
