from django.contrib import admin

from .models import Membership, Network, OrgUnit, PopulationServed


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin[Network]):
    list_display = ["name", "slug", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}


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
