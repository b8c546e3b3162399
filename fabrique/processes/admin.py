from django.contrib import admin

from fabrique.core.admin import SanitisedHtmlAdmin

from .models import (
    BodyMember,
    GovernanceBody,
    Meeting,
    News,
    Phase,
    PhaseMode,
    Process,
    Resource,
    Spotlight,
    Theme,
)

# Phases, themes and bodies are managed in the site's back-office, where their rules are
# checked; the technical administration lists and corrects them one by one.


@admin.register(Process)
class ProcessAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("presentation",)
    list_display = ["title", "territory", "status", "start_date", "end_date"]
    list_filter = ["status", "territory"]
    search_fields = ["title"]


class PhaseModeInline(admin.TabularInline):
    model = PhaseMode
    extra = 0


@admin.register(Phase)
class PhaseAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("description",)
    list_display = ["title", "process", "kind", "start_date", "end_date"]
    inlines = [PhaseModeInline]


@admin.register(Theme)
class ThemeAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("description",)
    list_display = ["title", "process", "position"]


class MemberInline(admin.TabularInline):
    model = BodyMember
    extra = 0


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("mandate",)
    list_display = ["name", "kind", "process", "is_public"]
    list_filter = ["kind"]
    inlines = [MemberInline]


@admin.register(Meeting)
class MeetingAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("minutes",)
    list_display = ["title", "body", "date", "minutes_published"]


@admin.register(News)
class NewsAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("body",)
    list_display = ["title", "process", "published_at", "emailed_at"]


@admin.register(Spotlight)
class SpotlightAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("description",)
    list_display = ["title", "theme", "start_date", "end_date"]


admin.site.register(Resource)
