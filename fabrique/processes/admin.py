from django.contrib import admin

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


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ["title", "territory", "status", "start_date", "end_date"]
    list_filter = ["status", "territory"]
    search_fields = ["title"]
    inlines = [PhaseInline, ThemeInline]


class PhaseModeInline(admin.TabularInline):
    model = PhaseMode
    extra = 0


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["title", "process", "kind", "start_date", "end_date"]
    inlines = [PhaseModeInline]


class MemberInline(admin.TabularInline):
    model = BodyMember
    extra = 0


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "process", "is_public"]
    list_filter = ["kind"]
    inlines = [MemberInline]


admin.site.register([Resource, Spotlight, Meeting, News])
