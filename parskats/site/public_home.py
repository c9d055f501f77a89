"""The home page of a reader who is not logged in: the latest news and, per network, the ways into
what is public (figures, library stories, published annual reviews), with the login last."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from parskats.network.models import Network, OrgUnit
from parskats.news.models import Article
from parskats.news.stories import story_years
from parskats.reporting.models import ReportingPeriod
from parskats.yearbook.models import AnnualReview

LATEST_NEWS = 3


@dataclass
class PublicRegion:
    """A region of a national network as its own public site: figures, news and annual reviews."""

    region: OrgUnit
    review_years: list[int] = field(default_factory=list)
    news: int = 0  # public articles of the region


@dataclass
class PublicNetwork:
    network: Network
    story_years: list[dict[str, Any]] = field(default_factory=list)
    review_years: list[int] = field(default_factory=list)
    regions: list[PublicRegion] = field(default_factory=list)


def public_networks() -> list[PublicNetwork]:
    """The networks that have reporting years (their figures are public), with the years that have stories
    or a published review."""
    networks = Network.objects.filter(pk__in=ReportingPeriod.objects.values("network_id")).order_by("name")
    rows = {n.pk: PublicNetwork(n) for n in networks}
    by_slug = {row.network.slug: row for row in rows.values()}
    for entry in story_years():
        if entry["network_slug"] in by_slug:
            by_slug[entry["network_slug"]].story_years.append(entry)
    regions: dict[int, PublicRegion] = {}
    for region in OrgUnit.objects.filter(network__in=networks, level=OrgUnit.Level.REGION).order_by("name"):
        regions[region.pk] = PublicRegion(region)
        rows[region.network_id].regions.append(regions[region.pk])
    published = AnnualReview.objects.filter(status=AnnualReview.Status.PUBLISHED).order_by("-year")
    for network_id, region_id, year in published.values_list("network_id", "region_id", "year"):
        if region_id is not None and region_id in regions:
            regions[region_id].review_years.append(year)
        elif region_id is None and network_id in rows:
            rows[network_id].review_years.append(year)
    counted = Article.objects.public().filter(region__in=list(regions)).values_list("region_id").annotate(n=Count("id"))
    for region_id, count in counted.order_by():
        regions[region_id].news = count
    for row in rows.values():
        if len(row.regions) < 2:  # a network of one region is that region: its own pages are the region's
            row.regions = []
    return list(rows.values())


def public_home(request: HttpRequest) -> HttpResponse:
    news = list(Article.objects.public().select_related("network", "region")[:LATEST_NEWS])
    return render(request, "site/public_home.html", {"news": news, "public_networks": public_networks()})
