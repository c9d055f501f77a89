from django.contrib import admin
from django.http import HttpRequest

from .models import Membership, Network, OrgUnit, PopulationServed


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin[Network]):
    list_display = ["name", "slug", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request: HttpRequest, obj: Network | None = None) -> list[str]:
        """The memberships of the years a network holds start on its reporting year's first day: the
        year is fixed once it holds one."""
        if obj is not None and obj.periods.exists():
            return ["year_start_month", "year_start_day", "year_named_by"]
        return []


class ParentLinkInline(admin.TabularInline[Membership, OrgUnit]):
    model = Membership
    fk_name = "child"
    extra = 0
    autocomplete_fields = ["parent"]


class PopulationInline(admin.TabularInline[PopulationServed, OrgUnit]):
    model = PopulationServed
    extra = 0


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    list_display = ["name", "code", "level", "library_type", "network"]
    list_filter = ["network", "level", "library_type"]
    search_fields = ["name", "code"]
    inlines = [ParentLinkInline, PopulationInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["child", "parent", "valid_from", "valid_to"]
    list_filter = ["child__network", "parent__level"]
    search_fields = ["child__name", "parent__name"]
    autocomplete_fields = ["child", "parent"]
