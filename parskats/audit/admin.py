from django.contrib import admin

from parskats.core.admin import ViewOnly

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ViewOnly, admin.ModelAdmin[AuditEntry]):
    """Read-only: audit records cannot be edited or deleted through the application."""

    list_display = ["at", "actor_name", "channel", "action", "report", "target"]
    list_filter = ["channel", "action", "network"]
    search_fields = ["actor_name", "target"]
