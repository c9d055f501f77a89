"""Figures counted at "accepted nationally" in a network that reviews on two levels: the page,
the public page and the API count only the reports the national level accepted (their coverage
says how many); a network reviewing on one level refuses the choice with a clear message; an
acceptance shows on the next request.

Library A (Sedas bibliotēka) and B (Ērģeme) are approved by their areas in 2021 with 100 and 40
loans; the world's network has area methodologists, so it reviews on two levels."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from parskats.reporting.models import Report
from parskats.review.national import accept_report
from parskats.stats.aggregate import Scope

from .conftest import client_for
from .factories import report_with


@pytest.fixture
def approved(world, part_methodologist_a, part_methodologist_b):
    reports = {}
    for key, library, loans in (("a", world.library_a, 100), ("b", world.library_b, 40)):
        report = report_with(library, world.periods[2021], loans=loans)
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.APPROVED, submitted_at=timezone.now(), approved_at=timezone.now()
        )
        reports[key] = Report.objects.get(pk=report.pk)
    return reports


def api_total(status: str) -> tuple[int, dict]:
    url = f"/api/networks/testa/aggregates/?year=2021&group_by=network&indicator=loans&status={status}"
    response = client_for(None).get(url)
    body = response.json()
    return response.status_code, body["results"][-1]["cells"]["loans"] if response.status_code == 200 else body["error"]


def test_the_api_counts_only_accepted_reports_when_asked(approved, methodologist):
    accept_report(methodologist, approved["a"])
    status, loans = api_total("approved")
    assert status == 200 and loans["value"] == 140 and loans["reported"] == 2
    status, loans = api_total("accepted")
    assert status == 200 and loans["value"] == 100 and loans["reported"] == 1
    # The next acceptance shows on the next request: the figures cache moved with the report.
    accept_report(methodologist, approved["b"])
    assert api_total("accepted")[1]["value"] == 140


def test_the_dashboard_offers_and_says_accepted_nationally(approved, methodologist, viewer):
    accept_report(methodologist, approved["a"])
    url = reverse("stats:dashboard", args=["testa"])
    page = client_for(viewer).get(url + "?year=2021&status=accepted").content.decode()
    assert "Tikai valsts līmenī pieņemtās atskaites." in page
    assert '<option value="accepted" selected>' in page
    # The public reads the same choice (accepted reports are a part of the approved ones).
    public = client_for(None).get(reverse("public_stats:dashboard", args=["testa"]) + "?year=2021&status=accepted")
    assert public.status_code == 200 and "Tikai valsts līmenī pieņemtās atskaites." in public.content.decode()
    default = client_for(None).get(reverse("public_stats:dashboard", args=["testa"])).content.decode()
    assert '<option value="accepted"' in default


def test_a_one_level_network_refuses_accepted_with_a_reason(figures_one_level):
    status, body = api_total("accepted")
    assert status == 400 and body["parameter"] == "status" and "approved" in body["message"]
    assert api_total("approved")[0] == 200


def test_a_one_level_network_has_no_accepted_choice(figures_one_level):
    url, client = figures_one_level
    page = client.get(url).content.decode()
    assert 'value="accepted"' not in page
    refused = client.get(url + "?status=accepted")
    assert refused.status_code == 400 and "„approved“" in refused.content.decode()


@pytest.fixture
def figures_one_level(world, methodologist):
    """The world's network without its area methodologists: it reviews on one level."""
    from parskats.accounts.models import Role

    report_with(world.library_a, world.periods[2021], loans=5)
    Role.objects.filter(network=world.network, unit__isnull=False, kind=Role.Kind.ADMIN).delete()
    return reverse("stats:dashboard", args=["testa"]), client_for(methodologist)


def test_the_cache_keeps_the_levels_apart():
    assert Scope(accepted_only=True).key() != Scope().key() != Scope(approved_only=False).key()
