"""People and their roles. We keep the minimum personal data: email (to log in and be notified),
a display name (shown on reports and articles) and the preferred language."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # People type their address in any case; addresses are stored lower-case.
        return self.get(email__iexact=username or "")

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("name"), max_length=150)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="lv")
    is_staff = models.BooleanField(_("staff"), default=False, help_text=_("Can log in to the admin site."))
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Role(models.Model):
    """What a person may do in one network, and over which part of its map. A reporter is bound to
    one library per role row; a methodologist or viewer either covers the whole network (no unit) or
    is held over a unit (a region, a county) and everything under it, year by year as the map was."""

    class Kind(models.TextChoices):
        ADMIN = "admin", _("methodologist (network admin)")
        REPORTER = "reporter", _("library reporter")
        VIEWER = "viewer", _("viewer")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user"))
    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="roles", verbose_name=_("network")
    )
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    unit = models.ForeignKey(
        "network.OrgUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("area or library"),
        help_text=_(
            "A reporter: the library they report for (required). A methodologist or viewer: the region or "
            "county the role covers, with everything under it; empty for the whole network."
        ),
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "network", "kind", "unit"], name="role_unique"),
            models.UniqueConstraint(
                fields=["user", "network", "kind"], condition=models.Q(unit__isnull=True), name="role_unique_no_unit"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reporter") | models.Q(unit__isnull=False), name="reporter_has_unit"
            ),
        ]

    def __str__(self) -> str:
        suffix = f" — {self.unit}" if self.unit_id else ""
        return f"{self.user}: {self.get_kind_display()} ({self.network}){suffix}"

    def clean(self) -> None:
        if self.kind == self.Kind.REPORTER and not self.unit_id:
            raise ValidationError({"unit": _("A reporter must be bound to a library.")})
        if self.unit is not None and self.unit.network_id != self.network_id:
            raise ValidationError({"unit": _("The library belongs to another network.")})


class Invitation(models.Model):
    """A one-time link to set a password and take up a role. Only the SHA-256 of the token is
    stored; the link works once and for INVITATION_DAYS days."""

    email = models.EmailField(_("email"))
    full_name = models.CharField(_("name"), max_length=150)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="lv")
    network = models.ForeignKey(
        "network.Network", on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    kind = models.CharField(_("role"), max_length=16, choices=Role.Kind.choices)
    unit = models.ForeignKey(
        "network.OrgUnit", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("library")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_kind_display()})"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
