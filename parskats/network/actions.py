"""Changes to the network's libraries: add one to a county from a date, change its name, type or
closing day, move it to another county from a date. Each takes the acting user, runs in one
transaction with the library's row locked (two methodologists changing one library are serialised,
so the membership history never gets two overlapping links) and writes its typed audit record.

Who may do this (the network's methodologist) is checked by the caller: `network` sits below
`accounts`, where the roles live.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parskats.audit.models import AuditEntry, record

from .models import Membership, Network, OrgUnit
from .timeline import move_unit


class LibraryRefused(Exception):
    """A change to a library that cannot be made; str(error) says why."""


def _audit(user: Any, unit: OrgUnit, action: str, old: Any, new: Any) -> None:
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=action,
        network=unit.network,
        target=f"library:{unit.code}"[:64],
        old=old,
        new=new,
    )


def _described(unit: OrgUnit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "library_type": unit.library_type,
        "closed_on": unit.closed_on.isoformat() if unit.closed_on else None,
    }


def _require_county(network: Network, county: OrgUnit) -> None:
    if county.network_id != network.pk or county.level != OrgUnit.Level.COUNTY:
        raise LibraryRefused(_("The county belongs to another network."))


def add_library(
    user: Any, network: Network, *, code: str, name: str, library_type: str, county: OrgUnit, valid_from: dt.date
) -> OrgUnit:
    """A new library of the network, in `county` from `valid_from`."""
    _require_county(network, county)
    try:
        with transaction.atomic():
            unit = OrgUnit.objects.create(
                network=network, level=OrgUnit.Level.LIBRARY, code=code, name=name, library_type=library_type
            )
            Membership.objects.create(child=unit, parent=county, valid_from=valid_from)
            _audit(
                user,
                unit,
                AuditEntry.Action.LIBRARY_ADDED,
                None,
                {"name": name, "county": county.code, "from": valid_from.isoformat()},
            )
    except IntegrityError:
        # The form checked the code; another methodologist took it in between.
        raise LibraryRefused(_("Another unit of the network has this code.")) from None
    return unit


@transaction.atomic
def change_library(user: Any, unit: OrgUnit, *, name: str, library_type: str, closed_on: dt.date | None) -> OrgUnit:
    """Rename a library, change its type, close it (a day) or reopen it (None)."""
    locked = OrgUnit.objects.select_for_update().select_related("network").get(pk=unit.pk)
    if closed_on and locked.opened_on and closed_on < locked.opened_on:
        raise LibraryRefused(_("The closing day is before the opening day."))
    old = _described(locked)
    locked.name, locked.library_type, locked.closed_on = name, library_type, closed_on
    locked.save(update_fields=["name", "library_type", "closed_on"])
    new = _described(locked)
    if old != new:
        _audit(user, locked, AuditEntry.Action.LIBRARY_CHANGED, old, new)
    unit.name, unit.library_type, unit.closed_on = locked.name, locked.library_type, locked.closed_on
    return locked


@transaction.atomic
def move_library(user: Any, unit: OrgUnit, county: OrgUnit, on: dt.date) -> Membership:
    """From `on`, the library belongs to `county`; its link to the old county ends the day before.
    Raises ValueError or django's ValidationError when the history does not allow a move on that day."""
    locked = OrgUnit.objects.select_for_update().select_related("network").get(pk=unit.pk)
    _require_county(locked.network, county)
    before = Membership.objects.filter(child=locked, valid_from__lte=on).order_by("-valid_from").first()
    membership = move_unit(locked, county, on)
    _audit(
        user,
        locked,
        AuditEntry.Action.LIBRARY_MOVED,
        {"county": before.parent.code} if before else None,
        {"county": county.code, "from": on.isoformat()},
    )
    return membership
