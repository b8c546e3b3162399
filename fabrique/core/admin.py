from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from .sanitize import sanitize_html


class SanitisedHtmlAdmin(admin.ModelAdmin):
    """The technical administration sanitises rich text as the site's own forms do."""

    sanitised_fields: tuple[str, ...] = ()

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        for field in self.sanitised_fields:
            setattr(obj, field, sanitize_html(getattr(obj, field) or ""))
        super().save_model(request, obj, form, change)
