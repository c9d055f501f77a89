"""The permission matrix of every review page: reporter A, reporter B, the methodologist, a viewer,
another network's methodologist and the anonymous visitor. Refusals change nothing."""

from __future__ import annotations

import pytest

from parskats.accounts.models import Invitation, Role
from parskats.audit.models import AuditEntry
from parskats.network.models import Membership, OrgUnit
from parskats.reporting.models import Report, ReportingPeriod
from parskats.review.models import ReviewComment

from .conftest import client_for
from .factories import report_with

PERSONAS = ["anonymous", "reporter_a", "reporter_b", "methodologist", "viewer", "other_methodologist"]


@pytest.fixture
def people(request, world, reporter_a, reporter_b, methodologist, viewer, other_methodologist):
    return {name: (None if name == "anonymous" else request.getfixturevalue(name)) for name in PERSONAS}


@pytest.fixture
def report_a(world):
    report = report_with(world.library_a, world.periods[2021], visits=1200)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    report.refresh_from_db()
    return report


def expected(persona: str, allowed: set[str]) -> int:
    if persona in allowed:
        return 200
    return 302 if persona == "anonymous" else 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_pages(people, persona, world, report_a):
    client = client_for(people[persona])
    net = world.network.slug
    whole_network = {"methodologist", "viewer"}
    readers_of_a = {"methodologist", "viewer", "reporter_a"}
    pages = {
        f"/n/{net}/review/": whole_network,
        f"/n/{net}/review/board.xlsx": whole_network,
        f"/n/{net}/review/reports/{report_a.pk}/": {"methodologist"},
        f"/n/{net}/review/reports/{report_a.pk}/feedback/": readers_of_a,
        f"/n/{net}/review/reports/{report_a.pk}/history/": readers_of_a,
        f"/n/{net}/review/reports/{report_a.pk}/history/visits/": readers_of_a,
        f"/n/{net}/review/people/": {"methodologist"},
        f"/n/{net}/review/years/": {"methodologist"},
        f"/n/{net}/review/libraries/": {"methodologist"},
        f"/n/{net}/review/libraries/ergeme/": {"methodologist"},
        f"/n/{net}/review/years/{world.periods[2021].pk}/": {"methodologist"},
    }
    for url, allowed in pages.items():
        response = client.get(url)
        assert response.status_code == expected(persona, allowed), (url, response.status_code)


def test_a_report_is_only_found_under_its_own_network(world, report_a, other_methodologist, methodologist):
    # The other network's methodologist, with the report id in their own network's URL.
    client = client_for(other_methodologist)
    assert client.get(f"/n/{world.other_network.slug}/review/reports/{report_a.pk}/").status_code == 404
    assert client.get(f"/n/{world.other_network.slug}/review/reports/{report_a.pk}/history/").status_code == 404


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "methodologist"])
def test_actions_are_refused_and_change_nothing(people, persona, world, report_a):
    client = client_for(people[persona])
    net = world.network.slug
    base = f"/n/{net}/review/reports/{report_a.pk}"
    posts = [
        (f"{base}/comment/", {"target": "visits", "text": "Pārbaudiet."}),
        (f"{base}/return/", {"comment": "Labojiet."}),
        (f"{base}/approve/", {}),
        (f"{base}/reopen/", {"reason": "Tāpat."}),
        (f"/n/{net}/review/approve/", {"year": "2021", "report": [str(report_a.pk)]}),
        (
            f"/n/{net}/review/people/invite/",
            {"email": "x@example.org", "full_name": "X", "kind": "admin", "language": "lv"},
        ),
        (f"/n/{net}/review/people/roles/{Role.objects.filter(network=world.network).first().pk}/remove/", {}),
        (
            f"/n/{net}/review/years/",
            {"survey": world.survey.pk, "year": 2022, "opens_on": "2023-01-02", "deadline": "2023-02-15"},
        ),
        (
            f"/n/{net}/review/years/{world.periods[2021].pk}/",
            {"opens_on": "2022-01-02", "deadline": "2022-12-31", "status": "open"},
        ),
        (
            f"/n/{net}/review/libraries/",
            {
                "code": "jauna",
                "name": "Jauna",
                "library_type": "public",
                "county": world.valka.pk,
                "valid_from": "2022-01-01",
            },
        ),
        (f"/n/{net}/review/libraries/ergeme/", {"form": "move", "county": world.valka.pk, "on": "2022-01-01"}),
    ]
    roles_before = Role.objects.count()
    memberships_before = Membership.objects.count()
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if persona == "anonymous" else 404), (url, response.status_code)
        if persona == "anonymous":
            assert "/accounts/login/" in response["Location"]
    report_a.refresh_from_db()
    assert report_a.status == Report.Status.SUBMITTED
    assert not ReviewComment.objects.exists()
    assert not AuditEntry.objects.exists()
    assert not Invitation.objects.exists()
    assert Role.objects.count() == roles_before
    assert not ReportingPeriod.objects.filter(year=2022).exists()
    assert ReportingPeriod.objects.get(pk=world.periods[2021].pk).deadline.isoformat() == "2022-02-15"
    assert Membership.objects.count() == memberships_before
    assert not OrgUnit.objects.filter(code="jauna").exists()


def test_reporter_does_not_see_unsent_review_comments_in_the_history(world, report_a, methodologist, reporter_a):
    client_for(methodologist).post(
        f"/n/{world.network.slug}/review/reports/{report_a.pk}/comment/",
        {"target": "visits", "text": "Slepens melnraksts"},
    )
    url = f"/n/{world.network.slug}/review/reports/{report_a.pk}/history/"
    assert "Slepens melnraksts" in client_for(methodologist).get(url).content.decode()
    assert "Slepens melnraksts" not in client_for(reporter_a).get(url).content.decode()
    assert "Slepens melnraksts" not in client_for(reporter_a).get(url.replace("history", "feedback")).content.decode()
