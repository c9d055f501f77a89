"""The catalogue's own units, which every database has, as Django gives every database its content
types: written after each migrate and after each flush (both send post_migrate), only where missing,
so a unit someone renamed keeps its name and a survey's own units are left alone."""

from __future__ import annotations

from typing import Any

# code, Latvian name, English name, ISO 4217 currency, plain count (not shown beside a name)
BASE_UNITS: tuple[tuple[str, str, str, str, bool], ...] = (
    ("persons", "personas", "persons", "", False),
    ("count", "skaits", "count", "", True),
    ("items", "vienības", "items", "", False),
    ("units", "eksemplāri", "units", "", False),
    ("titles", "nosaukumi", "titles", "", False),
    ("hours", "stundas", "hours", "", False),
    ("days", "dienas", "days", "", False),
    ("fte", "slodzes", "full-time equivalents", "", False),
    ("eur", "EUR", "EUR", "EUR", False),
    ("usd", "USD", "USD", "USD", False),
    ("sqm", "m²", "m²", "", False),
    ("sqft", "ft²", "ft²", "", False),
)


def ensure_base_units(using: str = "default", apps: Any = None, **_: Any) -> None:
    """post_migrate receiver: the base units that are missing are written, none is changed."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    try:
        unit = apps.get_model("catalogue", "Unit")
    except LookupError:  # migrated to a state before units were data
        return
    have = set(unit._base_manager.using(using).values_list("code", flat=True))
    unit._base_manager.using(using).bulk_create(
        [
            unit(code=code, name_lv=name_lv, name_en=name_en, currency=currency, plain=plain)
            for code, name_lv, name_en, currency, plain in BASE_UNITS
            if code not in have
        ]
    )
