"""The demo network: the Valka region of PRODUCT.md from 2019 to last year, with the 2021 territorial reform.

Place names are real; every figure and every person is invented (the people are called Paraugs /
Parauga, "sample"). Figures are drawn from a random generator seeded by library and year, so every
run produces the same numbers; 2020 shows the pandemic (fewer visits, more virtual activity). The years
move with the date: the last one is the year before "today" (`demo_today()`), open for reports with its
deadline ahead or just past, so the demo never reads "late by 1 386 days".
Running the loader again creates only what is missing and never changes what is there.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parskats.accounts.models import Role, User
from parskats.catalogue.loader import DATA_DIR, load_catalogue
from parskats.catalogue.models import Indicator, Survey
from parskats.network.models import Membership, Network, OrgUnit, PopulationServed
from parskats.news.demo import load_news_demo
from parskats.pls.demo import load_pls_demo
from parskats.reporting.demo import load_report_demo
from parskats.reporting.models import Report, ReportingPeriod, Value
from parskats.review.demo import load_review_demo
from parskats.seminar.demo import load_seminar_demo
from parskats.stats.cache import data_changed
from parskats.yearbook.demo import load_yearbook_demo

DEMO_PASSWORD = "parskats-demo"  # noqa: S105 - printed by `make run`; demo accounts only
NETWORK_SLUG = "valka"
FIRST_YEAR = 2019
LAST_FIXED_YEAR = 2022  # the years the tests know; later years are the recovery after the pandemic
REFORM = dt.date(2021, 7, 1)
NETWORK_START = dt.date(2015, 1, 1)

# Year effects: the pandemic closed doors in 2020 and half of 2021, and moved work online; the years
# after 2022 (AFTER_*) are back to about the level before it.
IN_PERSON = {2019: 1.0, 2020: 0.58, 2021: 0.68, 2022: 0.9}
VIRTUAL = {2019: 1.0, 2020: 2.3, 2021: 2.0, 2022: 1.5}
LOANS = {2019: 1.0, 2020: 0.8, 2021: 0.86, 2022: 0.95}
EVENTS_IN_PERSON = {2019: 1.0, 2020: 0.4, 2021: 0.5, 2022: 0.9}
EVENTS_VIRTUAL = {2019: (0, 2), 2020: (10, 25), 2021: (8, 20), 2022: (3, 9)}
DAYS_CLOSED = {2020: (45, 75), 2021: (25, 55), 2022: (0, 4)}
# Asked since 2020; after the pandemic a library closes for a day or two (a burst pipe, a move).
DAYS_CLOSED_FROM, AFTER_DAYS_CLOSED = 2020, (0, 2)
AFTER_IN_PERSON, AFTER_VIRTUAL, AFTER_LOANS, AFTER_EVENTS_IN_PERSON = 0.95, 1.4, 0.96, 1.0
AFTER_EVENTS_VIRTUAL = (2, 7)
# The usual deadline of a year's report (15 February); a demo loaded later moves the open year's to ahead.
DEADLINE = (2, 15)
DEADLINE_AHEAD = dt.timedelta(days=14)
DEADLINE_GRACE = dt.timedelta(days=7)


def demo_today() -> dt.date:
    return settings.PARSKATS_DEMO_TODAY or timezone.localdate()


def demo_years(today: dt.date) -> list[int]:
    """2019 to the last complete year before `today` (at least to 2022, the reform's aftermath)."""
    return list(range(FIRST_YEAR, max(today.year - 1, LAST_FIXED_YEAR) + 1))


def deadline_for(year: int, last: int, today: dt.date) -> dt.date:
    """15 February of the next year; for the open (last) year, if that is more than a week past, two weeks
    from today, so that the demo's reporters are on time or just late, never a year late."""
    usual = dt.date(year + 1, *DEADLINE)
    if year == last and today > usual + DEADLINE_GRACE:
        return today + DEADLINE_AHEAD
    return usual


@dataclass(frozen=True)
class DemoLibrary:
    code: str
    name: str
    county: str  # county code before the reform
    kind: str = OrgUnit.LibraryType.PUBLIC
    size: int = 600  # population served (public) or pupils and teachers (school)
    central: bool = False
    joins: dt.date | None = None  # joined the network (Ape and Rauna came with the 2021 reform)


COUNTIES = {
    "valka-novads": ("Valkas novads", None, None),
    "smiltene-novads": ("Smiltenes novads", None, None),
    "strenci-novads": ("Strenču novads", None, REFORM - dt.timedelta(days=1)),
    "valmiera-novads": ("Valmieras novads", REFORM, None),
}
# After the reform Strenči's libraries belong to Valmiera county.
REFORM_MOVES = {"strenci-novads": "valmiera-novads"}

LIBRARIES = [
    DemoLibrary("valka", "Valkas novada Centrālā bibliotēka", "valka-novads", size=8200, central=True),
    DemoLibrary("ergeme", "Ērģemes pagasta bibliotēka", "valka-novads", size=780),
    DemoLibrary("turna", "Turnas bibliotēka", "valka-novads", size=420),
    DemoLibrary("karki", "Kārķu pagasta bibliotēka", "valka-novads", size=510),
    DemoLibrary("lugazi", "Lugažu bibliotēka", "valka-novads", size=380),
    DemoLibrary("vijciems", "Vijciema pagasta bibliotēka", "valka-novads", size=640),
    DemoLibrary("zvartava", "Zvārtavas pagasta bibliotēka", "valka-novads", size=350),
    DemoLibrary("smiltene", "Smiltenes bibliotēka", "smiltene-novads", size=7600, central=True),
    DemoLibrary("bilska", "Bilskas pagasta bibliotēka", "smiltene-novads", size=1050),
    DemoLibrary("blome", "Blomes pagasta bibliotēka", "smiltene-novads", size=900),
    DemoLibrary("brantu", "Brantu bibliotēka", "smiltene-novads", size=560),
    DemoLibrary("grundzale", "Grundzāles pagasta bibliotēka", "smiltene-novads", size=830),
    DemoLibrary("launkalne", "Launkalnes pagasta bibliotēka", "smiltene-novads", size=980),
    DemoLibrary("palsmane", "Palsmanes pagasta bibliotēka", "smiltene-novads", size=870),
    DemoLibrary("varini", "Variņu pagasta bibliotēka", "smiltene-novads", size=720),
    DemoLibrary("strenci", "Strenču bibliotēka", "strenci-novads", size=1150),
    DemoLibrary("seda", "Sedas bibliotēka", "strenci-novads", size=1020),
    DemoLibrary("jerceni", "Jērcēnu pagasta bibliotēka", "strenci-novads", size=610),
    DemoLibrary("plani", "Plāņu pagasta bibliotēka", "strenci-novads", size=590),
    DemoLibrary("jaunklidzis", "Jaunklidža bibliotēka", "strenci-novads", size=330),
    # Came into Smiltene county (and so into the network) with the reform.
    DemoLibrary("ape", "Apes bibliotēka", "smiltene-novads", size=1700, joins=REFORM),
    DemoLibrary("rauna", "Raunas bibliotēka", "smiltene-novads", size=1500, joins=REFORM),
    # School libraries: pupils and teachers as their size.
    DemoLibrary("valka-gimnazija", "Valkas ģimnāzijas bibliotēka", "valka-novads", OrgUnit.LibraryType.SCHOOL, 520),
    DemoLibrary("valka-pamatskola", "Valkas pamatskolas bibliotēka", "valka-novads", OrgUnit.LibraryType.SCHOOL, 430),
    DemoLibrary("ergeme-skola", "Ērģemes pamatskolas bibliotēka", "valka-novads", OrgUnit.LibraryType.SCHOOL, 110),
    DemoLibrary("karki-skola", "Kārķu pamatskolas bibliotēka", "valka-novads", OrgUnit.LibraryType.SCHOOL, 90),
    DemoLibrary("smiltene-vsk", "Smiltenes vidusskolas bibliotēka", "smiltene-novads", OrgUnit.LibraryType.SCHOOL, 760),
    DemoLibrary("smiltene-psk", "Smiltenes pamatskolas bibliotēka", "smiltene-novads", OrgUnit.LibraryType.SCHOOL, 410),
    DemoLibrary("blome-skola", "Blomes pamatskolas bibliotēka", "smiltene-novads", OrgUnit.LibraryType.SCHOOL, 120),
    DemoLibrary(
        "launkalne-skola", "Launkalnes pamatskolas bibliotēka", "smiltene-novads", OrgUnit.LibraryType.SCHOOL, 140
    ),
    DemoLibrary(
        "palsmane-skola", "Palsmanes pamatskolas bibliotēka", "smiltene-novads", OrgUnit.LibraryType.SCHOOL, 100
    ),
    DemoLibrary("varini-skola", "Variņu pamatskolas bibliotēka", "smiltene-novads", OrgUnit.LibraryType.SCHOOL, 95),
    DemoLibrary("strenci-skola", "Strenču vidusskolas bibliotēka", "strenci-novads", OrgUnit.LibraryType.SCHOOL, 280),
    DemoLibrary("seda-skola", "Sedas pamatskolas bibliotēka", "strenci-novads", OrgUnit.LibraryType.SCHOOL, 130),
    DemoLibrary("jerceni-skola", "Jērcēnu pamatskolas bibliotēka", "strenci-novads", OrgUnit.LibraryType.SCHOOL, 85),
]
# Bilska library runs a branch in Birzuļi ("Birzuļi/Bilska library" in the source article).
BRANCHES = [("birzuli", "Birzuļu bibliotēka", "bilska")]

FIRST_NAMES = [
    "Anda", "Baiba", "Dace", "Daina", "Edīte", "Gunta", "Ilga", "Ināra", "Ieva", "Kristīne", "Laila", "Līga",
    "Maija", "Marta", "Nora", "Rasma", "Rūta", "Sandra", "Skaidrīte", "Solvita", "Una", "Vija", "Zane", "Zinta",
    "Aija", "Antra", "Dzintra", "Evija", "Gita", "Ilze", "Inga", "Jolanta", "Kaiva", "Lelde", "Linda", "Mārīte",
]  # fmt: skip


@dataclass
class DemoAccount:
    email: str
    name: str
    description: str


def _rng(*parts: object) -> random.Random:
    return random.Random("|".join(str(p) for p in parts))


def _around(rng: random.Random, value: float, spread: float = 0.08) -> int:
    return max(0, round(value * rng.uniform(1 - spread, 1 + spread)))


def figures(library: DemoLibrary, year: int) -> dict[str, Decimal | str]:
    """Fictional, internally consistent figures for one library and year ("na"/"unknown" as codes)."""
    rng = _rng(library.code, year)
    base = _rng(library.code)  # traits that do not change from year to year
    school = library.kind == OrgUnit.LibraryType.SCHOOL
    out: dict[str, float | int | str] = {}
    size = library.size * (1 - 0.012 * (year - FIRST_YEAR))  # the countryside shrinks a little every year

    if school:
        users = _around(rng, size * base.uniform(0.75, 0.95), 0.03)
        out["users_u18"] = _around(rng, users * 0.88, 0.02)
        hours = base.choice([30, 32.5, 35, 40])
    else:
        out["population"] = round(size)
        users = _around(rng, size * base.uniform(0.16, 0.34) * (0.93 if year in (2020, 2021) else 1.0))
        out["users_u18"] = _around(rng, users * base.uniform(0.18, 0.32))
        hours = 40 if library.central else base.choice([20, 24, 25, 30, 32, 35])
    out["users"] = users
    out["hours_week"] = hours
    if year >= DAYS_CLOSED_FROM:
        out["days_closed"] = rng.randint(*DAYS_CLOSED.get(year, AFTER_DAYS_CLOSED))
    out["computers"] = base.randint(8, 16) if library.central else base.randint(2, 6)

    per_user_visits = 9 if school else base.uniform(9, 16)
    in_person = _around(rng, users * per_user_visits * IN_PERSON.get(year, AFTER_IN_PERSON))
    virtual = _around(rng, users * base.uniform(1.5, 4) * VIRTUAL.get(year, AFTER_VIRTUAL), 0.15)
    out["visits_inperson"], out["visits_virtual"] = in_person, virtual
    out["visits"] = in_person + virtual

    loans = _around(rng, users * base.uniform(10, 19) * LOANS.get(year, AFTER_LOANS))
    out["loans"] = loans
    out["loans_books"] = round(loans * (0.86 if school else 0.78))
    out["loans_serials"] = round(loans * (0.04 if school else 0.19))
    out["loans_u18"] = round(loans * (0.9 if school else base.uniform(0.15, 0.3)))
    if not school:
        out["ebook_loans"] = _around(rng, size * 0.012 * VIRTUAL.get(year, AFTER_VIRTUAL), 0.3)
        out["ill_received"] = _around(rng, 60 if library.central else base.randint(5, 40), 0.3)
        out["ill_sent"] = _around(rng, 45 if library.central else base.randint(0, 8), 0.3)
        out["egov_assist"] = _around(
            rng, (900 if library.central else base.randint(40, 250)) * (1.3 if year in (2020, 2021) else 1), 0.2
        )

    collection = _around(rng, (size * 22 if school else min(size * 3.1, 60000)) * (1 + 0.005 * (year - 2019)), 0.02)
    out["collection"] = collection
    if school:
        out["collection_textbooks"] = round(collection * base.uniform(0.35, 0.5))
    out["acquisitions"] = _around(rng, collection * 0.045, 0.15)
    out["withdrawals"] = _around(rng, collection * 0.038, 0.2)
    out["periodicals"] = base.randint(40, 70) if library.central else base.randint(4, 25)

    ev_in = _around(
        rng,
        (110 if library.central else base.randint(14, 45)) * EVENTS_IN_PERSON.get(year, AFTER_EVENTS_IN_PERSON),
        0.15,
    )
    ev_virtual = rng.randint(*EVENTS_VIRTUAL.get(year, AFTER_EVENTS_VIRTUAL)) * (3 if library.central else 1)
    out["events_inperson"], out["events_virtual"] = ev_in, ev_virtual
    out["events"] = ev_in + ev_virtual
    out["event_attendance"] = _around(rng, ev_in * base.uniform(9, 18) + ev_virtual * base.uniform(15, 40))
    out["exhibitions"] = _around(rng, 40 if library.central else base.randint(6, 24), 0.2)
    out["reference"] = _around(rng, users * base.uniform(0.8, 2.2))

    staff = base.randint(10, 16) if library.central else 1 + (base.random() < 0.25)
    out["staff"] = staff
    out["staff_libedu"] = min(staff, round(staff * base.uniform(0.5, 1)))
    out["staff_fte"] = round(staff * (1 if library.central else base.choice([0.5, 0.75, 1])), 2)
    if not school:
        wages = float(out["staff_fte"]) * 13500 * (1 + 0.04 * (year - 2019))
        acquisitions_eur = (9000 if library.central else base.uniform(900, 2400)) * rng.uniform(0.9, 1.1)
        expenditure = wages + acquisitions_eur + (12000 if library.central else base.uniform(600, 2500))
        out["exp_staff"], out["exp_acquisitions"] = round(wages, 2), round(acquisitions_eur, 2)
        out["expenditure"] = round(expenditure, 2)
        out["income"] = round(expenditure * rng.uniform(1.0, 1.02), 2)
        out["income_municipal"] = round(float(out["income"]) * rng.uniform(0.93, 0.98), 2)

    # A few honest gaps: a library that did not count virtual visits before the pandemic,
    # and a small school library without periodicals.
    if library.code in {"lugazi", "zvartava"} and year == 2019:
        out["visits_virtual"] = "unknown"
        out["visits"] = "unknown"
    if library.code == "jerceni-skola":
        out["periodicals"] = "na"
    return {code: value if isinstance(value, str) else Decimal(str(value)) for code, value in out.items()}


def _status_for(code: str, year: int, last: int) -> str | None:
    """Past years are approved; for the last (open) year most are, some wait, a few have not started."""
    if year < last:
        return Report.Status.APPROVED
    roll = _rng("status", code).random()
    if roll < 0.68:
        return Report.Status.APPROVED
    if roll < 0.8:
        return Report.Status.SUBMITTED
    if roll < 0.86:
        return Report.Status.RETURNED
    if roll < 0.94:
        return Report.Status.DRAFT
    return None


def demo_value(report: Report, indicator: Indicator, raw: Decimal | str) -> Value:
    if isinstance(raw, str):
        return Value(report=report, indicator=indicator, code=raw)
    return Value(report=report, indicator=indicator, code=Value.Code.NUMBER, number=raw)


def _unit(network: Network, code: str, **fields: object) -> OrgUnit:
    unit, _ = OrgUnit.objects.get_or_create(network=network, code=code, defaults=fields)
    return unit


def _link(child: OrgUnit, parent: OrgUnit, start: dt.date, end: dt.date | None = None) -> None:
    Membership.objects.get_or_create(child=child, valid_from=start, defaults={"parent": parent, "valid_to": end})


def _user(email: str, name: str, language: str = "lv", **extra: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, language=language, **extra)
    return user


@transaction.atomic
def _demo_units(network: Network) -> dict[str, OrgUnit]:
    """The region's counties, libraries and branches with their links over time; libraries by code."""
    country = _unit(network, "lv", level=OrgUnit.Level.COUNTRY, name="Latvija")
    region = _unit(network, "valka-regions", level=OrgUnit.Level.REGION, name="Valkas reģions")
    _link(region, country, NETWORK_START)
    counties = {}
    for code, (name, start, end) in COUNTIES.items():
        counties[code] = _unit(network, code, level=OrgUnit.Level.COUNTY, name=name, opened_on=start, closed_on=end)
        _link(counties[code], region, start or NETWORK_START, end)

    units: dict[str, OrgUnit] = {}
    for lib in LIBRARIES:
        unit = _unit(network, lib.code, level=OrgUnit.Level.LIBRARY, library_type=lib.kind, name=lib.name)
        units[lib.code] = unit
        moved_to = REFORM_MOVES.get(lib.county)
        if moved_to:
            _link(unit, counties[lib.county], NETWORK_START, REFORM - dt.timedelta(days=1))
            _link(unit, counties[moved_to], REFORM)
        else:
            _link(unit, counties[lib.county], lib.joins or NETWORK_START)
    for code, name, parent_code in BRANCHES:
        branch = _unit(network, code, level=OrgUnit.Level.BRANCH, library_type=OrgUnit.LibraryType.PUBLIC, name=name)
        _link(branch, units[parent_code], NETWORK_START)
    return units


def _demo_reports(
    network: Network,
    survey: Survey,
    units: dict[str, OrgUnit],
    today: dt.date,
    libraries: list[DemoLibrary] | None = None,
    open_year: Mapping[str, str | None] | None = None,
) -> None:
    """Each year's period, population and report, filled in as far as its status says."""
    indicators = list(Indicator.objects.filter(survey=survey))
    years = demo_years(today)
    last = years[-1]
    for year in years:
        period, _ = ReportingPeriod.objects.get_or_create(
            network=network,
            survey=survey,
            year=year,
            defaults={
                "opens_on": dt.date(year + 1, 1, 2),
                "deadline": deadline_for(year, last, today),
                "status": ReportingPeriod.Status.OPEN if year == last else ReportingPeriod.Status.CLOSED,
            },
        )
        for lib in LIBRARIES if libraries is None else libraries:
            if lib.joins and lib.joins.year > year:
                continue
            unit = units[lib.code]
            values = figures(lib, year)
            if "population" in values:
                PopulationServed.objects.get_or_create(
                    unit=unit, year=year, defaults={"persons": int(values["population"])}
                )
            status = _status_for(lib.code, year, last)
            if year == last and open_year and lib.code in open_year:
                status = open_year[lib.code]
            if status is None:
                continue
            report, created = Report.objects.get_or_create(unit=unit, period=period, defaults={"status": status})
            if not created:
                continue
            # A draft is only partly filled in.
            wanted = [ind for ind in indicators if ind.on_form(year, lib.kind) and ind.code in values]
            if status == Report.Status.DRAFT:
                wanted = wanted[: len(wanted) // 2]
            Value.objects.bulk_create([demo_value(report, ind, values[ind.code]) for ind in wanted])


def _demo_accounts(network: Network, units: dict[str, OrgUnit]) -> list[DemoAccount]:
    """The demo people and their roles; the ones the README lists are returned."""
    accounts = [DemoAccount("metodikis@example.org", "Inese Parauga", "methodologist (network admin)")]
    admin = _user(accounts[0].email, accounts[0].name)
    Role.objects.get_or_create(user=admin, network=network, kind=Role.Kind.ADMIN, unit=None)
    viewer = _user("skatitajs@example.org", "Jānis Paraugs")
    Role.objects.get_or_create(user=viewer, network=network, kind=Role.Kind.VIEWER, unit=None)
    accounts.append(DemoAccount(viewer.email, viewer.full_name, "viewer (municipal official)"))
    for index, lib in enumerate(LIBRARIES):
        reporter = _user(f"{lib.code}@example.org", f"{FIRST_NAMES[index % len(FIRST_NAMES)]} Parauga")
        Role.objects.get_or_create(user=reporter, network=network, kind=Role.Kind.REPORTER, unit=units[lib.code])
        if index < 2:
            accounts.append(DemoAccount(reporter.email, reporter.full_name, f"reporter, {lib.name}"))
    # One person reporting for two libraries, as happens in small parishes.
    seda = User.objects.get(email="seda@example.org")
    Role.objects.get_or_create(user=seda, network=network, kind=Role.Kind.REPORTER, unit=units["plani"])
    accounts.append(DemoAccount(seda.email, seda.full_name, "reporter, Sedas bibliotēka and Plāņu pagasta bibliotēka"))
    superuser = _user("admin@example.org", "Sistēmas administrators", is_staff=True, is_superuser=True)
    accounts.append(DemoAccount(superuser.email, superuser.full_name, "system administrator (Django admin)"))
    return accounts


def load_demo(today: dt.date | None = None) -> list[DemoAccount]:
    """The demo as of `today` (default `demo_today()`): its last year is the year before."""
    today = today or demo_today()
    survey_manifest = DATA_DIR / "lv-annual.toml"
    survey = Survey.objects.filter(code="lv-annual").first() or load_catalogue(survey_manifest).survey

    network, _ = Network.objects.get_or_create(
        slug=NETWORK_SLUG, defaults={"name": "Valkas reģiona bibliotēkas", "is_demo": True}
    )
    units = _demo_units(network)
    _demo_reports(network, survey, units, today)
    accounts = _demo_accounts(network, units)
    load_report_demo(network)
    load_news_demo(network)
    load_review_demo(network)
    load_pls_demo()
    load_seminar_demo(network)
    load_yearbook_demo(network, survey)
    data_changed(network.pk)  # values were bulk-created, which sends no signals
    from .national_demo import load_national_demo  # it builds on this module's libraries and figures

    return accounts + load_national_demo(survey, today)
