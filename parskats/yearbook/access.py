"""Who may see and change annual reviews. Methodologists (network admins) edit; viewers read and
download; reporters see only a published review, like the public."""

from __future__ import annotations

from django.http import Http404

from parskats.accounts.access import AnyUser, get_network_for_user, is_network_admin, sees_whole_network
from parskats.network.models import Network

from .models import AnnualReview


def network_for_reviews(user: AnyUser, slug: str, write: bool = False) -> Network:
    network = get_network_for_user(user, slug)
    allowed = is_network_admin(user, network) if write else sees_whole_network(user, network)
    if not allowed:
        raise Http404("No such network.")
    return network


def reads_drafts(user: AnyUser, slug: str) -> bool:
    """Whether the user sees the network's reviews before publication (404 for a stranger)."""
    return sees_whole_network(user, get_network_for_user(user, slug))


def get_review_for_user(user: AnyUser, slug: str, year: int, write: bool = False) -> AnnualReview:
    network = network_for_reviews(user, slug, write)
    reviews = AnnualReview.objects.filter(network=network, year=year).select_related("network", "survey")
    review = reviews.order_by("survey__code").first()
    if review is None:
        raise Http404("No review for that year.")
    return review


def published_reviews(slug: str) -> tuple[Network, list[AnnualReview]]:
    """A network's published reviews, for anyone; 404 for an unknown network."""
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise Http404("No such network.")
    reviews = AnnualReview.objects.filter(network=network, status=AnnualReview.Status.PUBLISHED).order_by("-year")
    return network, list(reviews)


def get_published_review(slug: str, year: int) -> AnnualReview:
    """A published review, for anyone (the public site)."""
    review = (
        AnnualReview.objects.filter(network__slug=slug, year=year, status=AnnualReview.Status.PUBLISHED)
        .select_related("network", "survey")
        .first()
    )
    if review is None:
        raise Http404("No published review for that year.")
    return review
