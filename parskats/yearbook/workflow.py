"""Changes to an annual review: each is one named function taking the acting user, running in one
transaction, refusing a save based on an older version, storing the new version's content and
writing who changed what to the shared audit trail."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parskats.accounts.access import manages_region
from parskats.audit.models import AuditEntry, record
from parskats.catalogue.models import Survey
from parskats.network.models import Network, OrgUnit
from parskats.reporting.models import Report

from .models import AnnualReview, Excerpt, ReviewSection, ReviewVersion

CHANNEL = AuditEntry.Channel.FORM


class StaleVersion(ValidationError):
    """Someone saved the review since this page was loaded."""


def snapshot(review: AnnualReview) -> dict[str, Any]:
    """The whole editable content of the review, as stored with every version."""
    return {
        "title_lv": review.title_lv,
        "title_en": review.title_en,
        "summary": review.summary,
        "conclusions": review.conclusions,
        "sections": {
            s.code: {"text": s.text, "show_figures": s.show_figures} for s in review.sections.order_by("code")
        },
        "excerpts": {
            f"{e.section_code}:{e.report_id}": {
                "included": e.included,
                "order": e.order,
                "text": e.text,
                "quote": e.quote,
            }
            for e in review.excerpts.order_by("section_code", "report_id")
        },
    }


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(target, old, new) for every part that differs between two snapshots."""
    out = []
    for key in ("title_lv", "title_en", "summary", "conclusions"):
        if old.get(key) != new.get(key):
            out.append((key, old.get(key), new.get(key)))
    for group in ("sections", "excerpts"):
        before, after = old.get(group, {}), new.get(group, {})
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                out.append((f"{group[:-1]}:{key}", before.get(key), after.get(key)))
    return out


def _save_version(user: Any, review: AnnualReview, old: dict[str, Any], note: str = "") -> ReviewVersion | None:
    new = snapshot(review)
    changes = _changes(old, new)
    if not changes and review.versions.exists():
        return None
    number = (review.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    review.version = number
    review.save(update_fields=["version", "updated_at"])
    for target, before, after in changes:
        record(
            actor=user,
            channel=CHANNEL,
            action=AuditEntry.Action.NARRATIVE,
            network=review.network,
            target=f"review{review.year}:{target}"[:64],
            old=before,
            new=after,
            note=note,
        )
    name = (user.get_full_name() or user.email) if getattr(user, "is_authenticated", False) else ""
    return ReviewVersion.objects.create(
        review=review,
        number=number,
        saved_by=user if getattr(user, "is_authenticated", False) else None,
        saved_by_name=name,
        changes=[{"target": target} for target, _b, _a in changes],
        snapshot=new,
    )


def default_titles(network: Network, year: int, region: OrgUnit | None = None) -> tuple[str, str]:
    name = region.name if region is not None else network.name
    return (
        f"{name}: bibliotēku darba pārskats par {year}. gadu",
        f"{name}: annual review of the libraries, {year}",
    )


@transaction.atomic
def create_review(
    user: Any, network: Network, survey: Survey, year: int, region: OrgUnit | None = None
) -> AnnualReview:
    """Start the year's review: the whole network's, or (`region`) a region's own. A region's
    methodologist starts her region's only (user None: the demo and the tests' loaders)."""
    if user is not None and not manages_region(user, network, region):
        raise PermissionDenied("Not this person's review to start.")
    Network.objects.select_for_update().filter(pk=network.pk).first()  # one start at a time per network
    if not survey.periods.filter(network=network, year=year).exists():
        raise ValidationError(_("There is no reporting period for %(year)s.") % {"year": year})
    if AnnualReview.objects.filter(network=network, survey=survey, year=year, region=region).exists():
        raise ValidationError(_("The review for %(year)s exists already.") % {"year": year})
    title_lv, title_en = default_titles(network, year, region)
    review = AnnualReview.objects.create(
        network=network, survey=survey, year=year, region=region, title_lv=title_lv, title_en=title_en, version=0
    )
    _save_version(user, review, {}, note=_("review started"))
    return review


def section_fingerprint(content: dict[str, Any], code: str) -> str:
    """What one section's saved state looks like: two people editing different sections do not
    conflict, only a change to the same section since the page was loaded does."""
    own = content.get("sections", {}).get(code)
    excerpts = {k: v for k, v in content.get("excerpts", {}).items() if k.split(":")[0] == code}
    raw = json.dumps([own, excerpts], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _lock(
    review: AnnualReview, expected_version: int | None, fingerprint: tuple[str, str] | None = None
) -> AnnualReview:
    locked = AnnualReview.objects.select_for_update().get(pk=review.pk)
    unchanged = fingerprint is not None and section_fingerprint(snapshot(locked), fingerprint[0]) == fingerprint[1]
    if expected_version is not None and locked.version != expected_version and not unchanged:
        raise StaleVersion(
            _(
                "Someone saved this review since you opened it (now version %(now)s, yours %(yours)s). "
                "Your changes were not saved: open the review again and repeat them."
            )
            % {"now": locked.version, "yours": expected_version}
        )
    if not locked.is_editable:
        raise ValidationError(_("An approved review is locked; reopen it to change it."))
    return locked


@transaction.atomic
def save_texts(
    user: Any,
    review: AnnualReview,
    expected_version: int | None,
    *,
    title_lv: str | None = None,
    title_en: str | None = None,
    summary: str | None = None,
    conclusions: str | None = None,
) -> AnnualReview:
    """The title, the methodologist's own summary and conclusions."""
    locked = _lock(review, expected_version)
    old = snapshot(locked)
    if title_lv is not None:
        if not title_lv.strip():
            raise ValidationError({"title_lv": _("The review needs a title.")})
        locked.title_lv = title_lv.strip()
    if title_en is not None:
        locked.title_en = title_en.strip()
    if summary is not None:
        locked.summary = summary
    if conclusions is not None:
        locked.conclusions = conclusions
    locked.save()
    _save_version(user, locked, old)
    return locked


@transaction.atomic
def save_section(
    user: Any,
    review: AnnualReview,
    expected_version: int | None,
    code: str,
    *,
    text: str,
    show_figures: bool,
    excerpts: dict[int, dict[str, Any]],
    fingerprint: str | None = None,
) -> AnnualReview:
    """One section: the methodologist's text, whether figures show, and per report (id) whether its
    text is included, its order, a shortened text and whether it is quoted. Reports must be this
    network's approved reports of the review's year. With the section's `fingerprint` as loaded, a
    save is refused only when this section changed meanwhile, not when another one did."""
    locked = _lock(review, expected_version, (code, fingerprint) if fingerprint else None)
    old = snapshot(locked)
    allowed = set(
        Report.objects.filter(
            pk__in=list(excerpts),
            period__network=locked.network,
            period__survey=locked.survey,
            period__year=locked.year,
            status=Report.Status.APPROVED,
        ).values_list("pk", flat=True)
    )
    unknown = sorted(set(excerpts) - allowed)
    if unknown:
        message = _("These texts are not approved texts of this review's year: %(ids)s.")
        raise ValidationError(message % {"ids": ", ".join(map(str, unknown))})
    ReviewSection.objects.update_or_create(
        review=locked, code=code, defaults={"text": text, "show_figures": show_figures}
    )
    existing = {e.report_id: e for e in Excerpt.objects.filter(review=locked, section_code=code)}
    for report_id, data in excerpts.items():
        excerpt = existing.get(report_id) or Excerpt(review=locked, section_code=code, report_id=report_id)
        excerpt.included = bool(data.get("included"))
        excerpt.order = int(data.get("order") or 0)
        excerpt.text = str(data.get("text") or "")
        excerpt.quote = bool(data.get("quote"))
        # An untouched text needs no row; a row once made stays, so the history shows its removal.
        if excerpt.pk or excerpt.included or excerpt.text or excerpt.quote:
            excerpt.save()
    _save_version(user, locked, old)
    return locked


STATUS_MOVES = {
    (AnnualReview.Status.DRAFT, AnnualReview.Status.APPROVED),
    (AnnualReview.Status.APPROVED, AnnualReview.Status.PUBLISHED),
    (AnnualReview.Status.PUBLISHED, AnnualReview.Status.APPROVED),
    (AnnualReview.Status.APPROVED, AnnualReview.Status.DRAFT),
}


@transaction.atomic
def set_status(user: Any, review: AnnualReview, status: str, note: str = "") -> AnnualReview:
    """Approve (locks), publish, withdraw from the public site, or reopen (needs a reason)."""
    locked = AnnualReview.objects.select_for_update().get(pk=review.pk)
    if (locked.status, status) not in STATUS_MOVES:
        labels = dict(AnnualReview.Status.choices)
        message = _("A review cannot go from “%(old)s” to “%(new)s”.")
        raise ValidationError(message % {"old": labels.get(locked.status), "new": labels.get(status, status)})
    if status == AnnualReview.Status.DRAFT and not note.strip():
        raise ValidationError({"note": _("Say why the review is reopened.")})
    old = locked.status
    locked.status = status
    if status == AnnualReview.Status.PUBLISHED:
        locked.published_at = timezone.now()
    locked.save()
    record(
        actor=user,
        channel=CHANNEL,
        action=AuditEntry.Action.STATUS,
        network=locked.network,
        target=f"review{locked.year}:status",
        old=old,
        new=status,
        note=note,
    )
    return locked


@transaction.atomic
def restore_version(user: Any, review: AnnualReview, expected_version: int | None, number: int) -> AnnualReview:
    """Make an earlier version's content the current one, as a new version (nothing is lost)."""
    locked = _lock(review, expected_version)
    version = locked.versions.filter(number=number).first()
    if version is None:
        raise ValidationError(_("There is no version %(number)s.") % {"number": number})
    old = snapshot(locked)
    content = version.snapshot
    locked.title_lv = content.get("title_lv") or locked.title_lv
    locked.title_en = content.get("title_en", "")
    locked.summary = content.get("summary", "")
    locked.conclusions = content.get("conclusions", "")
    locked.save()
    sections = content.get("sections", {})
    for section in locked.sections.all():
        saved = sections.get(section.code, {"text": "", "show_figures": True})
        section.text, section.show_figures = saved["text"], saved["show_figures"]
        section.save()
    for code, saved in sections.items():
        ReviewSection.objects.get_or_create(
            review=locked, code=code, defaults={"text": saved["text"], "show_figures": saved["show_figures"]}
        )
    excerpts = content.get("excerpts", {})
    existing = {f"{e.section_code}:{e.report_id}": e for e in locked.excerpts.all()}
    live_reports = set(
        Report.objects.filter(pk__in=[int(k.split(":")[1]) for k in excerpts]).values_list("pk", flat=True)
    )
    for key, saved in excerpts.items():
        code, report_id = key.split(":")
        if int(report_id) not in live_reports:
            continue  # the report is gone; its choice cannot come back
        excerpt = existing.pop(key, None) or Excerpt(review=locked, section_code=code, report_id=int(report_id))
        excerpt.included, excerpt.order = saved["included"], saved["order"]
        excerpt.text, excerpt.quote = saved["text"], saved["quote"]
        excerpt.save()
    for excerpt in existing.values():
        excerpt.included, excerpt.order, excerpt.text, excerpt.quote = False, 0, "", False
        excerpt.save()
    _save_version(user, locked, old, note=_("version %(number)s restored") % {"number": number})
    return locked
