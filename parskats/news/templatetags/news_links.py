"""Links other apps' pages can show: {% load news_links %}{% stories_link network year %} on the public
figures renders a link to that year's public stories, or nothing when there are none."""

from __future__ import annotations

from typing import Any

from django import template

from parskats.network.models import Network

from ..stories import public_stories

register = template.Library()


@register.inclusion_tag("news/_stories_link.html")
def stories_link(network: Network, year: int) -> dict[str, Any]:
    count = public_stories().filter(report__period__network=network, report__period__year=year).count()
    return {"network": network, "year": year, "count": count}
