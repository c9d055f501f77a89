"""{{ text|markdown:"review" }}: a text through the one pipeline (parskats.core.text) by profile name."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from parskats.core.text import NEWS, REPORT, REVIEW, to_html

register = template.Library()
PROFILES = {profile.name: profile for profile in (REPORT, NEWS, REVIEW)}


@register.filter
def markdown(text: str | None, profile: str = "report") -> SafeString:
    # nh3 has cleaned the HTML to the profile's allow-list, so it may be marked safe.
    return mark_safe(to_html(text or "", PROFILES[profile]))  # noqa: S308
