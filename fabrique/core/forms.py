from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the field at fault, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RichTextarea(forms.Textarea):
    """A textarea for text that may hold simple HTML; the service sanitises it."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 8, "class": "rich-text-input", **(attrs or {})})


RICH_TEXT_HELP = _(
    "Leave a blank line between paragraphs. Simple HTML is accepted (headings h2–h4, lists, "
    "links, bold, italics, images); anything else is removed."
)


class FormRenderer(DjangoTemplates):
    """Django's renderer, with checkboxes before their label as people expect them."""

    field_template_name = "forms/field.html"


def submit_one_of(
    which: str | None,
    handlers: Mapping[str, tuple[forms.BaseForm, Callable[[dict[str, Any]], object], str]],
) -> str | None:
    """On a page with several forms, run the service of the one that was sent.

    ``handlers`` maps a form's name to (form, save, message). Returns the success message,
    or None when nothing was sent or the form or the service refused it — the form then
    carries the errors, on the field at fault.
    """
    if which is None or which not in handlers:
        return None
    form, save, done = handlers[which]
    if not form.is_valid():
        return None
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    return done
