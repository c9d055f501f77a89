"""Regions as sites of their own (issue 18 item 3): each region of a national network has its own
seminars, news (its own feed) and annual review, written by the region's methodologist and no one
else's; the whole network's methodologist writes all of them. The national network here has two
regions, Vidzeme (Valka county: Ērģeme) and Latgale (Balvu county: Rugāji)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from parskats.accounts.models import Role
from parskats.network.models import Network, OrgUnit
from parskats.reporting.models import Report, ReportingPeriod
from parskats.seminar.agenda import RIGA
from parskats.seminar.models import AgendaItem, Seminar

from .conftest import client_for
from .factories import give_role, link, report_with, unit, user

pytestmark = pytest.mark.django_db
START = dt.date(2015, 1, 1)


@pytest.fixture
def country(world):
    net = Network.objects.create(name="Valsts tīkls", slug="valsts")
    top = unit(net, "lv", OrgUnit.Level.COUNTRY, "Latvija")
    vidzeme = unit(net, "vidzeme", OrgUnit.Level.REGION, "Vidzemes reģions")
    latgale = unit(net, "latgale", OrgUnit.Level.REGION, "Latgales reģions")
    valka = unit(net, "valka", OrgUnit.Level.COUNTY, "Valkas novads")
    balvi = unit(net, "balvi", OrgUnit.Level.COUNTY, "Balvu novads")
    for region in (vidzeme, latgale):
        link(region, top, START)
    link(valka, vidzeme, START)
    link(balvi, latgale, START)
    ergeme = unit(net, "ergeme", OrgUnit.Level.LIBRARY, "Ērģemes bibliotēka", OrgUnit.LibraryType.PUBLIC)
    rugaji = unit(net, "rugaji", OrgUnit.Level.LIBRARY, "Rugāju bibliotēka", OrgUnit.LibraryType.PUBLIC)
    link(ergeme, valka, START)
    link(rugaji, balvi, START)
    for year in (2020, 2021):
        period = ReportingPeriod.objects.create(
            network=net, survey=world.survey, year=year, opens_on=dt.date(year + 1, 1, 2),
            deadline=dt.date(year + 1, 2, 15), status=ReportingPeriod.Status.OPEN,
        )  # fmt: skip
        for library, users in ((ergeme, 100 + year % 10), (rugaji, 300 + year % 10)):
            report = report_with(library, period, users=users)
            Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    people = {
        "vidzeme": user("vidzeme@example.org", "Vidzemes Metodiķe"),
        "latgale": user("latgale@example.org", "Latgales Metodiķe"),
        "valka_county": user("valka@example.org", "Valkas Metodiķe"),
        "national": user("valsts@example.org", "Valsts Statistiķe"),
        "ergeme_reporter": user("ergeme@example.org", "Ērģemes Atskaitītāja"),
        "rugaji_reporter": user("rugaji@example.org", "Rugāju Atskaitītāja"),
    }
    give_role(people["vidzeme"], net, Role.Kind.ADMIN, vidzeme)
    give_role(people["latgale"], net, Role.Kind.ADMIN, latgale)
    give_role(people["valka_county"], net, Role.Kind.ADMIN, valka)
    give_role(people["national"], net, Role.Kind.ADMIN)
    give_role(people["ergeme_reporter"], net, Role.Kind.REPORTER, ergeme)
    give_role(people["rugaji_reporter"], net, Role.Kind.REPORTER, rugaji)
    return {"network": net, "vidzeme": vidzeme, "latgale": latgale, "people": people}


def _seminar_post(region: OrgUnit | None, title: str = "Vidzemes seminārs") -> dict[str, str]:
    start = (timezone.now() + dt.timedelta(days=30)).astimezone(RIGA).replace(hour=10, minute=0)
    return {
        "region": str(region.pk) if region else "",
        "title": title,
        "year": "2021",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "place": "Valka",
        "slot_minutes": "5",
        "visibility": "participants",
    }


def _seminar(country, region: OrgUnit | None, title: str) -> Seminar:
    from parskats.seminar.services import create_seminar

    fields = {k: v for k, v in _seminar_post(region, title).items() if k not in ("region", "starts_at")}
    fields.update(year=2021, slot_minutes=5, starts_at=timezone.now() + dt.timedelta(days=30))
    return create_seminar(country["people"]["national"], country["network"], region=region, **fields)


SEMINARS = "/n/valsts/seminars/"


def test_a_region_methodologist_creates_her_region_seminar_with_only_its_libraries(country):
    client = client_for(country["people"]["vidzeme"])
    assert client.get(SEMINARS + "new/").status_code == 200
    response = client.post(SEMINARS + "new/", _seminar_post(country["vidzeme"]))
    seminar = Seminar.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert seminar.region == country["vidzeme"]
    libraries = [i.title for i in seminar.agenda_items.filter(kind=AgendaItem.Kind.LIBRARY)]
    assert libraries == ["Ērģemes bibliotēka"]
    page = client.get(f"{SEMINARS}{seminar.pk}/")
    assert [p.name for p in page.context["reporters"]] == ["Ērģemes Atskaitītāja"]  # the region's reporters only


def test_a_region_methodologist_cannot_make_another_regions_or_the_whole_networks_seminar(country):
    client = client_for(country["people"]["vidzeme"])
    for region in (country["latgale"], None):
        response = client.post(SEMINARS + "new/", _seminar_post(region))
        assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not Seminar.objects.exists()


def test_a_region_methodologist_edits_only_her_region_seminars(country):
    own = _seminar(country, country["vidzeme"], "Vidzemes seminārs")
    theirs = _seminar(country, country["latgale"], "Latgales seminārs")
    national = _seminar(country, None, "Valsts seminārs")
    client = client_for(country["people"]["vidzeme"])
    assert client.get(f"{SEMINARS}{own.pk}/edit/").status_code == 200
    assert client.get(f"{SEMINARS}{theirs.pk}/").status_code == 404  # another region's: not even read
    assert client.get(f"{SEMINARS}{theirs.pk}/edit/").status_code == 404
    assert client.get(f"{SEMINARS}{national.pk}/").status_code == 200  # the network's: read
    assert client.get(f"{SEMINARS}{national.pk}/edit/").status_code == 404
    listed = client.get(SEMINARS).content.decode()
    assert "Vidzemes seminārs" in listed and "Valsts seminārs" in listed and "Latgales seminārs" not in listed
    # A county methodologist inside the region reads the region's seminar but does not change it.
    county = client_for(country["people"]["valka_county"])
    assert county.get(f"{SEMINARS}{own.pk}/").status_code == 200
    assert county.get(f"{SEMINARS}{own.pk}/edit/").status_code == 404
    assert county.get(SEMINARS + "new/").status_code == 404
    # The whole network's methodologist changes all of them.
    national_client = client_for(country["people"]["national"])
    for seminar in (own, theirs, national):
        assert national_client.get(f"{SEMINARS}{seminar.pk}/edit/").status_code == 200


def test_a_region_seminars_figures_cover_the_region(country):
    from parskats.seminar.content import build_pack

    pack = build_pack(_seminar(country, country["vidzeme"], "Vidzemes seminārs"))
    assert [slide.name for slide in pack.libraries] == ["Ērģemes bibliotēka"]
    assert [c.label for c in pack.completeness] == ["Valkas novads", "Vidzemes reģions"]
    whole = build_pack(_seminar(country, None, "Valsts seminārs"))
    assert [c.label for c in whole.completeness][-1] == "Reģions"
    assert len(whole.libraries) == 2


def _article_post(region: OrgUnit | None, title: str) -> dict[str, str]:
    return {
        "region": str(region.pk) if region else "",
        "title": title,
        "slug": "",
        "lead": "",
        "body": "Teksts.",
        "signature": "",
        "language": "lv",
        "status": "published",
        "publish_at": "",
        "comments_open": "on",
        "tags_text": "",
    }


def test_a_region_methodologist_writes_her_regions_news_only(country):
    from parskats.news.models import Article

    from .factories import article

    client = client_for(country["people"]["vidzeme"])
    response = client.post("/jaunumi/redakcija/valsts/jauns/", _article_post(country["vidzeme"], "Vidzemes ziņa"))
    assert response.status_code == 302
    own = Article.objects.get(title="Vidzemes ziņa")
    assert own.region == country["vidzeme"]
    for region in (country["latgale"], None):
        refused = client.post("/jaunumi/redakcija/valsts/jauns/", _article_post(region, "Sveša ziņa"))
        assert refused.status_code == 400 and "region" in refused.context["form"].errors
    theirs = article(country["network"], "Latgales ziņa", region=country["latgale"])
    national = article(country["network"], "Valsts ziņa")
    assert client.get(f"/jaunumi/redakcija/raksts/{own.pk}/").status_code == 200
    for other in (theirs, national):
        assert client.get(f"/jaunumi/redakcija/raksts/{other.pk}/").status_code == 404
        assert client.post(f"/jaunumi/redakcija/raksts/{other.pk}/", _article_post(None, "X")).status_code == 404
    desk = client.get("/jaunumi/redakcija/").content.decode()
    assert "Vidzemes ziņa" in desk and "Latgales ziņa" not in desk and "Valsts ziņa" not in desk
    assert client.get("/jaunumi/redakcija/valsts/iestatijumi/").status_code == 404  # the network's settings
    # A county methodologist is no editor of the region's news.
    county = client_for(country["people"]["valka_county"])
    assert county.get("/jaunumi/redakcija/").status_code == 404
    assert county.get(f"/jaunumi/redakcija/raksts/{own.pk}/").status_code == 404
    # The whole network's methodologist edits every article of it.
    whole = client_for(country["people"]["national"])
    for item in (own, theirs, national):
        assert whole.get(f"/jaunumi/redakcija/raksts/{item.pk}/").status_code == 200


def test_the_public_region_news_and_feeds_list_only_the_regions_published_articles(country):
    from .factories import article

    article(country["network"], "Vidzemes ziņa", region=country["vidzeme"])
    article(country["network"], "Vidzemes melnraksts", region=country["vidzeme"], status="draft", publish_at=None)
    article(country["network"], "Latgales ziņa", region=country["latgale"])
    article(country["network"], "Valsts ziņa")
    anonymous = client_for(None)
    for address in ("/jaunumi/regions/valsts/vidzeme/", "/jaunumi/regions/valsts/vidzeme/rss/",
                    "/jaunumi/regions/valsts/vidzeme/atom/"):  # fmt: skip
        response = anonymous.get(address)
        text = response.content.decode()
        assert response.status_code == 200, address
        assert "Vidzemes ziņa" in text and "Latgales ziņa" not in text and "Valsts ziņa" not in text
        assert "Vidzemes melnraksts" not in text
    page = anonymous.get("/jaunumi/regions/valsts/vidzeme/").content.decode()
    assert "Jaunumi: Vidzemes reģions" in page and "/jaunumi/regions/valsts/vidzeme/rss/" in page
    # The whole list names each article's region, linked to its own news; the article page too.
    listed = anonymous.get("/jaunumi/").content.decode()
    assert 'href="/jaunumi/regions/valsts/latgale/"' in listed
    assert (
        'href="/jaunumi/regions/valsts/vidzeme/"'
        in anonymous.get(f"/jaunumi/{timezone.localdate().year}/vidzemes-zina/").content.decode()
    )
    for unknown in ("/jaunumi/regions/valsts/nav/", "/jaunumi/regions/nav/vidzeme/rss/",
                    "/jaunumi/regions/valsts/valka/atom/", "/jaunumi/regions/valsts/ergeme/"):  # fmt: skip
        assert anonymous.get(unknown).status_code == 404, unknown


REVIEWS = "/n/valsts/annual-review/"


def test_a_region_methodologist_starts_and_edits_her_regions_review_of_its_libraries_only(country):
    from parskats.yearbook.models import AnnualReview

    client = client_for(country["people"]["vidzeme"])
    index = client.get(REVIEWS)
    assert index.status_code == 200
    assert [name for _region, name, _years in index.context["starts"]] == ["Vidzemes reģions"]
    response = client.post(REVIEWS, {"year": "2021", "region": "vidzeme"})
    review = AnnualReview.objects.get()
    assert review.region == country["vidzeme"] and response["Location"] == f"{REVIEWS}r/vidzeme/2021/"
    page = client.get(f"{REVIEWS}r/vidzeme/2021/")
    assert page.status_code == 200
    outline = page.context["outline"]
    assert [unit.name for unit in outline.current.units.values()] == ["Ērģemes bibliotēka"]
    assert "Rugāju bibliotēka" not in page.content.decode()
    # Not another region's review, nor the whole network's.
    for code in ("latgale", None):
        assert client.post(REVIEWS, {"year": "2021", "region": code or ""}).status_code == 404
    assert AnnualReview.objects.count() == 1
    assert client.get(f"{REVIEWS}r/latgale/2021/").status_code == 404
    assert client.get(f"{REVIEWS}r/nav/2021/").status_code == 404
    assert client.get(f"{REVIEWS}r/valka/2021/").status_code == 404  # a county is not a region
    assert client.get(f"{REVIEWS}2021/").status_code == 404
    # Latgale's methodologist does not see Vidzeme's.
    other = client_for(country["people"]["latgale"])
    assert other.get(f"{REVIEWS}r/vidzeme/2021/").status_code == 404
    assert other.post(f"{REVIEWS}r/vidzeme/2021/texts/", {"version": "1", "title_lv": "X"}).status_code == 404


def test_the_national_summary_lists_each_regions_figures_and_its_published_review(country, monkeypatch):
    from parskats.yearbook.models import AnnualReview
    from parskats.yearbook.workflow import create_review

    net, survey = country["network"], ReportingPeriod.objects.filter(network=country["network"]).first().survey
    national = create_review(None, net, survey, 2021)
    vidzeme = create_review(None, net, survey, 2021, country["vidzeme"])
    AnnualReview.objects.filter(pk=vidzeme.pk).update(
        status=AnnualReview.Status.PUBLISHED, published_at=timezone.now(), summary="Vidzemē lasīja vairāk."
    )
    create_review(None, net, survey, 2021, country["latgale"])
    page = client_for(country["people"]["national"]).get(f"{REVIEWS}2021/")
    found = page.context["regions_summary"]
    assert [line.region.name for line in found.lines] == ["Latgales reģions", "Vidzemes reģions"]
    assert [(line.libraries, line.reports) for line in found.lines] == [(1, 1), (1, 1)]
    assert found.lines[1].public_url == f"{REVIEWS}r/vidzeme/2021/public/"
    assert found.lines[0].public_url == ""  # a draft is not linked for the public
    AnnualReview.objects.filter(pk=national.pk).update(status=AnnualReview.Status.PUBLISHED)
    public = client_for(None).get(f"{REVIEWS}2021/public/").content.decode()
    assert "Vidzemē lasīja vairāk." in public and f"{REVIEWS}r/vidzeme/2021/public/" in public
    assert client_for(None).get(f"{REVIEWS}r/vidzeme/2021/public/").status_code == 200
    assert client_for(None).get(f"{REVIEWS}r/latgale/2021/public/").status_code == 404
    # One aggregation, by region, for every region's line.
    import parskats.stats.aggregate as core
    from parskats.yearbook.summary import national_summary

    calls, real = [], core.aggregate_years

    def counting(network, survey, years, scope=core.COUNTY):
        calls.append(scope.group_by)
        return real(network, survey, years, scope)

    monkeypatch.setattr(core, "aggregate_years", counting)
    national_summary(national)
    assert calls == ["region"]


def test_the_public_site_can_be_browsed_by_region(country):
    from parskats.yearbook.models import AnnualReview
    from parskats.yearbook.workflow import create_review

    from .factories import article

    survey = ReportingPeriod.objects.filter(network=country["network"]).first().survey
    review = create_review(None, country["network"], survey, 2021, country["vidzeme"])
    AnnualReview.objects.filter(pk=review.pk).update(status=AnnualReview.Status.PUBLISHED)
    article(country["network"], "Vidzemes ziņa", region=country["vidzeme"])
    anonymous = client_for(None)
    home = anonymous.get("/").content.decode()
    for address in ("/skaitli/valsts/teritorija/vidzeme/", "/jaunumi/regions/valsts/vidzeme/",
                    "/jaunumi/regions/valsts/vidzeme/rss/", "/n/valsts/annual-review/r/vidzeme/2021/public/",
                    "/skaitli/valsts/teritorija/latgale/", "/jaunumi/regions/valsts/latgale/"):  # fmt: skip
        assert f'href="{address}"' in home, address
        assert anonymous.get(address).status_code == 200, address
    figures = anonymous.get("/skaitli/valsts/").content.decode()
    assert 'href="/jaunumi/regions/valsts/latgale/"' in figures
    assert 'href="/n/valsts/annual-review/published/#region-vidzeme"' in figures
    published = anonymous.get("/n/valsts/annual-review/published/").content.decode()
    assert 'id="region-vidzeme"' in published and "/n/valsts/annual-review/r/vidzeme/2021/public/" in published
    assert anonymous.get("/skaitli/valsts/teritorija/nav/").status_code == 404
