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


def matrix_objects(world: World) -> dict[str, str]:
    """Objects of network "testa" (own) and of the other network (other) for the permission matrix:
    an approved school report with a public story, seminars, news, annual reviews, an invitation."""
    import datetime as _dt

    from django.utils import timezone

    from parskats.accounts.invitations import token_hash
    from parskats.accounts.models import Invitation
    from parskats.catalogue.models import NarrativeSection
    from parskats.news.models import ArticleImage, Comment, Tag
    from parskats.news.stories import SUCCESS_STORY
    from parskats.reporting.models import Narrative
    from parskats.seminar.models import AgendaItem, Guest, Seminar
    from parskats.yearbook.models import AnnualReview
    from parskats.yearbook.workflow import create_review

    school = report_with(world.school, world.periods[2021], users=40)
    story = NarrativeSection.objects.get(survey=world.survey, code=SUCCESS_STORY)
    Narrative.objects.create(report=school, section=story, text="Lasīšanas nedēļa skolā.")
    Report.objects.filter(pk=school.pk).update(status=Report.Status.APPROVED)

    def seminar(network: Network, visibility: str) -> Seminar:
        item = Seminar.objects.create(
            network=network,
            title="Gada seminārs",
            year=2021,
            starts_at=timezone.now() + _dt.timedelta(days=30),
            place="Valka",
            visibility=visibility,
        )
        AgendaItem.objects.create(seminar=item, position=1, kind=AgendaItem.Kind.OPENING, title="Ievads", minutes=10)
        Guest.objects.create(seminar=item, name="Viesis", email="viesis@example.org")
        return item

    own_seminar = seminar(world.network, Seminar.Visibility.PARTICIPANTS)
    other_seminar = seminar(world.other_network, Seminar.Visibility.PUBLIC)

    draft = article(world.network, "Melnraksts", status="draft")
    published = article(world.network, "Publicēts raksts")
    other_article = article(world.other_network, "Cita tīkla ziņa")
    tag = Tag.objects.create(name="Semināri", slug="seminari")
    published.tags.add(tag)
    images = [
        ArticleImage.objects.create(article=a, image="news/x.jpg", alt_text="Attēls") for a in (draft, other_article)
    ]
    comments = [
        Comment.objects.create(article=a, name="Lasītājs", text="Paldies!", address_hash="x")
        for a in (published, other_article)
    ]

    for year in (2020, 2021):
        create_review(None, world.network, world.survey, year)
    for year in (2020, 2021):
        create_review(None, world.network, world.survey, year, world.region)  # the region's own
    AnnualReview.objects.filter(network=world.network, year=2020).update(
        status=AnnualReview.Status.PUBLISHED, published_at=timezone.now()
    )
    other_region = unit(world.other_network, "cits-region", OrgUnit.Level.REGION, "Cits reģions")
    link(world.other_library, other_region, dt.date(2015, 1, 1))
    other_period = ReportingPeriod.objects.create(
        network=world.other_network,
        survey=world.survey,
        year=2021,
        opens_on=_dt.date(2022, 1, 2),
        deadline=_dt.date(2022, 2, 15),
    )
    extra = user("papildu@example.org", "Papildu Persona")
    roles = [
        give_role(extra, world.network, Role.Kind.REPORTER, world.school),
        give_role(extra, world.other_network, Role.Kind.REPORTER, world.other_library),
    ]
    Invitation.objects.create(
        email="jauns@example.org",
        full_name="Jauna Persona",
        network=world.network,
        kind=Role.Kind.VIEWER,
        token_hash=token_hash("own-invitation-token"),
        expires_at=timezone.now() + _dt.timedelta(days=7),
    )
    return {
        "school": world.school.code,
        "region": world.region.code,
        "seminar": str(own_seminar.pk),
        "other_seminar": str(other_seminar.pk),
        "item": str(own_seminar.agenda_items.get().pk),
        "other_item": str(other_seminar.agenda_items.get().pk),
        "guest": str(own_seminar.guests.get().pk),
        "other_guest": str(other_seminar.guests.get().pk),
        "draft_article": str(draft.pk),
        "draft_slug": draft.slug,
        "published_slug": published.slug,
        "published_year": str(published.publish_at.year),  # type: ignore[union-attr]
        "other_article": str(other_article.pk),
        "other_slug": other_article.slug,
        "tag": tag.slug,
        "image": str(images[0].pk),
        "other_image": str(images[1].pk),
        "comment": str(comments[0].pk),
        "other_comment": str(comments[1].pk),
        "period_2021": str(world.periods[2021].pk),
        "other_period": str(other_period.pk),
        "role": str(roles[0].pk),
        "other_role": str(roles[1].pk),
        "invitation": "own-invitation-token",
    }
