from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .erasure import erase_person
from .http import AuthenticatedHttpRequest
from .models import Role, User


class RoleInline(admin.TabularInline[Role, User]):
    model = Role
    extra = 0
    autocomplete_fields = ["unit"]


# Django's UserAdmin is typed for AbstractUser; ours is AbstractBaseUser + PermissionsMixin (email login,
# no username), which the stubs' bound does not admit, so the model parameter is Any here.
@admin.register(User)
class UserAdmin(BaseUserAdmin[Any]):
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    inlines = [RoleInline]
    actions = ["erase"]

    @admin.action(description=_("Erase personal data (on the person's request)"), permissions=["delete"])
    def erase(self, request: AuthenticatedHttpRequest, queryset: QuerySet[User]) -> None:
        people = list(queryset)
        for person in people:
            erase_person(request.user, person.email)
        self.message_user(
            request,
            ngettext("%(count)d person erased.", "%(count)d people erased.", len(people)) % {"count": len(people)},
        )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["user", "kind", "network", "unit"]
    list_filter = ["kind", "network"]
    search_fields = ["user__email", "user__full_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]
