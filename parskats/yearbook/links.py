"""Addresses of a review's pages: the whole network's under /<year>/, a region's under
/r/<region>/<year>/ (the same pages, named region_<page>)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import slugify

from .models import AnnualReview


def review_url(name: str, network: str, year: int, region: str | None, *extra: object) -> str:
    if region is None:
        return reverse(f"yearbook:{name}", args=[network, year, *extra])
    return reverse(f"yearbook:region_{name}", args=[network, region, year, *extra])


def url_of(review: AnnualReview, name: str, *extra: object) -> str:
    region = review.region.code if review.region is not None else None
    return review_url(name, review.network.slug, review.year, region, *extra)


def job_subject(review: AnnualReview) -> str:
    """The export job's subject: the year, and a region's code after a slash."""
    return f"{review.year}/{review.region.code}" if review.region is not None else str(review.year)


def parse_subject(subject: str) -> tuple[int, str | None]:
    year, _slash, region = subject.partition("/")
    return int(year), region or None


def file_stem(review: AnnualReview) -> str:
    """valka-parskats-2021; a region's review: latvija-cesu-regions-parskats-2021."""
    region = f"-{slugify(review.region.code)}" if review.region is not None else ""
    return f"{slugify(review.network.slug)}{region}-parskats-{review.year}"
