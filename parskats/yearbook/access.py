"""Who may see and change annual reviews. The whole network's methodologist edits every review of
it; a region's methodologist her region's review; the whole network's viewers read and download
them all, a person with a role over a part of the map her region's; reporters see only a published
review, like the public. `region` is a region's code (None: the whole network's review)."""

from __future__ import annotations

from django.http import Http404

from parskats.accounts.access import (
    AnyUser,
    get_network_for_user,
    get_region,
    manages_region,
    reads_part,
    regions_read,
    sees_whole_network,
)
from parskats.network.models import Network, OrgUnit

from .models import AnnualReview


def network_for_reviews(user: AnyUser, slug: str, write: bool = False) -> Network:
    """The network whose reviews (some of them) this person reads, or writes; 404 otherwise."""
    network = get_network_for_user(user, slug)
    if write:
        allowed = manages_region(user, network, None) or bool(editable_regions(user, network))
    else:
        allowed = sees_whole_network(user, network) or reads_part(user, network)
    if not allowed:
        raise Http404("No such network.")
    return network


def editable_regions(user: AnyUser, network: Network) -> list[OrgUnit]:
    """The regions whose own review this person writes."""
    regions = OrgUnit.objects.filter(network=network, level=OrgUnit.Level.REGION).order_by("name")
    return [region for region in regions if manages_region(user, network, region)]


def readable_regions(user: AnyUser, network: Network) -> list[OrgUnit]:
    """The regions whose own review this person reads before it is published."""
    regions = OrgUnit.objects.filter(network=network, level=OrgUnit.Level.REGION).order_by("name")
    limit = regions_read(user, network)
    if limit is None:
        return list(regions) if sees_whole_network(user, network) else []
    return [region for region in regions if region.pk in limit]


def region_for_reviews(user: AnyUser, network: Network, code: str | None, write: bool = False) -> OrgUnit | None:
    """The region of a review address (None: the whole network's), if this person may read (write)
    its review; 404 otherwise, so that another region's review is not revealed."""
    if code is None:
        allowed = manages_region(user, network, None) if write else sees_whole_network(user, network)
        if not allowed:
            raise Http404("No such review.")
        return None
    region = get_region(network, code)
    allowed = manages_region(user, network, region) if write else region in readable_regions(user, network)
    if not allowed:
        raise Http404("No such review.")
    return region


def reviews_for_user(user: AnyUser, network: Network) -> list[AnnualReview]:
    """The network's reviews this person reads before publication: the whole network's for its
    own people, and those of the regions she reads."""
    reviews = AnnualReview.objects.filter(network=network).select_related("region")
    regions = {region.pk for region in readable_regions(user, network)}
    whole = sees_whole_network(user, network)
    return [
        review
        for review in reviews.order_by("-year", "region__name")
        if (review.region_id is None and whole) or review.region_id in regions
    ]


def may_change(user: AnyUser, review: AnnualReview) -> bool:
    """The one answer to "may this person change this review"."""
    return manages_region(user, review.network, review.region)


def reads_drafts(user: AnyUser, slug: str) -> bool:
    """Whether the user sees some of the network's reviews before publication (404 for a stranger)."""
    network = get_network_for_user(user, slug)
    return sees_whole_network(user, network) or reads_part(user, network)


def get_review_for_user(
    user: AnyUser, slug: str, year: int, write: bool = False, region: str | None = None
) -> AnnualReview:
    network = get_network_for_user(user, slug)
    unit = region_for_reviews(user, network, region, write)
    reviews = AnnualReview.objects.filter(network=network, year=year, region=unit).select_related(
        "network", "survey", "region"
    )
    review = reviews.order_by("survey__code").first()
    if review is None:
        raise Http404("No review for that year.")
    return review


def published_reviews(slug: str) -> tuple[Network, list[AnnualReview]]:
    """A network's published reviews (its own and its regions'), for anyone; 404 for an unknown network."""
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise Http404("No such network.")
    reviews = (
        AnnualReview.objects.filter(network=network, status=AnnualReview.Status.PUBLISHED)
        .select_related("region")
        .order_by("-year", "region__name")
    )
    return network, list(reviews)


def get_published_review(slug: str, year: int, region: str | None = None) -> AnnualReview:
    """A published review, for anyone (the public site)."""
    review = (
        AnnualReview.objects.filter(
            network__slug=slug, year=year, status=AnnualReview.Status.PUBLISHED, region__isnull=region is None
        )
        .filter(**({"region__code": region} if region is not None else {}))
        .select_related("network", "survey", "region")
        .first()
    )
    if review is None:
        raise Http404("No published review for that year.")
    return review
