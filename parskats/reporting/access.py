"""The one way views reach reports: by what the user may read or write."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from parskats.accounts.access import AnyUser, is_network_admin, reporter_unit_ids
from parskats.core.media import Visibility

from .models import Report


def reports_for_user(user: AnyUser) -> QuerySet[Report]:
    """Every report the user may read: whole networks for admins and viewers, own libraries for reporters."""
    if not user.is_authenticated:
        return Report.objects.none()
    reports = Report.objects.select_related("unit", "period", "period__network", "period__survey")
    if user.is_superuser:
        return reports
    from parskats.accounts.models import Role

    roles = Role.objects.filter(user=user)
    whole = roles.filter(kind__in=[Role.Kind.ADMIN, Role.Kind.VIEWER]).values("network_id")
    own = roles.filter(kind=Role.Kind.REPORTER).values("unit_id")
    return reports.filter(period__network_id__in=whole) | reports.filter(unit_id__in=own)


def get_report_for_user(user: AnyUser, report_id: int, write: bool = False) -> Report:
    """A report the user may read, or with write=True change (its reporter or the network's admin).
    Anything else is a 404, so that another library's report is not even confirmed to exist."""
    try:
        report = reports_for_user(user).get(pk=report_id)
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report.") from None
    if write:
        network = report.period.network
        if report.unit_id not in reporter_unit_ids(user, network) and not is_network_admin(user, network):
            raise Http404("No such report.")
    return report


def can_write_report(user: AnyUser, report: Report) -> bool:
    """The library's reporter or the network's admin (the same rule as get_report_for_user(write=True))."""
    network = report.period.network
    return report.unit_id in reporter_unit_ids(user, network) or is_network_admin(user, network)


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
