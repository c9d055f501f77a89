"""Who may see and change seminars. The whole network's methodologist changes every seminar; a
methodologist over a region changes her region's own seminars (and only those). Everyone with a
role in the network reads them, a person with a role over a part of the map the network's and her
region's; the agenda page of a public seminar is open to anyone."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from parskats.accounts.access import (
    AnyUser,
    get_network_for_user,
    managed_regions,
    manages_region,
    regions_read,
)
from parskats.network.models import Network, OrgUnit

from .models import Seminar


def seminars_for_user(user: AnyUser, network: Network) -> QuerySet[Seminar]:
    seminars = Seminar.objects.filter(network=network).select_related("region")
    regions = regions_read(user, network)
    if regions is None:
        return seminars
    return seminars.filter(Q(region__isnull=True) | Q(region__in=regions))


def seminar_regions(user: AnyUser, network: Network) -> QuerySet[OrgUnit]:
    """The regions a new seminar may be for (the form's choices)."""
    return managed_regions(user, network).order_by("name")


def may_create(user: AnyUser, network: Network) -> bool:
    return manages_region(user, network, None) or seminar_regions(user, network).exists()


def may_change(user: AnyUser, seminar: Seminar) -> bool:
    """The one answer to "may this person change this seminar" (its region's or the whole network's)."""
    return manages_region(user, seminar.network, seminar.region)


def get_seminar_for_user(user: AnyUser, network_slug: str, seminar_id: int, write: bool = False) -> Seminar:
    """A seminar the user may read; write=True only for one she may change. Anything else is a 404."""
    network = get_network_for_user(user, network_slug)
    try:
        seminar = seminars_for_user(user, network).select_related("network").get(pk=seminar_id)
    except Seminar.DoesNotExist:
        raise Http404("No such seminar.") from None
    if write and not may_change(user, seminar):
        raise Http404("No such seminar.")
    return seminar


def get_agenda_for_reader(user: AnyUser, network_slug: str, seminar_id: int) -> Seminar:
    """The agenda page: public seminars for anyone, the others for the network's people only."""
    seminar = Seminar.objects.select_related("network").filter(pk=seminar_id, network__slug=network_slug).first()
    if seminar is not None and seminar.visibility == Seminar.Visibility.PUBLIC:
        return seminar
    return get_seminar_for_user(user, network_slug, seminar_id)
