"""The national demo: three regions under one centre, a library that changes region on a date, and
the logins `make run` prints for the national statistician and each regional methodologist."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from parskats.accounts.models import User
from parskats.network.models import Network, OrgUnit
from parskats.network.timeline import hierarchy, year_end
from parskats.reporting.models import Report

from .conftest import client_for

pytestmark = pytest.mark.django_db
TODAY = "2023-02-01"  # the demo's open year is then 2022, and Rauna moves on 1 July 2022


@pytest.fixture
def demo_output():
    out = StringIO()
    call_command("load_demo", "--today", TODAY, stdout=out)
    return out.getvalue()


def region_of(network: Network, code: str, year: int) -> str:
    tree = hierarchy(network, year_end(year, network))
    unit = OrgUnit.objects.get(network=network, code=code)
    region = tree.ancestor_at_level(unit.pk, OrgUnit.Level.REGION)
    return region.code if region else ""


def test_three_regions_and_a_library_that_changes_region(demo_output):
    network = Network.objects.get(slug="latvija")
    regions = OrgUnit.objects.filter(network=network, level=OrgUnit.Level.REGION)
    assert sorted(regions.values_list("name", flat=True)) == ["Balvu reģions", "Cēsu reģions", "Valkas reģions"]
    assert region_of(network, "rauna", 2021) == "valka-regions"
    assert region_of(network, "rauna", 2022) == "cesu-regions"
    assert region_of(network, "seda", 2022) == "valka-regions"
    assert Report.objects.filter(period__network=network, unit__code="rauna").count() == 2  # 2021 and 2022


def test_make_run_lists_the_national_logins(demo_output):
    for email in (
        "statistika@example.org",
        "valka.metodikis@example.org",
        "cesis.metodikis@example.org",
        "balvi.metodikis@example.org",
    ):
        assert email in demo_output
        assert User.objects.get(email=email).check_password("parskats-demo")


def test_each_regional_methodologist_reviews_the_mover_for_her_years(demo_output):
    network = Network.objects.get(slug="latvija")
    reports = {r.period.year: r for r in Report.objects.filter(period__network=network, unit__code="rauna")}
    valka = client_for(User.objects.get(email="valka.metodikis@example.org"))
    cesis = client_for(User.objects.get(email="cesis.metodikis@example.org"))
    national = client_for(User.objects.get(email="statistika@example.org"))

    def review(client, year: int) -> int:
        return client.get(reverse("review:review", args=["latvija", reports[year].pk])).status_code

    assert (review(valka, 2021), review(valka, 2022)) == (200, 404)
    assert (review(cesis, 2021), review(cesis, 2022)) == (404, 200)
    assert (review(national, 2021), review(national, 2022)) == (200, 200)


def test_the_regional_board_counts_its_own_libraries(demo_output):
    balvi = client_for(User.objects.get(email="balvi.metodikis@example.org"))
    page = balvi.get(reverse("review:board", args=["latvija"]) + "?year=2022").content.decode()
    assert "Balvu reģions" in page and "Rugāju bibliotēka" in page
    assert "Cēsu Centrālā bibliotēka" not in page and "Sedas bibliotēka" not in page
    national = client_for(User.objects.get(email="statistika@example.org"))
    whole = national.get(reverse("review:board", args=["latvija"]) + "?year=2022").content.decode()
    assert "Rugāju bibliotēka" in whole and "Cēsu Centrālā bibliotēka" in whole and "Sedas bibliotēka" in whole


def test_a_regional_methodologist_has_no_way_into_the_valka_network(demo_output):
    valka = client_for(User.objects.get(email="valka.metodikis@example.org"))
    assert valka.get(reverse("review:board", args=["valka"])).status_code == 404
    assert valka.get(reverse("network:libraries", args=["valka"])).status_code == 404


def test_the_closed_years_were_accepted_nationally_and_the_figures_can_say_so(demo_output):
    from parskats.audit.models import AuditEntry

    closed = Report.objects.filter(period__network__slug="latvija", period__year__lt=2022)
    assert closed.exists() and set(closed.values_list("national_status", flat=True)) == {"accepted"}
    accepted = AuditEntry.objects.filter(action=AuditEntry.Action.NATIONAL_ACCEPTED).count()
    call_command("load_demo", "--today", TODAY, stdout=StringIO())  # again: nothing added
    assert AuditEntry.objects.filter(action=AuditEntry.Action.NATIONAL_ACCEPTED).count() == accepted
    statistician = User.objects.get(email="statistika@example.org")
    url = reverse("stats:dashboard", args=["latvija"])
    page = client_for(statistician).get(url + "?year=2022&status=accepted").content.decode()
    assert "Tikai valsts līmenī pieņemtās atskaites." in page
