"""A small network for tests: the 2021 reform in miniature.

Region → Strenči county (until 30.06.2021) and Valmiera county (from 01.07.2021), Valka county.
Library A (Sedas bibliotēka) moves from Strenči to Valmiera county; library B (Ērģemes pagasta
bibliotēka) stays in Valka county; a school library S is in Valka county.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from parskats.accounts.models import Role, User
from parskats.catalogue.loader import DATA_DIR, load_catalogue
from parskats.catalogue.models import Indicator, Survey
from parskats.network.models import Membership, Network, OrgUnit, PopulationServed
from parskats.reporting.models import Report, ReportingPeriod, Value

REFORM = dt.date(2021, 7, 1)
PASSWORD = "correct-horse-battery"


@dataclass
class World:
    network: Network
    other_network: Network
    region: OrgUnit
    strenci: OrgUnit
    valmiera: OrgUnit
    valka: OrgUnit
    library_a: OrgUnit
    library_b: OrgUnit
    school: OrgUnit
    other_library: OrgUnit
    survey: Survey
    periods: dict[int, ReportingPeriod]


def unit(network: Network, code: str, level: str, name: str, library_type: str = "", **extra: object) -> OrgUnit:
    return OrgUnit.objects.create(
        network=network, code=code, level=level, name=name, library_type=library_type, **extra
    )


def link(child: OrgUnit, parent: OrgUnit, start: dt.date, end: dt.date | None = None) -> Membership:
    return Membership.objects.create(child=child, parent=parent, valid_from=start, valid_to=end)


def user(email: str, name: str = "Testa Persona", **extra: object) -> User:
    return User.objects.create_user(email, PASSWORD, full_name=name, **extra)


def build_world() -> World:
    survey = load_catalogue(DATA_DIR / "lv-annual.toml").survey
    net = Network.objects.create(name="Testa reģions", slug="testa", is_demo=True)
    start = dt.date(2015, 1, 1)
    region = unit(net, "region", OrgUnit.Level.REGION, "Testa reģions")
    strenci = unit(net, "strenci", OrgUnit.Level.COUNTY, "Strenču novads", closed_on=REFORM - dt.timedelta(days=1))
    valmiera = unit(net, "valmiera", OrgUnit.Level.COUNTY, "Valmieras novads", opened_on=REFORM)
    valka = unit(net, "valka", OrgUnit.Level.COUNTY, "Valkas novads")
    link(strenci, region, start, REFORM - dt.timedelta(days=1))
    link(valmiera, region, REFORM)
    link(valka, region, start)
    library_a = unit(net, "seda", OrgUnit.Level.LIBRARY, "Sedas bibliotēka", OrgUnit.LibraryType.PUBLIC)
    library_b = unit(net, "ergeme", OrgUnit.Level.LIBRARY, "Ērģemes pagasta bibliotēka", OrgUnit.LibraryType.PUBLIC)
    school = unit(
        net, "valka-skola", OrgUnit.Level.LIBRARY, "Valkas pamatskolas bibliotēka", OrgUnit.LibraryType.SCHOOL
    )
    link(library_a, strenci, start, REFORM - dt.timedelta(days=1))
    link(library_a, valmiera, REFORM)
    link(library_b, valka, start)
    link(school, valka, start)
    for year, persons in ((2019, 12345), (2020, 12100), (2021, 11980), (2022, 11800)):
        PopulationServed.objects.create(unit=library_a, year=year, persons=persons)
        PopulationServed.objects.create(unit=library_b, year=year, persons=persons // 10)

    other = Network.objects.create(name="Cits tīkls", slug="cits")
    other_library = unit(other, "cita", OrgUnit.Level.LIBRARY, "Citas bibliotēka", OrgUnit.LibraryType.PUBLIC)

    periods = {
        year: ReportingPeriod.objects.create(
            network=net, survey=survey, year=year, opens_on=dt.date(year + 1, 1, 2), deadline=dt.date(year + 1, 2, 15)
        )
        for year in (2020, 2021)
    }
    return World(
        net, other, region, strenci, valmiera, valka, library_a, library_b, school, other_library, survey, periods
    )


def report_with(unit: OrgUnit, period: ReportingPeriod, **values: Decimal | int | str) -> Report:
    """A report with values by indicator code; "na" and "unknown" are stored as codes."""
    report = Report.objects.create(unit=unit, period=period)
    indicators = {i.code: i for i in Indicator.objects.filter(survey=period.survey, code__in=values)}
    for code, raw in values.items():
        if raw in ("na", "unknown"):
            Value.objects.create(report=report, indicator=indicators[code], code=raw)
        else:
            Value.objects.create(report=report, indicator=indicators[code], number=Decimal(str(raw)))
    return report


def give_role(person: User, network: Network, kind: str, library: OrgUnit | None = None) -> Role:
    return Role.objects.create(user=person, network=network, kind=kind, unit=library)


def article(network: Network, title: str = "Semināra jaunumi", **fields: object):
    """A news article, published an hour ago unless told otherwise."""
    import datetime as _dt

    from django.utils import timezone
    from django.utils.text import slugify

    from parskats.news.models import Article

    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("publish_at", timezone.now() - _dt.timedelta(hours=1))
    fields.setdefault("slug", slugify(title))
    fields.setdefault("body", "Teksts.")
    return Article.objects.create(network=network, title=title, **fields)
