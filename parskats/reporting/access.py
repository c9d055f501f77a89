"""The one way views reach reports: by what the user may read or write."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from parskats.accounts.access import PART_KINDS, AnyUser, reporter_unit_ids, reviews_library, units_in_part
from parskats.accounts.models import Role
from parskats.core.media import Visibility

from .models import Report, ReportingPeriod


def reports_for_user(user: AnyUser) -> QuerySet[Report]:
    """Every report the user may read: whole networks for admins and viewers, own libraries for
    reporters, and for a role over a part of the map each year's reports of the libraries in that
    part on the year's last day."""
    if not user.is_authenticated:
        return Report.objects.none()
    reports = Report.objects.select_related("unit", "period", "period__network", "period__survey")
    if user.is_superuser:
        return reports
    roles = Role.objects.filter(user=user)
    whole = roles.filter(kind__in=PART_KINDS, unit__isnull=True).values("network_id")
    own = roles.filter(kind=Role.Kind.REPORTER).values("unit_id")
    readable = Q(period__network_id__in=whole) | Q(unit_id__in=own)
    parts = roles.filter(kind__in=PART_KINDS, unit__isnull=False).values_list("network_id", "unit_id")
    for network_id, in_part in _parts_by_year(list(parts)).items():
        for year, units in in_part.items():
            readable |= Q(period__network_id=network_id, period__year=year, unit_id__in=units)
    return reports.filter(readable)


def _parts_by_year(parts: list[tuple[int, int]]) -> dict[int, dict[int, set[int]]]:
    """Network → reporting year → the units under the roles' units that year."""
    roots: dict[int, set[int]] = {}
    for network_id, unit_id in parts:
        roots.setdefault(network_id, set()).add(unit_id)
    found = {}
    for network_id, units in roots.items():
        years = sorted(set(ReportingPeriod.objects.filter(network_id=network_id).values_list("year", flat=True)))
        found[network_id] = units_in_part(network_id, units, years)
    return found


def get_report_for_user(user: AnyUser, report_id: int, write: bool = False) -> Report:
    """A report the user may read, or with write=True change (its reporter or the network's admin).
    Anything else is a 404, so that another library's report is not even confirmed to exist."""
    try:
        report = reports_for_user(user).get(pk=report_id)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report.") from None
    if write and not can_write_report(user, report):
        raise Http404("No such report.")
    return report


def can_write_report(user: AnyUser, report: Report) -> bool:
    """The library's reporter, or the methodologist of the network or of the part of the map the
    library was in that year (the same rule as get_report_for_user(write=True))."""
    network = report.period.network
    return report.unit_id in reporter_unit_ids(user, network) or reviews_library(
        user, network, report.unit_id, report.period.year
    )


def photo_file_visibility(request: HttpRequest, name: str) -> Visibility | None:
    """Who may open the file `reports/<report>/<file>` (parskats.core.media): anyone, once the photo is
    consented and its report approved; before that only those who may read the report."""
    from .models import Photo, public_photos

    parts = name.split("/")
    if len(parts) != 3 or not re.fullmatch(r"[0-9]{1,18}", parts[1]):  # an id, within BIGINT
        return None
    photos = Photo.objects.filter(report_id=int(parts[1])).filter(Q(image=name) | Q(thumbnail=name))
    photo = photos.only("id", "report_id").first()
    if photo is None:
        return None
    if public_photos().filter(pk=photo.pk).exists():
        return Visibility.PUBLIC
    if reports_for_user(request.user).filter(pk=photo.report_id).exists():
        return Visibility.PRIVATE
    return None
