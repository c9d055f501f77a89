"""Imputation of non-response: the methodologist's run estimates the numbers libraries did not
report, kept apart from reported values; figures are "reported only" unless "with imputed values"
is asked for; undoing the run restores every figure exactly; a report that arrives wins over its
estimate; a value the source file flagged as imputed keeps its flag and is not estimated again."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from parskats.audit.models import AuditEntry
from parskats.network.models import OrgUnit, PopulationServed
from parskats.reporting.models import Report, Value
from parskats.stats.aggregate import Scope, aggregate, aggregate_years
from parskats.stats.compare import year_change
from parskats.stats.imputation import estimate
from parskats.stats.models import ImputationRun, ImputedValue

from .conftest import client_for
from .factories import link, report_with, unit

URL = "/n/testa/figures/imputation/"


def approved(report: Report) -> Report:
    Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
    return report


@pytest.fixture
def missing(world):
    """Active users, approved reports ("—": no report, "?": unknown), population from the register:

    library            2020   2021   population 2021
    P1 … P5            100 …  110 …  1 000 each  (2021 = 1.1 × 2020; P5's 2021 flagged imputed by its source)
    A Seda             1000     —    11 980
    B Ērģeme              —     ?     1 198
    S Valka school        —     —     (none: a school library serves no register population)
    """
    for n in range(1, 6):
        peer = unit(world.network, f"p{n}", OrgUnit.Level.LIBRARY, f"Bibliotēka {n}", OrgUnit.LibraryType.PUBLIC)
        link(peer, world.valka, dt.date(2015, 1, 1))
        PopulationServed.objects.create(unit=peer, year=2021, persons=1000)
        approved(report_with(peer, world.periods[2020], users=100 * n))
        approved(report_with(peer, world.periods[2021], users=110 * n))
    Value.objects.filter(report__unit__code="p5", report__period__year=2021).update(flag=Value.Flag.IMPUTED)
    approved(report_with(world.library_a, world.periods[2020], users=1000))
    approved(report_with(world.library_b, world.periods[2021], users="unknown"))
    return world


def total(world, imputed: bool, code: str = "users"):
    return aggregate(world.network, world.survey, 2021, Scope(imputed=imputed)).total.cell(code)


def export_total(client, values: str, code: str = "users") -> dict[str, str]:
    response = client.get(f"/n/testa/figures/export/users.csv?year=2021&values={values}")
    assert response.status_code == 200
    return next(
        r
        for r in csv.DictReader(io.StringIO(response.content.decode()))
        if r["group_code"] == "total" and r["indicator"] == code
    )


def test_a_run_estimates_what_is_missing_by_the_methods_and_says_how(missing, methodologist):
    response = client_for(methodologist).post(URL, {"year": "2021"})
    assert response.status_code == 302
    run = ImputationRun.objects.get()
    found = {(v.unit.code, v.indicator.code): v for v in ImputedValue.objects.select_related("unit", "indicator")}
    # Seda: no peer group of 5 in its size class, so the network's median change over the libraries
    # that reported in both years (P1–P5: 1.1 each) × its 1000 of 2020.
    seda = found[("seda", "users")]
    assert (seda.number, seda.method) == (Decimal(1100), "peer_median_change")
    assert seda.inputs == {"previous": 1000.0, "change": 1.1, "peers": 5, "group": "*"}
    # Ērģeme said "unknown" and has no 2020: the median per inhabitant of its peers (0.33, P1–P5 in its
    # size class) × 1198 = 395.34.
    ergeme = found[("ergeme", "users")]
    assert (ergeme.number, ergeme.method, ergeme.inputs["group"]) == (
        Decimal(395),
        "peer_median_per_capita",
        "public:1",
    )
    # The school has neither history nor population; P5's flagged value is the source's, and stays so;
    # the population comes from the register and is never imputed; nothing else had a number to go by.
    assert set(found) == {("seda", "users"), ("ergeme", "users")}
    assert Value.objects.get(report__unit__code="p5", report__period__year=2021).flag == Value.Flag.IMPUTED
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPUTATION_RUN)
    assert entry.new == {
        "run": run.pk,
        "year": 2021,
        "values": 2,
        "methods": {"peer_median_change": 1, "peer_median_per_capita": 1},
    }
    assert entry.actor == methodologist
    page = client_for(methodologist).get(URL)
    assert page.status_code == 200 and "peer_median_per_capita" in page.content.decode()


def test_imputed_values_never_appear_in_reported_only_totals(missing, methodologist):
    client = client_for(methodologist)
    client.post(URL, {"year": "2021"})
    reported = total(missing, imputed=False)
    assert (reported.value, reported.reported, reported.unknown, reported.imputed) == (1650, 5, 1, 0)
    assert reported.estimated == 1  # P5's own flag from its source
    with_imputed = total(missing, imputed=True)
    assert (with_imputed.value, with_imputed.reported, with_imputed.unknown, with_imputed.imputed) == (3145, 7, 0, 2)
    assert with_imputed.estimated == 3 and with_imputed.expected == reported.expected == 8
    # The change on 2020 stays like for like over the libraries' own numbers: P1–P5, 1500 → 1650.
    tables = aggregate_years(missing.network, missing.survey, [2020, 2021], Scope(imputed=True))
    found = year_change(tables[2021], tables[2020], "users")
    assert (found.libraries, found.previous, found.current) == (5, 1500, 1650)
    # The same through the pages and the exports.
    plain = export_total(client, "reported")
    assert (plain["value"], plain["imputed_values"]) == ("1650", "0")
    marked = export_total(client, "imputed")
    assert (marked["value"], marked["imputed_values"], marked["includes_estimates"]) == ("3145", "2", "true")
    assert (plain["imputation_methods"], marked["imputation_methods"]) == (
        "",
        "peer_median_change peer_median_per_capita",
    )
    page = client.get("/n/testa/figures/?year=2021&values=imputed").content.decode()
    assert "3\u00a0145" in page and "Ar aprēķinātām vērtībām" in page
    assert "3\u00a0145 (5 no 8, kā arī 2 aprēķinātas)" in page  # the headline's "all who reported"
    plain_page = client.get("/n/testa/figures/?year=2021").content.decode()
    assert "3\u00a0145" not in plain_page and "Tikai iesniegtās vērtības." in plain_page


def test_undoing_an_imputation_restores_the_figures_exactly(missing, methodologist):
    before = aggregate(missing.network, missing.survey, 2021, Scope(imputed=True))
    client = client_for(methodologist)
    client.post(URL, {"year": "2021"})
    assert total(missing, imputed=True).value == 3145
    run = ImputationRun.objects.get()
    response = client.post(f"{URL}{run.pk}/undo/")
    assert response.status_code == 302
    after = aggregate(missing.network, missing.survey, 2021, Scope(imputed=True))
    plain = aggregate(missing.network, missing.survey, 2021, Scope())
    for row_before, row_after, row_plain in zip(
        [before.total, *before.rows], [after.total, *after.rows], [plain.total, *plain.rows], strict=True
    ):
        assert row_before.cells == row_after.cells == row_plain.cells
    run.refresh_from_db()
    assert run.undone_by == methodologist and ImputedValue.objects.filter(run=run).count() == 2  # kept on record
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPUTATION_UNDONE).count() == 1
    # Undone once only.
    client.post(f"{URL}{run.pk}/undo/")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPUTATION_UNDONE).count() == 1


def test_an_imputed_value_is_replaced_when_the_report_arrives(missing, methodologist):
    client_for(methodologist).post(URL, {"year": "2021"})
    late = report_with(missing.library_a, missing.periods[2021], users=1234)
    # Submitted, not yet approved: the approved figures still use the estimate, those with every
    # report use the library's own number.
    assert total(missing, imputed=True).value == 3145
    everyone = aggregate(missing.network, missing.survey, 2021, Scope(imputed=True, approved_only=False))
    assert (everyone.total.cell("users").value, everyone.total.cell("users").imputed) == (1650 + 1234 + 395, 1)
    approved(late)
    found = total(missing, imputed=True)
    assert (found.value, found.imputed, found.reported) == (1650 + 1234 + 395, 1, 7)
    # The estimate is not overwritten, and does not overwrite: both stay as they were.
    assert ImputedValue.objects.get(unit=missing.library_a).number == 1100
    assert Value.objects.get(report=late).number == 1234 and Value.objects.get(report=late).flag == "reported"


def test_a_new_run_supersedes_the_one_in_force(missing, methodologist):
    client = client_for(methodologist)
    client.post(URL, {"year": "2021"})
    client.post(URL, {"year": "2021"})
    assert ImputationRun.objects.filter(undone_at__isnull=True).count() == 1
    assert ImputationRun.objects.count() == 2
    assert total(missing, imputed=True).value == 3145


def test_only_the_methodologist_imputes(missing, viewer, reporter_a, other_methodologist):
    for person in (viewer, reporter_a):
        assert client_for(person).get(URL).status_code == 403
        assert client_for(person).post(URL, {"year": "2021"}).status_code == 403
    assert client_for(other_methodologist).post(URL, {"year": "2021"}).status_code == 404
    assert client_for(None).post(URL, {"year": "2021"}).status_code == 302
    assert not ImputationRun.objects.exists()


def test_bad_input_is_refused_with_a_reason(missing, methodologist):
    client = client_for(methodologist)
    for year in ("1999", "x", ""):
        response = client.post(URL, {"year": year})
        assert response.status_code == 400
    assert not ImputationRun.objects.exists()
    assert client.get("/n/testa/figures/?values=guessed").status_code == 400
    assert client.post(f"{URL}999/undo/").status_code == 404


def test_the_methods_by_hand():
    current = {1: Decimal(110), 2: Decimal(220), 3: Decimal(330)}
    previous = {1: Decimal(100), 2: Decimal(200), 3: Decimal(300), 4: Decimal(50)}
    peers = {1: "a", 2: "a", 3: "b", 4: "a", 5: "a"}
    population = {1: Decimal(1000), 2: Decimal(2000), 3: Decimal(1000), 5: Decimal(500)}
    found = estimate([4, 5], ["peer_change", "peer_median_per_capita"], current, previous, peers, population, 2)
    # 4: group a's change is (110 + 220) / (100 + 200) = 1.1 → 55; 5: no history, group a's median
    # per inhabitant (0.11, 0.11) × 500 = 55.
    assert (found[4].number, found[4].method) == (Decimal(55), "peer_change")
    assert (found[5].number, found[5].method) == (Decimal(55), "peer_median_per_capita")
    # With too few peers, the whole network: (110 + 220 + 330) / 600 = 1.1 again, from 3 libraries.
    found = estimate([4], ["peer_change"], current, previous, peers, population, 3)
    assert found[4].inputs["group"] == "*" and found[4].inputs["peers"] == 3
    assert estimate([4], ["carry_forward"], current, previous, peers, population, 2)[4].number == 50
    # The median change of group a: 1.1 and 1.1 (the sum would weigh 2 by its size; here the same).
    assert estimate([4], ["peer_median_change"], current, previous, peers, population, 2)[4].number == 55
    skewed = {**current, 2: Decimal(600)}  # 2 triples: the sum says ×2.37 (118.3), the median ×2.05 (102.5, to even)
    assert estimate([4], ["peer_change"], skewed, previous, peers, population, 2)[4].number == 118
    assert estimate([4], ["peer_median_change"], skewed, previous, peers, population, 2)[4].number == 102
    assert estimate([5], ["carry_forward"], current, previous, peers, population, 2) == {}


def test_the_api_gives_reported_only_unless_imputed_values_are_asked_for(missing, methodologist, client):
    from .test_stats_api import check

    spec = client.get("/api/openapi.json").json()
    path = "/networks/{network}/aggregates/"
    api = "/api/networks/testa/aggregates/?year=2021&group_by=network&indicator=users"
    client_for(methodologist).post(URL, {"year": "2021"})
    public = client_for(None)

    def total_cell(body: dict) -> dict:
        return next(r for r in body["results"] if r["key"] == "total")["cells"]["users"]

    plain = check(spec, path, public.get(api))
    assert plain["values"] == "reported"
    assert (total_cell(plain)["value"], total_cell(plain)["reported"], total_cell(plain)["imputed"]) == (1650, 5, 0)
    assert check(spec, path, public.get(api + "&values=reported")) == plain
    marked = check(spec, path, public.get(api + "&values=imputed"))
    assert marked["values"] == "imputed"
    assert (total_cell(marked)["value"], total_cell(marked)["reported"], total_cell(marked)["imputed"]) == (3145, 7, 2)
    refused = check(spec, path, public.get(api + "&values=guessed"), 400)
    assert refused["error"]["parameter"] == "values"
    assert "reported" in refused["error"]["message"] and "imputed" in refused["error"]["message"]


@pytest.mark.parametrize("prefix", ["/n/testa/figures", "/skaitli/testa"])
def test_county_and_library_pages_mark_every_imputed_value(missing, methodologist, prefix):
    client_for(methodologist).post(URL, {"year": "2021"})
    client = client_for(methodologist if prefix.startswith("/n/") else None)
    area = "area" if prefix.startswith("/n/") else "teritorija"
    library = "library" if prefix.startswith("/n/") else "biblioteka"
    legend = "ietver metodiķa aprēķinātas vērtības skaitļiem, kas nav iesniegti"
    for path in (f"{prefix}/{area}/valka/", f"{prefix}/{library}/seda/"):
        plain = client.get(f"{path}?year=2021").content.decode()
        assert "≈" not in plain and legend not in plain and "Tikai iesniegtās vērtības." in plain, path
        marked = client.get(f"{path}?year=2021&values=imputed").content.decode()
        assert "Ar aprēķinātām vērtībām" in marked and legend in marked, path
        assert '<span class="mark" aria-hidden="true">≈</span>' in marked, path
    # Seda's own estimate (1 100) carries the mark; P5's flag from its source keeps "*".
    seda = client.get(f"{prefix}/{library}/seda/?year=2021&values=imputed").content.decode()
    assert '1\u00a0100<span class="mark" aria-hidden="true">≈</span>' in seda
    p5 = client.get(f"{prefix}/{library}/p5/?year=2021&values=imputed").content.decode()
    assert (
        '550<span class="mark" aria-hidden="true">*</span>' in p5
        and '550<span class="mark" aria-hidden="true">≈' not in p5
    )


def test_the_open_data_package_holds_reported_values_only_and_says_so(missing, methodologist):
    from parskats.stats.opendata import build_package

    client_for(methodologist).post(URL, {"year": "2021"})
    descriptor, files = build_package(missing.network, 2021)
    assert "Reported values only" in descriptor["description"]
    total = next(
        r
        for r in csv.DictReader(io.StringIO(files["totals.csv"]))
        if r["group_code"] == "total" and r["indicator_code"] == "users"
    )
    assert total["value"] == "1650" and total["reported"] == "5"
    values = list(csv.DictReader(io.StringIO(files["values.csv"])))
    assert not [v for v in values if v["library_code"] == "seda" and v["indicator_code"] == "users"]


def test_preliminary_figures_are_published_by_the_methodologist_and_replaced_as_reports_arrive(
    missing, methodologist, viewer, reporter_a, other_methodologist
):
    ReportingPeriod = type(missing.periods[2021])
    ReportingPeriod.objects.filter(pk=missing.periods[2021].pk).update(status=ReportingPeriod.Status.OPEN)
    client_for(methodologist).post(URL, {"year": "2021"})
    run = ImputationRun.objects.get()
    publish = f"{URL}{run.pk}/publish/"
    public = "/skaitli/testa/?year=2021"
    label = "Provizoriski dati: atskaišu vākšana vēl turpinās"
    before = client_for(None).get(public).content.decode()
    assert label not in before and "3\u00a0145" not in before
    # Only the methodologist of the network publishes.
    for person in (viewer, reporter_a):
        assert client_for(person).post(publish).status_code == 403
    assert client_for(other_methodologist).post(publish).status_code == 404
    assert client_for(None).post(publish).status_code == 302
    run.refresh_from_db()
    assert run.published_at is None
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PRELIMINARY_PUBLISHED).exists()
    assert client_for(methodologist).post(publish).status_code == 302
    run.refresh_from_db()
    assert run.published_by == methodologist
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PRELIMINARY_PUBLISHED)
    assert entry.actor == methodologist and entry.new == {"run": run.pk, "year": 2021}
    page = client_for(None).get(public).content.decode()
    assert label in page and "3\u00a0145" in page and "Ar aprēķinātām vērtībām" in page
    # The reports alone stay one choice away, and say so.
    plain = client_for(None).get(public + "&values=reported").content.decode()
    assert label not in plain and "3\u00a0145" not in plain
    # Seda's report arrives and is approved: on the next request its 1 234 replaces the estimate 1 100.
    approved(report_with(missing.library_a, missing.periods[2021], users=1234))
    page = client_for(None).get(public).content.decode()
    assert f"{1650 + 1234 + 395:,}".replace(",", "\u00a0") in page and "3\u00a0145" not in page
    # A closed year's figures are final: nothing is preliminary any more.
    ReportingPeriod.objects.filter(pk=missing.periods[2021].pk).update(status=ReportingPeriod.Status.CLOSED)
    from parskats.stats.cache import data_changed

    data_changed(missing.network.pk)
    closed = client_for(None).get(public).content.decode()
    assert label not in closed and "Tikai iesniegtās vērtības." in closed


def test_charts_say_what_they_count_and_their_data_tables_carry_the_marks(missing, methodologist):
    import re

    from parskats.stats.aggregate import Cell
    from parskats.stats.pages import _chart_marks

    client = client_for(methodologist)
    client.post(URL, {"year": "2021"})
    captions = re.findall(r"<figcaption id=\"c-[^\"]+\">(.*?)</figcaption>", _page(client, "values=imputed"))
    assert captions and all("Ar aprēķinātām vērtībām" in c for c in captions), captions
    plain = re.findall(r"<figcaption id=\"c-[^\"]+\">(.*?)</figcaption>", _page(client, ""))
    assert plain and not any("Ar aprēķinātām vērtībām" in c or "≈" in c for c in plain), plain
    # A drawn figure with a run's estimate in it: "≈" after it in the table, the legend under the title.
    estimate_in = Cell(Decimal(3145), reported=5, expected=8, estimated=3, imputed=2)
    reported_only = Cell(Decimal(1650), reported=5, expected=8, estimated=1)
    marks, notes = _chart_marks([estimate_in, reported_only], with_imputed=True)
    assert marks == ["*≈", "*"]
    assert notes[0].startswith("Ar aprēķinātām vērtībām") and "(atzīmēta ar ≈)" in notes[0]
    assert notes[1:] == ["* ietver aplēstas vērtības."]
    assert _chart_marks([reported_only], with_imputed=False) == (["*"], ["* ietver aplēstas vērtības."])


def _page(client, query: str) -> str:
    return client.get(f"/n/testa/figures/?year=2021&{query}").content.decode()
