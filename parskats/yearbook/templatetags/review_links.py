from __future__ import annotations

from django import template

from parskats.yearbook.links import url_of
from parskats.yearbook.models import AnnualReview

register = template.Library()


@register.simple_tag
def review_url(review: AnnualReview, name: str, *extra: object) -> str:
    """{% review_url review "section" part.code %}: the page of this review (its region's if it has one)."""
    return url_of(review, name, *extra)
