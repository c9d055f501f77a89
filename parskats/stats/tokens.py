"""A network's API tokens, managed by its methodologist: who may see them, issuing one (its secret is
shown once) and revoking one, each change with its audit record. A methodologist over a part of the
map (a region) holds tokens of her own: they read reports not yet approved of her part only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts import access
from parskats.accounts.access import AnyUser
from parskats.accounts.models import Role, User
from parskats.audit.models import AuditEntry, record
from parskats.network.models import Network

from .models import ApiToken, issue_token

AUDIT_TARGET = "api_token"


class TokenRefused(Exception):
    pass


def tokens_for_admin(user: AnyUser, network: Network) -> QuerySet[ApiToken]:
    """The network's tokens for its methodologist; her own for a part's methodologist (the network's
    other members get a 403)."""
    tokens = ApiToken.objects.filter(network=network).select_related("user")
    if access.is_network_admin(user, network):
        return tokens
    if isinstance(user, User) and access.part_roots(user, network, (Role.Kind.ADMIN,)):
        return tokens.filter(user=user)
    raise PermissionDenied


def may_hold_token(user: AnyUser, network: Network) -> bool:
    """The network's methodologists and viewers, over the whole of it or a part."""
    return access.sees_whole_network(user, network) or access.reads_part(user, network)


def get_token_for_admin(user: AnyUser, network: Network, token_id: int) -> ApiToken:
    token = tokens_for_admin(user, network).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    return token


def _described(token: ApiToken) -> dict[str, Any]:
    return {"id": token.pk, "name": token.name, "user": token.user.email}


@transaction.atomic
def create_token(
    actor: AnyUser | None,
    network: Network,
    name: str,
    owner: User | None = None,
    channel: str = AuditEntry.Channel.FORM,
) -> tuple[ApiToken, str]:
    """A token of `owner` (the actor by default) for this network; the secret is returned once."""
    holder = owner or actor
    name = name.strip()
    if not name:
        raise TokenRefused(_("Give the token a name."))
    if not isinstance(holder, User) or not may_hold_token(holder, network):
        raise TokenRefused(_("Only the network's methodologists and viewers can hold an API token."))
    if actor is not None and holder != actor and not access.is_network_admin(actor, network):
        raise TokenRefused(_("Only the network's methodologist issues tokens for others."))
    token, raw = issue_token(holder, name, network)
    record(
        actor=actor,
        channel=channel,
        action=AuditEntry.Action.TOKEN_ISSUED,
        network=network,
        target=AUDIT_TARGET,
        new=_described(token),
        note="API token issued",
    )
    return token, raw


@transaction.atomic
def revoke_token(actor: AnyUser, token: ApiToken) -> bool:
    """Revoke a token (at once: the next API call with it is a 401); False if it already was."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=AuditEntry.Action.TOKEN_REVOKED,
        network=locked.network,
        target=AUDIT_TARGET,
        old=_described(locked),
        note="API token revoked",
    )
    return True
