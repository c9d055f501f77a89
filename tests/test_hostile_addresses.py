"""Every address of the site with hostile values in its path and query: huge and zero ids, impossible
and negative years, non-ASCII and over-long codes. The addresses are read from the URL configuration
itself (a new page is covered without being listed here); each parameter in turn gets each hostile
value while the others stay real, so the hostile one is what the view has to cope with. The answer
is a page, a redirect or a 4xx — never a 500."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import URLResolver, get_resolver

from .conftest import client_for
from .factories import matrix_objects, report_with

HOSTILE = {
    # int: only digits reach the view — but any number of them (past 64 bits: SQLite's OverflowError).
    "int": ["0", "9223372036854775808", "9" * 40],
    "year": ["0000", "0999", "9999"],
    "slug": ["-1", "x" * 400, "2021--"],
    "str": ["-1", quote("ā\u202eļ"), quote("2021' OR '1'='1"), "x" * 400, "%2E%2E"],
}
QUERIES = [
    "year=-1",
    "year=99999999999999999999999",
    "year=%D9%A2%D9%A0%D9%A2%D9%A1",  # Arabic-Indic digits: str.isdigit() is True
    "lapa=-1",
    "lapa=99999999999999999999999",
    "unit=-5",
    "unit=%C4%81",
    "county=99999999999999999999999",
    "status=%00",
    "sort=%E2%80%AE",
    "indicator=x%00",
    "boundaries=-1",
    "group_by=%C5%BE",
]
# Ending the session, switching language and the admin have their own tests.
SKIPPED = ("admin/", "accounts/logout/", "i18n/", "static/", "media/")
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def routes() -> list[str]:
    def walk(patterns: list, prefix: str) -> list[str]:
        found = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                found.extend(walk(pattern.url_patterns, route))
            elif not route.startswith(SKIPPED) and not route.startswith("^"):
                found.append(route)
        return found

    return walk(get_resolver().url_patterns, "")


@pytest.fixture
def real(world):
    """A real value for every parameter name the addresses use."""
    objects = matrix_objects(world)
    report = report_with(world.library_a, world.periods[2021], users=120)
    return {
        "network": world.network.slug,
        "code": world.library_a.code,
        "library": world.library_a.code,
        "report": str(report.pk),
        "report_id": str(report.pk),
        "period": str(world.periods[2021].pk),
        "period_id": objects["period_2021"],
        "unit": str(world.library_a.pk),
        "pk": objects["seminar"],
        "item_id": objects["item"],
        "guest_id": objects["guest"],
        "role_id": objects["role"],
        "year": "2021",
        "slug": objects["published_slug"],
        "target": "users",
        "fmt": "csv",
        "key": "overview",
    }


def test_the_addresses_read_from_the_configuration_cover_the_site():
    found = routes()
    assert len(found) > 100
    assert any("<year:year>" in r for r in found) and any("<int:report>" in r for r in found)


def test_no_hostile_path_parameter_is_a_500(world, methodologist, real):
    client = client_for(methodologist)
    client.raise_request_exception = False
    failures, requests = [], 0
    for route in routes():
        parameters = PARAMETER.findall(route)
        for position, (converter, _name) in enumerate(parameters):
            for value in HOSTILE.get(converter or "str", []):
                index = iter(range(len(parameters)))

                def fill(match: re.Match[str], value: str = value, position: int = position) -> str:
                    here = next(index)  # noqa: B023  (one counter per address built)
                    return value if here == position else real.get(match.group(2), "1")

                path = "/" + PARAMETER.sub(fill, route)
                status = client.get(path).status_code
                requests += 1
                if status >= 500:
                    failures.append((path[:120], status))
    assert requests > 500
    assert failures == []


def test_no_hostile_query_value_is_a_500(world, methodologist, real):
    client = client_for(methodologist)
    client.raise_request_exception = False
    pages = [
        "/jaunumi/",
        f"/n/{real['network']}/",
        f"/n/{real['network']}/reports/",
        f"/n/{real['network']}/review/",
        f"/n/{real['network']}/review/board.xlsx",
        f"/n/{real['network']}/figures/",
        f"/n/{real['network']}/figures/area/{real['code']}/",
        f"/n/{real['network']}/figures/library/{real['code']}/",
        f"/n/{real['network']}/figures/export/overview.csv",
        f"/n/{real['network']}/libraries/",
        f"/n/{real['network']}/libraries/{real['code']}/",
        f"/n/{real['network']}/annual-review/",
        f"/skaitli/{real['network']}/",
        f"/stasti/{real['network']}/",
    ]
    failures = []
    for page in pages:
        for query in QUERIES:
            status = client.get(f"{page}?{query}").status_code
            if status >= 500:
                failures.append((page, query, status))
    assert failures == []
