"""The demo network: the source region, the reform, plausible figures, and no duplicates on reload."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from parskats.accounts.models import Role, User
from parskats.network.models import Membership, Network, OrgUnit
from parskats.network.timeline import libraries_in
from parskats.reporting.models import Report, Value

pytestmark = pytest.mark.django_db


def counts():
    return (
        OrgUnit.objects.count(),
        Membership.objects.count(),
        Report.objects.count(),
        Value.objects.count(),
        User.objects.count(),
        Role.objects.count(),
    )


def test_loading_twice_duplicates_nothing():
    call_command("load_demo", stdout=StringIO())
    first = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first


def test_the_region_has_20_public_and_13_school_libraries_before_the_reform():
    call_command("load_demo", stdout=StringIO())
    network = Network.objects.get(slug="valka")
    assert network.is_demo
    region = OrgUnit.objects.get(network=network, code="valka-regions")
    assert len(libraries_in(region, 2020, "public")) == 20
    assert len(libraries_in(region, 2020, "school")) == 13
    strenci = OrgUnit.objects.get(network=network, code="strenci-novads")
    valmiera = OrgUnit.objects.get(network=network, code="valmiera-novads")
    assert len(libraries_in(strenci, 2020)) == 8 and libraries_in(valmiera, 2020) == []
    assert len(libraries_in(valmiera, 2021)) == 8


def regional_total(code: str, year: int) -> Decimal:
    return Value.objects.filter(
        indicator__code=code, report__period__year=year, report__period__network__slug="valka", code="num"
    ).aggregate(total=Sum("number"))["total"]


def test_the_pandemic_year_is_visibly_lower_in_visits_and_higher_online():
    call_command("load_demo", stdout=StringIO())
    assert regional_total("visits_inperson", 2020) < Decimal("0.75") * regional_total("visits_inperson", 2019)
    assert regional_total("events_virtual", 2020) > 3 * regional_total("events_virtual", 2019)
    assert regional_total("visits_virtual", 2020) > regional_total("visits_virtual", 2019)


def test_figures_are_consistent_parts_never_exceed_totals():
    call_command("load_demo", stdout=StringIO())
    for value in Value.objects.filter(indicator__parent__isnull=False, code="num").select_related("indicator__parent"):
        total = Value.objects.get(report=value.report_id, indicator=value.indicator.parent)
        if total.code == "num":
            assert value.number <= total.number, (value.report, value.indicator.code)


def test_demo_people_are_fictional_and_can_log_in():
    call_command("load_demo", stdout=StringIO())
    assert all(("Parauga" in u.full_name or "Paraugs" in u.full_name) for u in User.objects.exclude(is_superuser=True))
    user = User.objects.get(email="metodikis@example.org")
    assert user.check_password("parskats-demo")
    assert Role.objects.get(user=user).kind == Role.Kind.ADMIN
