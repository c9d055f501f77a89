"""Inviting a person by email: a one-time link to set a password, then the role is theirs."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parskats.accounts.access import is_network_admin
from parskats.audit.models import AuditEntry, record
from parskats.network.models import Network, OrgUnit

from .models import Invitation, Role, User

INVITATION_DAYS = 7


class InvitationError(Exception):
    """A refused invitation or acceptance; str(error) is a message for the user."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email(invitation: Invitation, template: str, context: dict[str, Any]) -> None:
    with translation.override(invitation.language):
        text = render_to_string(f"accounts/email/{template}.txt", {"invitation": invitation, **context}).strip()
    subject, _sep, body = text.partition("\n")
    message = EmailMessage(subject.strip(), body.strip() + "\n", to=[invitation.email])
    transaction.on_commit(message.send)


@transaction.atomic
def invite(
    actor: User, network: Network, email: str, full_name: str, kind: str, unit: OrgUnit | None, language: str = "lv"
) -> Invitation:
    """Invite a person to a role in the network. A person who already has an account gets the role
    at once and an email saying so; anyone else gets a link to set their password."""
    if not is_network_admin(actor, network):
        raise InvitationError(_("Only the network's methodologist can invite people."))
    if kind not in Role.Kind.values:
        raise InvitationError(_("Choose a role."))
    if kind == Role.Kind.REPORTER and unit is None:
        raise InvitationError(_("A reporter must be bound to a library."))
    if unit is not None and unit.network_id != network.pk:
        raise InvitationError(_("The library belongs to another network."))
    if kind == Role.Kind.REPORTER and unit is not None and not unit.is_library:
        raise InvitationError(_("A reporter must be bound to a library."))
    # A methodologist's or viewer's role is over the whole network (no unit) or over an area of it.
    if kind != Role.Kind.REPORTER and unit is not None and unit.is_library:
        raise InvitationError(_("A methodologist or viewer covers the whole network or an area of it, not a library."))
    email = User.objects.normalize_email(email).lower()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        full_name=full_name.strip(),
        language=language if language in dict(settings.LANGUAGES) else "lv",
        network=network,
        kind=kind,
        unit=unit,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.INVITATION_SENT,
        network=network,
        target="invitation",
        new={
            "email": email,
            "role": kind,
            "library": unit.code if unit else "",
            "area": bool(unit and not unit.is_library),
        },
    )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        _grant(actor, invitation, existing)
        _email(invitation, "role_added", {"url": settings.PARSKATS_BASE_URL})
        return invitation
    url = settings.PARSKATS_BASE_URL.rstrip("/") + reverse("accounts:accept", args=[token])
    _email(invitation, "invitation", {"url": url, "days": INVITATION_DAYS})
    return invitation


def _grant(actor: User | None, invitation: Invitation, user: User) -> Role:
    role, _created = Role.objects.get_or_create(
        user=user, network=invitation.network, kind=invitation.kind, unit=invitation.unit
    )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    record(
        actor=actor or user,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.ROLE_GRANTED,
        network=invitation.network,
        target="role",
        new={"email": user.email, "role": invitation.kind, "library": invitation.unit.code if invitation.unit else ""},
        note="invitation",
    )
    return role


class RoleRefused(Exception):
    """A role change that is not allowed; str(error) is a message for the user."""


@transaction.atomic
def remove_role(actor: User, network: Network, role_id: int) -> Role:
    """Take a role away from a person (the network's methodologist only; not their own methodologist
    role, so a network never loses its last methodologist by a slip). Returns the removed role."""
    if not is_network_admin(actor, network):
        raise RoleRefused(_("Only the network's methodologist can remove roles."))
    role = (
        Role.objects.select_for_update(of=("self",))
        .filter(network=network, pk=role_id)
        .select_related("user", "unit")
        .first()
    )
    if role is None:
        raise Role.DoesNotExist(f"No role {role_id} in {network.slug}.")
    if role.user_id == actor.pk and role.kind == Role.Kind.ADMIN:
        raise RoleRefused(_("You cannot remove your own methodologist role."))
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.ROLE_REMOVED,
        network=network,
        target="role",
        old={"email": role.user.email, "role": role.kind, "library": role.unit.code if role.unit else ""},
    )
    role.delete()
    return role


def find_invitation(token: str) -> Invitation:
    """The usable invitation of this token, or InvitationError saying why not."""
    invitation = Invitation.objects.select_related("network", "unit").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Ask the methodologist for a new one."))
    if invitation.used_at is not None:
        raise InvitationError(_("This invitation link has already been used. Log in with your email and password."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation link has expired. Ask the methodologist for a new one."))
    return invitation


@transaction.atomic
def accept(token: str, password: str) -> User:
    """Create the account with the chosen password and grant the role; the link is then spent."""
    invitation = find_invitation(token)
    # Lock the row: two clicks on the same link cannot both create the account.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise InvitationError(_("This invitation link has already been used. Log in with your email and password."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(_("An account with this email already exists. Log in with your email and password."))
    user = User.objects.create_user(
        invitation.email, password, full_name=invitation.full_name, language=invitation.language
    )
    _grant(None, invitation, user)
    return user
