"""Everything added to a report besides a single value: narratives, activities, photos, check
explanations, the event figures computed from the activities and the fields copied from last year.

Each is a named action taking the acting user. It locks the report row first and checks there, in
the same transaction as the write, that the report is still editable: an approval or a submission
landing between the page's check and the write waits for the lock and then finds the change made,
or comes first and the change is refused. Every change writes its typed audit record.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts.access import AnyUser
from parskats.accounts.models import User
from parskats.audit.models import AuditEntry, record
from parskats.catalogue.models import NarrativeSection
from parskats.core.freetext import STORY
from parskats.core.numbers import format_number

from .entry import EntryError, ensure_editable, save_value
from .form import field_rows
from .models import Activity, Explanation, Narrative, Photo, Report, Value

MAX_NARRATIVE_CHARS = STORY
MAX_EXPLANATION_CHARS = 2000
ACTIVITY_FIELDS = ("title", "date", "end_date", "mode", "attendance", "audience", "partners", "description")


def lock_editable(report: Report) -> Report:
    """The report row, locked until the transaction ends, if it may still be changed; else EntryError.
    Call inside transaction.atomic."""
    locked = Report.objects.select_for_update(of=("self",)).select_related("period__network").get(pk=report.pk)
    ensure_editable(locked)
    report.status, report.version = locked.status, locked.version
    return locked


def _audit(user: AnyUser, report: Report, action: str, target: str, old: Any, new: Any) -> None:
    record(
        actor=user,
        channel=AuditEntry.Channel.FORM,
        action=action,
        network=report.period.network,
        report=report,
        target=target,
        old=old,
        new=new,
    )


def _editor(user: AnyUser) -> User | None:
    return user if isinstance(user, User) else None


def _activity(activity: Activity) -> dict[str, Any]:
    return {"title": activity.title, "date": str(activity.date)}


def _photo(photo: Photo) -> dict[str, Any]:
    return {"caption": photo.caption, "consent": photo.consent}


@transaction.atomic
def save_narrative(
    user: AnyUser, report: Report, section: NarrativeSection, text: str, base_version: int | None
) -> Narrative | None:
    """Save a narrative section's text with the same optimistic versioning as the values: a save
    based on an older version of the text is refused. Returns the narrative (None: never written)."""
    if len(text) > MAX_NARRATIVE_CHARS:
        raise EntryError(
            _("The text is too long (at most %(max)s characters).") % {"max": format_number(MAX_NARRATIVE_CHARS)}
        )
    locked = lock_editable(report)
    narrative = Narrative.objects.select_for_update().filter(report=report, section=section).first()
    current = narrative.version if narrative else 0
    old = narrative.text if narrative else ""
    if old == text:
        return narrative
    if base_version is not None and base_version != current:
        raise EntryError(_("Someone else changed this text meanwhile. Copy your text, reload the page and merge."))
    version = locked.version + 1
    Report.objects.filter(pk=report.pk).update(version=version, updated_at=timezone.now())
    report.version = version
    if narrative is None:
        narrative = Narrative(report=report, section=section)
    narrative.text, narrative.version, narrative.updated_by = text, version, _editor(user)
    narrative.save()
    _audit(user, report, AuditEntry.Action.NARRATIVE, section.code, old, text)
    return narrative


@transaction.atomic
def add_activity(user: AnyUser, report: Report, fields: dict[str, Any]) -> Activity:
    """Add an activity (the form has checked its dates against the report's year)."""
    lock_editable(report)
    activity = Activity(
        report=report, updated_by=_editor(user), **{k: fields[k] for k in ACTIVITY_FIELDS if k in fields}
    )
    activity.save()
    _audit(user, report, AuditEntry.Action.ACTIVITY_ADDED, "activity", None, _activity(activity))
    return activity


@transaction.atomic
def add_photo(
    user: AnyUser,
    report: Report,
    image: ContentFile[bytes],
    thumbnail: ContentFile[bytes],
    *,
    alt_text: str,
    caption: str = "",
    credit: str = "",
    consent: bool = False,
) -> Photo:
    """Add a photo already checked and re-encoded (photos.process_photo). The files are written
    only after the report is found editable, so a refused upload leaves nothing in storage."""
    lock_editable(report)
    photo = Photo(
        report=report, alt_text=alt_text, caption=caption, credit=credit, consent=consent, uploaded_by=_editor(user)
    )
    photo.image.save("photo.jpg", image, save=False)
    photo.thumbnail.save("thumb.jpg", thumbnail, save=False)
    try:
        photo.save()
        _audit(user, report, AuditEntry.Action.PHOTO_ADDED, "photo", None, _photo(photo))
    except BaseException:
        # The row is not written: the files must not stay behind in storage.
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        raise
    return photo


def remove_report_item(user: AnyUser, report: Report, item: Activity | Photo) -> None:
    """Remove an activity or a photo of an editable report, with its audit record. A photo's files
    are deleted after the transaction (a refused or failed removal keeps them)."""
    with transaction.atomic():
        lock_editable(report)
        if isinstance(item, Photo):
            action, described = AuditEntry.Action.PHOTO_REMOVED, _photo(item)
        else:
            action, described = AuditEntry.Action.ACTIVITY_REMOVED, _activity(item)
        _audit(user, report, action, item._meta.model_name or "", described, None)
        item.delete()
    if isinstance(item, Photo):
        item.image.delete(save=False)
        item.thumbnail.delete(save=False)


@transaction.atomic
def explain(user: AnyUser, report: Report, check: str, field: str, category: str, text: str) -> Explanation:
    """Save the explanation of a check's warning on a field (the caller checked the warning applies)."""
    text = text.strip()
    if category not in Explanation.Category.values:
        raise EntryError(_("Choose a category."))
    if not text:
        raise EntryError(_("Write the explanation."))
    if len(text) > MAX_EXPLANATION_CHARS:
        raise EntryError(_("The explanation is too long (at most 2000 characters)."))
    lock_editable(report)
    current = (
        Explanation.objects.select_for_update().filter(report=report, check_code=check, indicator_code=field).first()
    )
    old = {"category": current.category, "text": current.text} if current else None
    explanation, _created = Explanation.objects.update_or_create(
        report=report,
        check_code=check,
        indicator_code=field,
        defaults={"category": category, "text": text, "updated_by": _editor(user)},
    )
    _audit(
        user, report, AuditEntry.Action.EXPLANATION, field, old, {"check": check, "category": category, "text": text}
    )
    return explanation


EVENT_FIGURES = ("events", "events_inperson", "events_virtual", "event_attendance")


@transaction.atomic
def compute_events(user: AnyUser, report: Report) -> dict[str, int]:
    """Fill the event indicators from the activity list (hybrid events count as in person). The list
    is read under the report lock, so an activity added meanwhile is either counted or waits."""
    lock_editable(report)
    items = list(Activity.objects.filter(report=report))
    figures = {
        "events": len(items),
        "events_inperson": sum(1 for a in items if a.mode != Activity.Mode.VIRTUAL),
        "events_virtual": sum(1 for a in items if a.mode == Activity.Mode.VIRTUAL),
        "event_attendance": sum(a.attendance or 0 for a in items),
    }
    for code, number in figures.items():
        save_value(user, report, code, number, None)
    return figures


@transaction.atomic
def copy_stable(user: AnyUser, report: Report) -> list[str]:
    """Copy last year's stable fields (opening hours, staff, population, …) into the fields that are
    empty; all of them or, on any error, none. Returns the codes copied."""
    lock_editable(report)
    rows, _summary = field_rows(report)
    copied: list[str] = []
    for row in rows:
        if row.indicator.stable and row.previous and row.value is None:
            previous = row.previous
            raw = previous.code if previous.code != Value.Code.NUMBER else previous.number
            save_value(user, report, row.code, raw, 0, indicator=row.indicator)
            copied.append(row.code)
    if copied:
        _audit(
            user,
            report,
            AuditEntry.Action.FIELDS_COPIED,
            "fields",
            None,
            {"from": report.period.year - 1, "fields": copied},
        )
    return copied
