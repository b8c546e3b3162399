"""Forms of live sessions: joining, asking, answering without JavaScript; the console's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models.live import (
    CODE_LENGTH,
    NICKNAME_MAX_LENGTH,
    PROMPT_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    LivePoll,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Session code"),
        max_length=20,
        help_text=_("The %(n)d letters and digits shown on the screen.") % {"n": CODE_LENGTH},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "live-code-input",
            }
        ),
    )


class JoinForm(forms.Form):
    nickname = forms.CharField(
        label=_("Your nickname"),
        max_length=NICKNAME_MAX_LENGTH,
        help_text=_("Shown with your questions. No account needed."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class AskForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        # One more than allowed: the service says how long it is rather than the browser
        # cutting it silently.
        max_length=QUESTION_MAX_LENGTH + 1000,
        help_text=_("At most %(max)d characters.") % {"max": QUESTION_MAX_LENGTH},
        widget=forms.Textarea(attrs={"rows": 3, "data-max-length": QUESTION_MAX_LENGTH}),
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput, required=False)


class SettingsForm(forms.Form):
    questions_enabled = forms.BooleanField(
        label=_("Participants may ask questions"), required=False
    )
    questions_premoderated = forms.BooleanField(
        label=_("Check questions before they are shown"),
        required=False,
        help_text=_(
            "Recommended: a question appears on phones and on the screen once you show it."
        ),
    )


class PollForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=LivePoll.Kind.choices, widget=forms.RadioSelect
    )
    prompt = forms.CharField(label=_("Question asked"), max_length=PROMPT_MAX_LENGTH)
    options = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Single or multiple choice: one choice per line, 2 to 12."),
    )
    max_choices = forms.IntegerField(
        label=_("Most choices per person"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("Multiple choice: leave empty for no limit."),
    )
    scale_min = forms.IntegerField(label=_("Lowest value"), initial=1, min_value=0, max_value=9)
    scale_max = forms.IntegerField(label=_("Highest value"), initial=5, min_value=1, max_value=10)
    scale_min_label = forms.CharField(
        label=_("Label of the lowest value"),
        required=False,
        max_length=60,
        help_text=_("Scale: for example « Pas du tout d’accord »."),
    )
    scale_max_label = forms.CharField(
        label=_("Label of the highest value"), required=False, max_length=60
    )
    max_words = forms.IntegerField(
        label=_("Words per person"),
        initial=3,
        min_value=1,
        max_value=5,
        help_text=_("Word cloud: 1 to 5 words each."),
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "prompt": data["prompt"],
            "options": (data.get("options") or "").splitlines(),
            "max_choices": data.get("max_choices"),
            "scale_min": data.get("scale_min") if data.get("scale_min") is not None else 1,
            "scale_max": data.get("scale_max") or 5,
            "scale_min_label": data.get("scale_min_label") or "",
            "scale_max_label": data.get("scale_max_label") or "",
            "max_words": data.get("max_words") or 3,
        }
