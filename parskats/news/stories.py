"""Public stories: the success stories of approved reports, with the photos whose subjects consented.

Nothing else of a report is public here: only the narrative section `success_story` of a report in
status "approved", and only photos that reporting's public_photos() allows (the one consent rule).
A report that is reopened leaves the public pages until it is approved again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from parskats.reporting.models import Narrative, Photo, Report, public_photos

SUCCESS_STORY = "success_story"


def public_stories() -> QuerySet[Narrative]:
    return (
        Narrative.objects.filter(section__code=SUCCESS_STORY, report__status=Report.Status.APPROVED)
        .exclude(text="")
        .select_related("report__unit", "report__period__network", "section")
    )


def story_years() -> list[dict[str, Any]]:
    """Networks and years that have public stories, newest first, with how many."""
    rows = (
        public_stories()
        .values("report__period__network__slug", "report__period__network__name", "report__period__year")
        .annotate(count=Count("id"))
        .order_by("report__period__network__name", "-report__period__year")
    )
    return [
        {
            "network_slug": r["report__period__network__slug"],
            "network_name": r["report__period__network__name"],
            "year": r["report__period__year"],
            "count": r["count"],
        }
        for r in rows
    ]


def stories_of_year(network_slug: str, year: int) -> list[Narrative]:
    stories = list(public_stories().filter(report__period__network__slug=network_slug, report__period__year=year))
    if not stories:
        raise Http404("No public stories for that year.")
    return stories


def get_public_story(network_slug: str, year: int, library_code: str) -> Narrative:
    story = (
        public_stories()
        .filter(report__period__network__slug=network_slug, report__period__year=year, report__unit__code=library_code)
        .first()
    )
    if story is None:
        raise Http404("No public story.")
    return story


def photos_for(report: Report) -> QuerySet[Photo]:
    return public_photos().filter(report=report).order_by("uploaded_at", "id")
