"""The national demo: an invented national network of three library regions under one centre.

The Valka region is one of them (the same counties, libraries and invented figures as the Valka
demo network); the Cēsu and Balvu regions are new, with real place names and invented figures and
people. Raunas bibliotēka changes region on 1 July of the open year, from the Valka region
(Smiltenes novads) to the Cēsu region (Cēsu novads): its reports up to the year before are the Valka
region's to review, the open year's the Cēsu region's. The national statistician holds the
methodologist's role over the whole network; each regional methodologist over her region.

Each region has its own seminar and a published article (its own news feed), and the national
network a national article; the Valka demo network keeps its seminar, news and annual review.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import translation

from parskats.accounts.models import Role
from parskats.catalogue.models import Survey
from parskats.network.models import Network, OrgUnit
from parskats.reporting.models import Report
from parskats.review.demo import load_review_demo
from parskats.stats.cache import data_changed

from .demo import (
    COUNTIES,
    FIRST_NAMES,
    LIBRARIES,
    NETWORK_START,
    REFORM,
    REFORM_MOVES,
    DemoAccount,
    DemoLibrary,
    _demo_reports,
    _link,
    _unit,
    _user,
    demo_years,
)

NATIONAL_SLUG = "latvija"
NATIONAL_NAME = "Latvijas bibliotēku tīkls (demo)"
MOVER = "rauna"
# Region code → name, and its counties (code → name).
REGIONS = {
    "valka-regions": ("Valkas reģions", {code: name for code, (name, _s, _e) in COUNTIES.items()}),
    "cesu-regions": ("Cēsu reģions", {"cesu-novads": "Cēsu novads"}),
    "balvu-regions": ("Balvu reģions", {"balvu-novads": "Balvu novads"}),
}
OTHER_LIBRARIES = [
    DemoLibrary("cesis", "Cēsu Centrālā bibliotēka", "cesu-novads", size=15800, central=True),
    DemoLibrary("priekuli", "Priekuļu bibliotēka", "cesu-novads", size=2300),
    DemoLibrary("liepa", "Liepas bibliotēka", "cesu-novads", size=1100),
    DemoLibrary("vecpiebalga", "Vecpiebalgas bibliotēka", "cesu-novads", size=1200),
    DemoLibrary("balvi", "Balvu Centrālā bibliotēka", "balvu-novads", size=6400, central=True),
    DemoLibrary("rugaji", "Rugāju bibliotēka", "balvu-novads", size=1300),
    DemoLibrary("vilaka", "Viļakas bibliotēka", "balvu-novads", size=1400),
    DemoLibrary("baltinava", "Baltinavas bibliotēka", "balvu-novads", size=950),
]
PUBLIC_LIBRARIES = [lib for lib in LIBRARIES if lib.kind == OrgUnit.LibraryType.PUBLIC]
# The open year's reports that are not approved yet, so that each region has some to review.
OPEN_YEAR = {
    "priekuli": Report.Status.SUBMITTED,
    "rauna": Report.Status.SUBMITTED,
    "liepa": Report.Status.DRAFT,
    "vilaka": Report.Status.SUBMITTED,
    "baltinava": None,
}
REGIONAL_METHODOLOGISTS = {
    "valka-regions": ("valka.metodikis@example.org", "Rita Parauga"),
    "cesu-regions": ("cesis.metodikis@example.org", "Agnese Parauga"),
    "balvu-regions": ("balvi.metodikis@example.org", "Vineta Parauga"),
}


def move_date(today: dt.date) -> dt.date:
    """1 July of the open (last) demo year."""
    return dt.date(demo_years(today)[-1], 7, 1)


@transaction.atomic
def _national_units(network: Network, today: dt.date) -> tuple[dict[str, OrgUnit], dict[str, OrgUnit]]:
    """The country, its regions and counties, and the public libraries; (regions, libraries) by code."""
    country = _unit(network, "lv", level=OrgUnit.Level.COUNTRY, name="Latvija")
    regions, counties = {}, {}
    for code, (name, region_counties) in REGIONS.items():
        regions[code] = _unit(network, code, level=OrgUnit.Level.REGION, name=name)
        _link(regions[code], country, NETWORK_START)
        for county_code, county_name in region_counties.items():
            start, end = COUNTIES.get(county_code, (county_name, None, None))[1:]
            counties[county_code] = _unit(
                network, county_code, level=OrgUnit.Level.COUNTY, name=county_name, opened_on=start, closed_on=end
            )
            _link(counties[county_code], regions[code], start or NETWORK_START, end)
    libraries: dict[str, OrgUnit] = {}
    moves_on = move_date(today)
    for lib in PUBLIC_LIBRARIES + OTHER_LIBRARIES:
        unit = _unit(network, lib.code, level=OrgUnit.Level.LIBRARY, library_type=lib.kind, name=lib.name)
        libraries[lib.code] = unit
        start = lib.joins or NETWORK_START
        if lib.county in REFORM_MOVES:
            _link(unit, counties[lib.county], start, REFORM - dt.timedelta(days=1))
            _link(unit, counties[REFORM_MOVES[lib.county]], REFORM)
        elif lib.code == MOVER:
            _link(unit, counties[lib.county], start, moves_on - dt.timedelta(days=1))
            _link(unit, counties["cesu-novads"], moves_on)
        else:
            _link(unit, counties[lib.county], start)
    return regions, libraries


def _national_accounts(
    network: Network, regions: dict[str, OrgUnit], libraries: dict[str, OrgUnit]
) -> list[DemoAccount]:
    statistician = _user("statistika@example.org", "Valda Parauga")
    Role.objects.get_or_create(user=statistician, network=network, kind=Role.Kind.ADMIN, unit=None)
    accounts = [DemoAccount(statistician.email, statistician.full_name, "national statistician (the whole country)")]
    for code, (email, name) in REGIONAL_METHODOLOGISTS.items():
        person = _user(email, name)
        Role.objects.get_or_create(user=person, network=network, kind=Role.Kind.ADMIN, unit=regions[code])
        accounts.append(DemoAccount(email, name, f"methodologist of {regions[code].name} (national network)"))
    for index, lib in enumerate(OTHER_LIBRARIES):
        reporter = _user(f"{lib.code}@example.org", f"{FIRST_NAMES[-1 - index]} Parauga")
        Role.objects.get_or_create(user=reporter, network=network, kind=Role.Kind.REPORTER, unit=libraries[lib.code])
    return accounts


RETURNED_COMMENT = (
    "Lietotāju skaits pieaudzis par trešdaļu, bet apmeklējumu skaits sarucis; lūdzu, pārbaudiet kopā ar "
    "bibliotēku un atbildiet."
)


def _national_decisions(network: Network, today: dt.date) -> None:
    """The closed years' reports were accepted nationally; in the open year the national statistician
    has accepted some reports the regions approved and returned one to its region, so the national
    board shows every state. Run again, it adds nothing."""
    from django.utils import timezone

    from parskats.audit.models import AuditEntry, record
    from parskats.reporting.models import Report

    year = demo_years(today)[-1]
    statistician = Role.objects.filter(network=network, kind=Role.Kind.ADMIN, unit=None).first()
    approved = list(
        Report.objects.filter(period__network=network, period__year=year, status=Report.Status.APPROVED)
        .select_related("unit")
        .order_by("unit__code")
    )
    if statistician is None:
        return
    # The closed years went through both levels: accepted nationally by 1 June of the year after.
    closed = Report.objects.filter(
        period__network=network, period__year__lt=year, status=Report.Status.APPROVED, national_status=""
    )
    for report in closed.select_related("period"):
        report.national_status = Report.NationalStatus.ACCEPTED
        report.accepted_at = timezone.make_aware(dt.datetime(report.period.year + 1, 6, 1, 11))
        report.save(update_fields=["national_status", "accepted_at"])
        record(
            actor=statistician.user,
            channel=AuditEntry.Channel.FORM,
            action=AuditEntry.Action.NATIONAL_ACCEPTED,
            network=network,
            report=report,
            target="national_status",
            old="",
            new=report.national_status,
        )
    if any(r.national_status for r in approved):
        return
    now = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=1), dt.time(11)))
    for report in approved:  # the regions approved them the day before the demo's today
        if report.approved_at is None:
            report.approved_at = now
            report.save(update_fields=["approved_at"])
    for index, report in enumerate(approved):
        if index % 3 == 2:
            continue  # waits for the national level
        returned = index == 1
        report.national_status = Report.NationalStatus.RETURNED if returned else Report.NationalStatus.ACCEPTED
        report.national_comment = RETURNED_COMMENT if returned else ""
        report.accepted_at = None if returned else now
        report.save(update_fields=["national_status", "national_comment", "accepted_at"])
        record(
            actor=statistician.user,
            channel=AuditEntry.Channel.FORM,
            action=AuditEntry.Action.NATIONAL_RETURNED if returned else AuditEntry.Action.NATIONAL_ACCEPTED,
            network=network,
            report=report,
            target="national_status",
            old="",
            new=report.national_status,
            note=report.national_comment,
        )


def load_national_demo(survey: Survey, today: dt.date) -> list[DemoAccount]:
    """The national demo network; run again it adds only what is missing."""
    network, _ = Network.objects.get_or_create(slug=NATIONAL_SLUG, defaults={"name": NATIONAL_NAME, "is_demo": True})
    regions, libraries = _national_units(network, today)
    _demo_reports(network, survey, libraries, today, PUBLIC_LIBRARIES + OTHER_LIBRARIES, OPEN_YEAR)
    accounts = _national_accounts(network, regions, libraries)
    load_review_demo(network)  # when each report came in, and its warnings explained
    _national_decisions(network, today)
    _regional_sites(network, regions, today)
    _annual_reviews(network, survey, regions, today)
    data_changed(network.pk)  # values were bulk-created, which sends no signals
    return accounts


# Regions as sites of their own: each region's seminar and news, and the national network's news.
REGION_TOWNS = {"valka-regions": "Valkā", "cesu-regions": "Cēsīs", "balvu-regions": "Balvos"}


@transaction.atomic
def _regional_sites(network: Network, regions: dict[str, OrgUnit], today: dt.date) -> None:
    """One seminar and one published article per region, one national article; run again, it adds
    only what is missing (found by title and by address)."""
    from parskats.news.models import Article
    from parskats.seminar.agenda import RIGA, proposed_items
    from parskats.seminar.models import AgendaItem, Seminar

    year = demo_years(today)[-2]  # the last year whose reports are all approved
    national = Role.objects.filter(network=network, kind=Role.Kind.ADMIN, unit=None).select_related("user").first()
    for index, (code, region) in enumerate(regions.items()):
        town = REGION_TOWNS[code]
        author = Role.objects.filter(network=network, kind=Role.Kind.ADMIN, unit=region).select_related("user").first()
        title = f"{region.name}: mana bibliotēka {year}. gadā"
        if not Seminar.objects.filter(network=network, region=region, title=title).exists():
            seminar = Seminar.objects.create(
                network=network,
                region=region,
                title=title,
                year=year,
                starts_at=dt.datetime(year + 1, 3, 3 + index, 10, 0, tzinfo=RIGA),
                place=f"{town}, Centrālās bibliotēkas zālē",
                visibility=Seminar.Visibility.PUBLIC,
                created_by=author.user if author else None,
            )
            with translation.override("lv"):
                AgendaItem.objects.bulk_create(proposed_items(seminar))
        slug = f"{code}-seminars-{year}"
        if not Article.objects.filter(slug=slug).exists():
            Article.objects.create(
                network=network,
                region=region,
                slug=slug,
                title=f"{region.name}: bibliotekāri tiekas {town}",
                lead=f"Reģiona bibliotēku darbinieki pārrunāja {year}. gada paveikto un dalījās veiksmes stāstos.",
                body=f"Reģiona bibliotēku seminārā „Mana bibliotēka {year}. gadā“ katra bibliotēka pastāstīja "
                f"par savu gadu.\n\n*Demonstrācijas raksts: personas un skaitļi ir izdomāti.*\n",
                signature=author.user.full_name if author else "",
                status=Article.Status.PUBLISHED,
                publish_at=dt.datetime(year + 1, 3, 3 + index, 15, 0, tzinfo=RIGA),
                author=author.user if author else None,
            )
    slug = f"latvija-kopsavilkums-{year}"
    if not Article.objects.filter(slug=slug).exists():
        Article.objects.create(
            network=network,
            slug=slug,
            title=f"Valsts bibliotēku tīkls: {year}. gada kopsavilkums",
            lead="Trīs reģionu bibliotēku gada skaitļi un pārskati vienuviet.",
            body="Katrs reģions sagatavoja savu gada pārskatu; valsts kopsavilkumā ir visu reģionu galvenie "
            "rādītāji.\n\n*Demonstrācijas raksts: personas un skaitļi ir izdomāti.*\n",
            signature=national.user.full_name if national else "",
            status=Article.Status.PUBLISHED,
            publish_at=dt.datetime(year + 1, 3, 10, 12, 0, tzinfo=RIGA),
            author=national.user if national else None,
        )


# The year before the open one has its annual reviews: each region's by its methodologist (Balvu's
# still a draft) and the national one, all but Balvu's published, so the national summary and the
# public site by region have something to show.
REVIEW_SUMMARIES = {
    "valka-regions": "Valkas reģiona bibliotēkas gadu aizvadīja kā kopienu satikšanās vietas.",
    "cesu-regions": "Cēsu reģionā lasītāji atgriezās bibliotēkās, un pieauga pasākumu apmeklējums.",
    "balvu-regions": "Balvu reģiona bibliotēkas turpināja digitālo prasmju apmācības senioriem.",
}
DRAFT_REGION = "balvu-regions"


def _annual_reviews(network: Network, survey: Survey, regions: dict[str, OrgUnit], today: dt.date) -> None:
    from parskats.yearbook.models import AnnualReview
    from parskats.yearbook.workflow import create_review, save_texts, set_status

    year = demo_years(today)[-2]
    statistician = Role.objects.filter(network=network, kind=Role.Kind.ADMIN, unit=None).select_related("user").first()
    if statistician is None:
        return
    parts: list[tuple[OrgUnit | None, str]] = [(regions[code], text) for code, text in REVIEW_SUMMARIES.items()]
    parts.append((None, "Trīs reģionu bibliotēku gada skaitļi un pārskati vienuviet."))
    for region, summary in parts:
        if AnnualReview.objects.filter(network=network, survey=survey, year=year, region=region).exists():
            continue
        author = statistician.user
        if region is not None:
            own = Role.objects.filter(network=network, kind=Role.Kind.ADMIN, unit=region).select_related("user").first()
            author = own.user if own is not None else author
        with transaction.atomic():
            review = create_review(author, network, survey, year, region)
            review = save_texts(
                author,
                review,
                review.version,
                summary=f"{summary}\n\nŠis ir **demonstrācijas** pārskats: visi skaitļi un teksti ir izdomāti.",
            )
            if region is not None and region.code == DRAFT_REGION:
                continue
            review = set_status(author, review, AnnualReview.Status.APPROVED)
            set_status(author, review, AnnualReview.Status.PUBLISHED)
