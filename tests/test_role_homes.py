"""The page each role lands on after logging in, and the menu of each role on every page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parskats.accounts.models import Role
from parskats.reporting.models import Report, ReportingPeriod
from parskats.review.workflow import comment_on_report, return_report

from .conftest import client_for
from .factories import give_role, user
from .test_review_workflow import clean_submitted


def opened(period: ReportingPeriod) -> ReportingPeriod:
    """The reporting year open for reports, as the methodologist opens it."""
    period.status = ReportingPeriod.Status.OPEN
    period.save(update_fields=["status"])
    return period


@pytest.fixture
def open_year(world) -> ReportingPeriod:
    return opened(world.periods[2021])


def menu_of(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Galvenā izvēlne" class="main-nav">(.*?)</nav>', html, re.S)
    assert nav, "the page has no main menu"
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav.group(1), re.S)]


def test_the_reporter_starts_her_report_from_home(world, open_year, reporter_a):
    html = client_for(reporter_a).get("/").content.decode()
    start = reverse("reporting:start", args=[world.network.slug, open_year.pk, world.library_a.pk])
    assert f'action="{start}"' in html and "Sākt atskaiti" in html
    assert world.library_b.name not in html  # only her own library


def test_the_reporter_sees_how_far_her_report_is(world, open_year, reporter_a):
    report = Report.objects.create(unit=world.library_a, period=open_year)
    html = client_for(reporter_a).get("/").content.decode()
    assert reverse("reporting:form", args=[world.network.slug, report.pk]) in html
    assert "Turpināt atskaiti" in html and "Aizpildīti 0 no" in html
    assert "termiņš" in html


def test_returned_comments_are_on_the_reporters_home(world, open_year, reporter_a, methodologist):
    report = clean_submitted(world.library_a, open_year, reporter_a)
    comment_on_report(methodologist, report, "Pārbaudiet apmeklējumus.", "visits")
    return_report(methodologist, report, "Vispārīga piezīme.")
    html = client_for(reporter_a).get("/").content.decode()
    assert "Metodiķa komentāri" in html
    assert "Apmeklējumu kopskaits:</strong> Pārbaudiet apmeklējumus." in html and "Vispārīga piezīme." in html


def test_a_reporter_of_two_libraries_sees_both(world, open_year, reporter_a):
    give_role(reporter_a, world.network, Role.Kind.REPORTER, world.library_b)
    html = client_for(reporter_a).get("/").content.decode()
    assert html.count("Sākt atskaiti") == 2
    assert world.library_a.name in html and world.library_b.name in html


def test_the_methodologist_sees_the_year_and_the_next_report(world, open_year, reporter_a, reporter_b, methodologist):
    older = clean_submitted(world.library_b, open_year, reporter_b)
    clean_submitted(world.library_a, open_year, reporter_a)
    html = client_for(methodologist).get("/").content.decode()
    assert "2021. gads īsumā" in html
    next_link = reverse("review:review", args=[world.network.slug, older.pk])
    assert f'<a class="button" href="{next_link}">Pārbaudīt nākamo atskaiti: {world.library_b.name}</a>' in html
    assert "<strong>2</strong> iesniegtas, gaida jūsu pārbaudi" in html
    assert "<strong>1</strong> nav sāktas" in html  # the school's


def test_a_viewer_lands_on_the_figures(world, viewer):
    response = client_for(viewer).get("/")
    assert response.status_code == 302 and response.url == reverse("stats:dashboard", args=[world.network.slug])


def test_a_person_without_a_role_is_told_so(db):
    html = client_for(user("neviens@example.org", "Neviens")).get("/").content.decode()
    assert "Jūsu kontam vēl nav lomas" in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("reporter_a", ["Sākums", "Manas atskaites", "Skaitļi", "Semināri", "Jaunumi"]),
        (
            "methodologist",
            [
                "Sākums",
                "Iesniegšanas gaita",
                "Bibliotēkas",
                "Skaitļi",
                "Semināri",
                "Reģiona gada pārskats",
                "Redakcija",
            ],
        ),
        ("viewer", ["Skaitļi", "Iesniegšanas gaita", "Bibliotēkas", "Reģiona gada pārskats", "Jaunumi"]),
    ],
)
def test_each_role_has_its_menu_on_every_page(request, world, persona, expected):
    person = request.getfixturevalue(persona)
    client = client_for(person)
    pages = [reverse("accounts:profile"), reverse("news:list"), reverse("stats:dashboard", args=[world.network.slug])]
    if persona == "methodologist":
        pages.append(reverse("news:desk"))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert menu_of(response.content.decode())[: len(expected)] == expected, url


def test_the_menu_marks_where_the_reader_is(world, methodologist):
    html = client_for(methodologist).get(reverse("review:board", args=[world.network.slug])).content.decode()
    assert re.search(r'<a href="[^"]+" aria-current="page">Iesniegšanas gaita</a>', html)
    assert html.count('aria-current="page"') == 1


def test_the_anonymous_reader_gets_the_public_menu(world):
    html = client_for(None).get(reverse("public_stats:dashboard", args=[world.network.slug])).content.decode()
    assert menu_of(html) == ["Jaunumi", "Skaitļi", "Reģiona gada pārskats", "Pieteikties"]
    assert reverse("stats:dashboard", args=[world.network.slug]) not in html


def test_a_network_fed_by_a_survey_gives_its_methodologist_the_import_in_the_menu(world, methodologist):
    from parskats.network.models import Network

    client = client_for(methodologist)
    assert "Datu imports" not in menu_of(client.get(reverse("accounts:profile")).content.decode())
    for slug, page in (("en-librarydata", "pls:surveys"), ("us-pls", "pls:home")):
        network = Network.objects.create(name=slug, slug=slug)
        Role.objects.create(user=methodologist, network=network, kind=Role.Kind.ADMIN)
        html = client.get(reverse("stats:tokens", args=[slug])).content.decode()
        assert "Datu imports" in menu_of(html) and f'href="{reverse(page, args=[slug])}"' in html
        Role.objects.filter(user=methodologist, network=network).delete()
