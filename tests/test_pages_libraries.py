"""The first page: libraries grouped by county for a year, seen through each persona's rights."""

import pytest
from django.urls import reverse

from .conftest import client_for
from .factories import report_with


def libraries_url(world, **params):
    url = reverse("network:libraries", args=[world.network.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_anonymous_reader_is_sent_to_log_in(world):
    response = client_for(None).get(libraries_url(world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_methodologist_sees_libraries_grouped_by_county_on_the_boundaries_of_the_year(world, methodologist):
    client = client_for(methodologist)
    page_2020 = client.get(libraries_url(world, year=2020)).content.decode()
    assert "Strenču novads" in page_2020 and "Valmieras novads" not in page_2020
    assert page_2020.index("Strenču novads") < page_2020.index("Sedas bibliotēka") < page_2020.index("Valkas novads")
    page_2021 = client.get(libraries_url(world, year=2021)).content.decode()
    assert "Valmieras novads" in page_2021 and "Strenču novads" not in page_2021
    assert "3 bibliotēkas" in page_2021  # Latvian plural, on the boundaries of 31.12.2021.
    assert "31.12.2021." in page_2021


def test_numbers_are_formatted_the_latvian_way_and_the_english_way(world, methodologist):
    client = client_for(methodologist)
    assert "12\xa0100" in client.get(libraries_url(world, year=2020)).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(libraries_url(world, year=2020)).content.decode()
    assert "12,100" in page and "Population served" in page


def test_counties_and_libraries_sort_by_latvian_collation(world, methodologist):
    page = client_for(methodologist).get(libraries_url(world, year=2021)).content.decode()
    assert page.index("Valkas novads") < page.index("Valmieras novads")
    # Ē sorts with E, before V (by code points it would come after Z).
    valka_county = page[page.index("Valkas novads") : page.index("Valmieras novads")]
    assert valka_county.index("Ērģemes pagasta bibliotēka") < valka_county.index("Valkas pamatskolas bibliotēka")


def test_report_status_is_shown(world, methodologist):
    report_with(world.library_a, world.periods[2021], users=5)
    page = client_for(methodologist).get(libraries_url(world, year=2021)).content.decode()
    assert "status-draft" in page


def test_reporter_sees_only_their_own_library(world, reporter_a):
    page = client_for(reporter_a).get(libraries_url(world, year=2021)).content.decode()
    assert "Sedas bibliotēka" in page
    assert "Ērģemes" not in page and "Valkas pamatskolas" not in page


@pytest.mark.parametrize("persona", ["reporter_a", "reporter_b", "methodologist", "viewer", "other_methodologist"])
def test_library_page_permissions(world, request, persona):
    person = request.getfixturevalue(persona)
    client = client_for(person)
    own_status = client.get(reverse("network:library", args=[world.network.slug, world.library_a.code])).status_code
    other_status = client.get(reverse("network:library", args=[world.network.slug, world.library_b.code])).status_code
    expected = {
        "reporter_a": (200, 404),
        "reporter_b": (404, 200),
        "methodologist": (200, 200),
        "viewer": (200, 200),
        "other_methodologist": (404, 404),
    }[persona]
    assert (own_status, other_status) == expected


def test_a_reporter_cannot_see_another_librarys_page(world, reporter_a):
    response = client_for(reporter_a).get(reverse("network:library", args=[world.network.slug, world.library_b.code]))
    assert response.status_code == 404
    assert "Ērģemes" not in response.content.decode()


def test_library_page_shows_where_it_belongs_and_its_history(world, reporter_a):
    page = client_for(reporter_a).get(reverse("network:library", args=[world.network.slug, "seda"])).content.decode()
    assert "Valmieras novads › Testa reģions" in page
    assert "30.06.2021." in page and "01.07.2021." in page


def test_other_networks_are_invisible(world, other_methodologist):
    assert client_for(other_methodologist).get(libraries_url(world)).status_code == 404


@pytest.mark.parametrize("year", ["1990", "abc", "2020x", "-1"])
def test_an_unknown_year_is_a_404_not_a_500(world, methodologist, year):
    assert client_for(methodologist).get(libraries_url(world, year=year)).status_code == 404


def test_home_shows_the_reporter_her_library(world, reporter_a):
    response = client_for(reporter_a).get("/")
    assert response.status_code == 200
    assert world.library_a.name in response.content.decode()


def test_home_welcomes_the_anonymous_reader(db):
    page = client_for(None).get("/").content.decode()
    assert "Pārskats" in page and 'lang="lv"' in page


def test_login_by_email(world, reporter_a):
    client = client_for(None)
    response = client.post(
        reverse("accounts:login"), {"username": "REPORTER.A@example.org", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(libraries_url(world)).status_code == 200


def test_wrong_password_says_so_without_500(world, reporter_a):
    response = client_for(None).post(reverse("accounts:login"), {"username": reporter_a.email, "password": "nope"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


def test_a_large_network_lists_its_counties_first(world, methodologist, monkeypatch):
    """Above LIST_LIMIT libraries (a national network) the page lists counties with their counts, and
    one county's libraries, branches included, on request."""
    from parskats.network.models import OrgUnit
    from parskats.site import libraries_views as views

    from .factories import link, unit

    branch = unit(world.network, "seda-filiale", OrgUnit.Level.BRANCH, "Sedas filiāle")
    link(branch, world.library_a, world.periods[2020].opens_on.replace(year=2015))
    monkeypatch.setattr(views, "LIST_LIMIT", 1)
    client = client_for(methodologist)
    overview = client.get(libraries_url(world, year=2021)).content.decode()
    assert "Izvēlieties novadu, lai redzētu tā bibliotēkas." in overview
    assert "Sedas bibliotēka" not in overview and "county=valmiera" in overview
    county = client.get(libraries_url(world, year=2021, county="valmiera")).content.decode()
    assert "Sedas bibliotēka" in county and "Sedas filiāle" in county and "Ērģemes" not in county
    assert client.get(libraries_url(world, year=2021, county="strenci")).status_code == 404  # none that year
    assert client.get(libraries_url(world, year=2021, county="nav")).status_code == 404


def test_a_reporter_of_one_county_never_sees_another_through_the_county_filter(world, reporter_a):
    page = client_for(reporter_a).get(libraries_url(world, year=2021, county="valmiera")).content.decode()
    assert "Sedas bibliotēka" in page and "Ērģemes" not in page
    assert client_for(reporter_a).get(libraries_url(world, year=2021, county="valka")).status_code == 404
