"""Changes to seminars, each a named function taking the acting user, in one transaction, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts.access import manages_region
from parskats.audit.models import AuditEntry, record
from parskats.network.models import Network

from .agenda import proposed_items
from .models import AgendaItem, Guest, Seminar


def audit(
    actor: Any, seminar: Seminar, action: str, what: str, old: Any = None, new: Any = None, note: str = ""
) -> None:
    """One audit record of a seminar change; the target keeps the seminar and the part that changed."""
    record(
        actor=actor,
        channel=AuditEntry.Channel.FORM,
        action=action,
        network=seminar.network,
        target=f"seminar:{seminar.pk}:{what}"[:64],
        old=old,
        new=new,
        note=note,
    )


def _changed(seminar: Seminar) -> None:
    """Calendar programs replace an event only when its SEQUENCE grows."""
    Seminar.objects.filter(pk=seminar.pk).update(sequence=F("sequence") + 1)
    seminar.refresh_from_db(fields=["sequence"])


FIELDS = ("region", "title", "year", "starts_at", "place", "meeting_url", "slot_minutes", "visibility")


@transaction.atomic
def create_seminar(actor: Any, network: Network, **fields: Any) -> Seminar:
    """A new seminar with its proposed agenda: the whole network's, or (`region`) a region's own."""
    if not manages_region(actor, network, fields.get("region")):
        raise PermissionDenied("Not this person's seminar to create.")
    seminar = Seminar(network=network, created_by=actor if actor.is_authenticated else None, **fields)
    seminar.full_clean()
    seminar.save()
    AgendaItem.objects.bulk_create(proposed_items(seminar))
    audit(
        actor, seminar, AuditEntry.Action.SEMINAR_CREATED, "created", new={k: str(getattr(seminar, k)) for k in FIELDS}
    )
    return seminar


@transaction.atomic
def update_seminar(actor: Any, seminar: Seminar, **fields: Any) -> Seminar:
    seminar = Seminar.objects.select_for_update().select_related("network", "region").get(pk=seminar.pk)
    if not manages_region(actor, seminar.network, seminar.region) or not manages_region(
        actor, seminar.network, fields.get("region", seminar.region)
    ):
        raise PermissionDenied("Not this person's seminar to change.")
    old = {k: str(getattr(seminar, k)) for k in FIELDS}
    for key, value in fields.items():
        setattr(seminar, key, value)
    seminar.full_clean()
    seminar.save()
    new = {k: str(getattr(seminar, k)) for k in FIELDS}
    _changed(seminar)
    audit(
        actor,
        seminar,
        AuditEntry.Action.SEMINAR_CHANGED,
        "details",
        old={k: v for k, v in old.items() if new[k] != v},
        new={k: v for k, v in new.items() if old[k] != v},
    )
    return seminar


@transaction.atomic
def propose_agenda(actor: Any, seminar: Seminar) -> list[AgendaItem]:
    """Replace the agenda with a fresh proposal from the data (the page asks for confirmation first)."""
    old = list(seminar.agenda_items.values_list("title", flat=True))
    seminar.agenda_items.all().delete()
    items = AgendaItem.objects.bulk_create(proposed_items(seminar))
    _changed(seminar)
    audit(
        actor,
        seminar,
        AuditEntry.Action.AGENDA_PROPOSED,
        "agenda-proposed",
        old=old,
        new=[item.title for item in items],
    )
    return items


def _renumber(seminar: Seminar) -> None:
    for position, pk in enumerate(seminar.agenda_items.order_by("position", "id").values_list("pk", flat=True), 1):
        AgendaItem.objects.filter(pk=pk).update(position=position)


@transaction.atomic
def move_item(actor: Any, item: AgendaItem, offset: int) -> None:
    """Move an item up (offset −1) or down (+1), or to a place (any offset): the others close ranks."""
    seminar = item.seminar
    ordered = list(seminar.agenda_items.select_for_update().order_by("position", "id"))
    index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    if target == index:
        return
    ordered.insert(target, ordered.pop(index))
    for position, other in enumerate(ordered, start=1):
        if other.position != position:
            AgendaItem.objects.filter(pk=other.pk).update(position=position)
    _changed(seminar)
    audit(
        actor,
        seminar,
        AuditEntry.Action.AGENDA_ITEM_MOVED,
        "agenda-moved",
        old=index + 1,
        new=target + 1,
        note=item.title,
    )


@transaction.atomic
def update_item(actor: Any, item: AgendaItem, *, title: str, minutes: int, fixed_start: dt.time | None) -> AgendaItem:
    old = {"title": item.title, "minutes": item.minutes, "fixed_start": str(item.fixed_start or "")}
    item.title, item.minutes, item.fixed_start = title, minutes, fixed_start
    item.full_clean()
    item.save()
    _changed(item.seminar)
    audit(
        actor,
        item.seminar,
        AuditEntry.Action.AGENDA_ITEM_CHANGED,
        "agenda-item",
        old=old,
        new={"title": title, "minutes": minutes, "fixed_start": str(fixed_start or "")},
    )
    return item


@transaction.atomic
def add_item(actor: Any, seminar: Seminar, *, kind: str, title: str, minutes: int) -> AgendaItem:
    """Add a break, a guest's remarks or another item just before the closing (or at the end)."""
    if kind == AgendaItem.Kind.LIBRARY:
        raise ValidationError({"kind": _("Library slots come from the proposal; re-propose to add one.")})
    closing = seminar.agenda_items.filter(kind=AgendaItem.Kind.CLOSING).order_by("position").first()
    if closing is not None:
        position = closing.position
        seminar.agenda_items.filter(position__gte=position).update(position=F("position") + 1)
    else:
        position = (seminar.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem(seminar=seminar, kind=kind, title=title, minutes=minutes, position=position)
    item.full_clean()
    item.save()
    _changed(seminar)
    audit(actor, seminar, AuditEntry.Action.AGENDA_ITEM_ADDED, "agenda-added", new=title)
    return item


@transaction.atomic
def remove_item(actor: Any, item: AgendaItem) -> None:
    seminar = item.seminar
    title = item.title
    item.delete()
    _renumber(seminar)
    _changed(seminar)
    audit(actor, seminar, AuditEntry.Action.AGENDA_ITEM_REMOVED, "agenda-removed", old=title)


@dataclass(frozen=True)
class AgendaRow:
    """One row of the agenda table as saved: an existing item (item_id) or a new one (kind)."""

    item_id: int | None
    title: str
    minutes: int
    fixed_start: dt.time | None
    kind: str = AgendaItem.Kind.OTHER


def _item_fields(item: AgendaItem) -> dict[str, Any]:
    return {"title": item.title, "minutes": item.minutes, "fixed_start": str(item.fixed_start or "")}


@transaction.atomic
def save_agenda(actor: Any, seminar: Seminar, rows: list[AgendaRow], removed: list[int]) -> bool:
    """The whole agenda table at once, in the order given: all of it is applied, or none of it.

    Every existing item must be either in `rows` or in `removed`: a table opened before someone else
    changed the agenda is refused rather than undoing their change. Returns whether anything changed."""
    Seminar.objects.select_for_update().get(pk=seminar.pk)
    current = {item.pk: item for item in seminar.agenda_items.select_for_update().order_by("position", "id")}
    named = [row.item_id for row in rows if row.item_id is not None] + list(removed)
    if sorted(named) != sorted(current):
        raise ValidationError(_("Someone else changed the agenda meanwhile; open it again and redo your changes."))
    if any(row.item_id is None and row.kind == AgendaItem.Kind.LIBRARY for row in rows):
        raise ValidationError(_("Library slots come from the proposal; re-propose to add one."))
    before = [item.title for item in current.values()]
    changed = False
    for pk in removed:
        item = current.pop(pk)
        item.delete()
        audit(actor, seminar, AuditEntry.Action.AGENDA_ITEM_REMOVED, "agenda-removed", old=item.title)
        changed = True
    kept_before = list(current)
    kept_after = [row.item_id for row in rows if row.item_id is not None]
    for position, row in enumerate(rows, start=1):
        if row.item_id is None:
            item = AgendaItem(seminar=seminar, kind=row.kind, title=row.title, minutes=row.minutes, position=position)
            item.fixed_start = row.fixed_start
            item.full_clean()
            item.save()
            audit(actor, seminar, AuditEntry.Action.AGENDA_ITEM_ADDED, "agenda-added", new=row.title)
            changed = True
            continue
        item = current[row.item_id]
        old = _item_fields(item)
        item.title, item.minutes, item.fixed_start = row.title, row.minutes, row.fixed_start
        new = _item_fields(item)
        if new != old:
            item.full_clean()
            what = AuditEntry.Action.AGENDA_ITEM_CHANGED
            audit(actor, seminar, what, "agenda-item", old=old, new=new, note=old["title"])
            changed = True
        if new != old or item.position != position:
            item.position = position
            item.save(update_fields=["title", "minutes", "fixed_start", "position"])
    if kept_after != kept_before:
        after = [row.title for row in rows]
        audit(actor, seminar, AuditEntry.Action.AGENDA_ITEM_MOVED, "agenda-moved", old=before, new=after)
        changed = True
    if changed:
        _changed(seminar)
    return changed


@transaction.atomic
def add_guest(actor: Any, seminar: Seminar, *, name: str, role: str, email: str, language: str) -> Guest:
    """A guest, and a slot for their remarks before the closing."""
    guest = Guest(seminar=seminar, name=name, role=role, email=email.lower(), language=language)
    guest.full_clean()
    guest.save()
    item = add_item(actor, seminar, kind=AgendaItem.Kind.GUEST, title=str(guest), minutes=10)
    AgendaItem.objects.filter(pk=item.pk).update(guest=guest)
    audit(actor, seminar, AuditEntry.Action.GUEST_ADDED, "guest-added", new=name)
    return guest


@transaction.atomic
def remove_guest(actor: Any, guest: Guest) -> None:
    """The guest's personal data go; their agenda slot stays under a neutral title."""
    seminar = guest.seminar
    guest.agenda_items.update(title=_("Guest remarks"))
    guest.delete()
    _changed(seminar)
    audit(actor, seminar, AuditEntry.Action.GUEST_REMOVED, "guest-removed", note=_("personal data erased"))


@transaction.atomic
def mark_invitations_sent(
    actor: Any, seminar: Seminar, *, sent: int, before: int, total: int, job: str, key: str
) -> None:
    """One attempt of the invitations job ended (done, cancelled or stopped by an error): how many it
    sent, how many had this edition already. Each message was recorded as it went (jobs.SentMail)."""
    if sent:
        Seminar.objects.filter(pk=seminar.pk).update(invitations_sent_at=timezone.now())
    audit(
        actor,
        seminar,
        AuditEntry.Action.SEMINAR_INVITATIONS_SENT,
        "invitations",
        new={"sent": sent, "already_sent": before, "participants": total, "job": job, "edition": key},
    )
