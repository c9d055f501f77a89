from django.contrib import admin

from .models import AgendaItem, Guest, Seminar


class GuestInline(admin.TabularInline):
    model = Guest
    extra = 0


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["library", "guest"]


@admin.register(Seminar)
class SeminarAdmin(admin.ModelAdmin):
    list_display = ["title", "network", "year", "starts_at", "visibility"]
    list_filter = ["network", "year"]
    search_fields = ["title"]
    raw_id_fields = ["news_article", "created_by"]
    inlines = [GuestInline, AgendaItemInline]
