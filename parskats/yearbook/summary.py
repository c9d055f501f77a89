"""The national annual summary: the whole network's review of a network of regions lists each
region's review (a published one linked, with its summary) and the region's headline figures.

The figures are one aggregation of the year, grouped by region, from the core (`stats.aggregate`):
counted once for every region, then rendered row by row, never added up again here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import override

from parskats.catalogue.models import Indicator
from parskats.core.text import REVIEW, summary
from parskats.network.models import OrgUnit
from parskats.network.timeline import year_end
from parskats.stats.aggregate import Scope, aggregate, indicator_by_concept
from parskats.stats.pages import dashboard_config

from .links import url_of
from .models import AnnualReview
from .outline import _cell_text, unit_label


@dataclass
class RegionLine:
    region: OrgUnit
    values: list[str]
    libraries: int
    reports: int
    review: AnnualReview | None = None
    public_url: str = ""  # the region's published review
    summary: str = ""  # its summary, shortened


@dataclass
class NationalSummary:
    year: int
    headings: list[str]
    lines: list[RegionLine] = field(default_factory=list)


def national_summary(review: AnnualReview, language: str = "lv") -> NationalSummary | None:
    """The regions of the whole network's review, with their figures; None for a region's own
    review or a network without regions."""
    if review.region_id is not None:
        return None
    regions = {
        region.code: region
        for region in OrgUnit.objects.filter(network=review.network, level=OrgUnit.Level.REGION).order_by("name")
    }
    if not regions:
        return None
    with override(language):
        # The regions as they stood on the year's last day, like the review's own figures.
        scope = Scope(group_by=OrgUnit.Level.REGION, boundaries=year_end(review.year, review.network))
        table = aggregate(review.network, review.survey, review.year, scope)
        chosen = (indicator_by_concept(table.indicators, name) for name in dashboard_config()["headline"])
        indicators: list[Indicator] = [i for i in chosen if i is not None]
        found = NationalSummary(review.year, [unit_label(i, language) for i in indicators])
        own = {
            r.region_id: r
            for r in AnnualReview.objects.filter(
                network=review.network, survey=review.survey, year=review.year, region__isnull=False
            ).select_related("network", "region")
        }
        for row in table.rows:
            region = regions.get(row.key)
            if region is None:
                continue  # libraries off the map of regions are in the total, not in a region's line
            line = RegionLine(
                region,
                [_cell_text(row.cell(i.code), i, language) for i in indicators],
                len(row.library_ids),
                row.reports,
                own.get(region.pk),
            )
            if line.review is not None and line.review.status == AnnualReview.Status.PUBLISHED:
                line.public_url = url_of(line.review, "public")
                line.summary = summary(line.review.summary, profile=REVIEW)
            found.lines.append(line)
        return found
