from django.contrib import admin

from .models import AgendaItem, Guest, Seminar


class GuestInline(admin.TabularInline[Guest, Seminar]):
    model = Guest
    extra = 0


class AgendaItemInline(admin.TabularInline[AgendaItem, Seminar]):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["library", "guest"]


@admin.register(Seminar)
class SeminarAdmin(admin.ModelAdmin[Seminar]):
    list_display = ["title", "network", "year", "starts_at", "visibility"]
    list_filter = ["network", "year"]
    search_fields = ["title"]
    raw_id_fields = ["news_article", "created_by"]
    inlines = [GuestInline, AgendaItemInline]
