from django.contrib import admin

from fabrique.core.admin import SanitisedHtmlAdmin

from .models import Basin, BasinGrouping, BasinMembership, Commune, LegalPage, Territory


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "population", "department_code"]
    search_fields = ["name", "insee_code"]
    list_filter = ["department_code"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "official_code", "domain", "imported_at"]
    search_fields = ["name", "official_code"]
    filter_horizontal = ["communes"]
    readonly_fields = ["imported_at"]


class BasinInline(admin.TabularInline):
    model = Basin
    extra = 0


@admin.register(BasinGrouping)
class BasinGroupingAdmin(admin.ModelAdmin):
    list_display = ["name", "territory"]
    inlines = [BasinInline]


@admin.register(BasinMembership)
class BasinMembershipAdmin(admin.ModelAdmin):
    list_display = ["commune", "basin", "grouping", "note"]
    list_filter = ["grouping"]
    search_fields = ["commune__name"]


@admin.register(LegalPage)
class LegalPageAdmin(SanitisedHtmlAdmin):
    sanitised_fields = ("body",)
    list_display = ["territory", "kind", "updated_at"]
