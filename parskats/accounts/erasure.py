"""Erasing a person on request (GDPR art. 17): what we hold about someone, found by their email.

An account is not deleted but emptied: the reports, values and comments it wrote are the
library's records and stay, pointing at a pseudonym ("Dzēsta persona 17"). Its name, email,
password, roles, tokens and reminder log go. Seminar guests and invitations with that email
are emptied the same way. The audit trail keeps the name written at the time of each change
(the accountability of official statistics), unless `audit_too` is asked for, which replaces
it with the pseudonym as well. The erasure itself is audited, without the erased data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from parskats.audit.models import AuditEntry, record
from parskats.network.models import Network

from . import personal_data
from .models import Invitation, Role, User

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never a real address


class NothingToErase(LookupError):
    pass


@dataclass
class Erasure:
    email: str
    account: int | None = None  # the emptied account's id
    counts: dict[str, int] = field(default_factory=dict)


def pseudonym(pk: int) -> str:
    with override("lv"):
        return _("Erased person %(number)s") % {"number": pk}


@transaction.atomic
def erase_person(actor: User | None, email: str, *, audit_too: bool = False) -> Erasure:
    """Empty everything held about the person with this email; all of it or, on any error, none."""
    address = email.strip().lower()
    if not address or "@" not in address:
        raise NothingToErase(_("“%(email)s” is not an email address.") % {"email": email})
    done = Erasure(address)
    user = User.objects.select_for_update().filter(email__iexact=address).first()
    if user is not None:
        done.account = user.pk
        networks = set(Role.objects.filter(user=user).values_list("network_id", flat=True))
        name = pseudonym(user.pk)
        done.counts["roles"] = Role.objects.filter(user=user).delete()[0]
        if audit_too:
            done.counts["audit names"] = AuditEntry.objects.filter(actor=user).update(actor_name=name)
        user.email = f"person-{user.pk}@{ERASED_DOMAIN}"
        user.full_name = name
        user.set_unusable_password()  # also ends every session: they are tied to the password
        user.is_active = user.is_staff = user.is_superuser = False
        user.last_login = None
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        for network in Network.objects.filter(pk__in=networks):
            record(
                actor=actor,
                channel=AuditEntry.Channel.ADMIN,
                action=AuditEntry.Action.PERSON_ERASED,
                network=network,
                target=f"person {user.pk}",
                note="erased on request (GDPR)",
            )
    for handler in personal_data.handlers():
        if handler.erase is not None:
            done.counts[handler.label] = handler.erase(user, address)
    done.counts["invitations"] = Invitation.objects.filter(email__iexact=address).delete()[0]
    if user is None and not any(done.counts.values()):
        raise NothingToErase(_("Nothing is held about “%(email)s”.") % {"email": address})
    return done
