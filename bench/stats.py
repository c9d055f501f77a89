"""Figures: the regional dashboard, a table export and the API on the demo network, and
the aggregation core on a synthetic 10,000-library network, each next to a baseline of the same run.

Targets: dashboard p95 under 100 ms with a query count that does not grow with the number of
libraries (the same page is measured on the 10,000-library network); one year of the 10,000-library
network aggregated in under 1 s (baseline: only reading that year's value rows from the database).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

SYNTHETIC_LIBRARIES = int(os.environ.get("BENCH_LIBRARIES", "10000"))
COUNTIES = 100


def build_synthetic(libraries: int) -> tuple[object, object]:
    """A network of `libraries` public libraries in 100 counties with a full approved 2021 report each."""
    import random

    from parskats.catalogue.models import Indicator, Survey
    from parskats.network.models import Membership, Network, OrgUnit, PopulationServed
    from parskats.reporting.models import Report, ReportingPeriod, Value

    survey = Survey.objects.get(code="lv-annual")
    network = Network.objects.create(name="Sintētiskais tīkls", slug="sintetisks", is_demo=True)
    start = dt.date(2015, 1, 1)
    region = OrgUnit.objects.create(network=network, level="region", code="r", name="Reģions")
    counties = OrgUnit.objects.bulk_create(
        [OrgUnit(network=network, level="county", code=f"c{i}", name=f"Novads {i:03d}") for i in range(COUNTIES)]
    )
    Membership.objects.bulk_create([Membership(child=c, parent=region, valid_from=start) for c in counties])
    units = OrgUnit.objects.bulk_create(
        [
            OrgUnit(network=network, level="library", library_type="public", code=f"l{i}", name=f"Bibliotēka {i:05d}")
            for i in range(libraries)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(child=u, parent=counties[i % COUNTIES], valid_from=start) for i, u in enumerate(units)],
        batch_size=2000,
    )
    rng = random.Random(5)
    PopulationServed.objects.bulk_create(
        [PopulationServed(unit=u, year=2021, persons=rng.randint(200, 20000)) for u in units], batch_size=2000
    )
    period = ReportingPeriod.objects.create(
        network=network, survey=survey, year=2021, opens_on=dt.date(2022, 1, 2), deadline=dt.date(2022, 2, 15)
    )
    reports = Report.objects.bulk_create(
        [Report(unit=u, period=period, status=Report.Status.APPROVED) for u in units], batch_size=2000
    )
    indicators = [i for i in Indicator.objects.filter(survey=survey) if i.on_form(2021, "public")]
    batch: list[Value] = []
    for report in reports:
        for indicator in indicators:
            batch.append(Value(report=report, indicator=indicator, number=Decimal(rng.randint(0, 5000))))
        if len(batch) >= 20000:
            Value.objects.bulk_create(batch)
            batch = []
    Value.objects.bulk_create(batch)
    return network, survey


def cold(client, url: str, runs: int, network_id: int) -> tuple[list[float], int]:
    """A page's server time when the network's data has just changed, so its figures are computed
    afresh (the figures cache, stats/cache.py, serves every later request until the next change)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parskats.stats.cache import data_changed

    samples, queries = [], 0
    for _ in range(runs):
        data_changed(network_id)  # outside a transaction: at once
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return samples, queries


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def run(
    runs: int,
    measure: Callable[..., tuple[list[float], int]],
    percentile: Callable[[list[float], float], float],
    baseline_p50: float,
) -> None:
    from django.db import connection
    from django.test import Client

    from parskats.accounts.models import User
    from parskats.reporting.models import Value
    from parskats.stats.aggregate import Scope, aggregate
    from parskats.stats.performance import add_measures

    methodologist, anonymous = Client(), Client()
    methodologist.force_login(User.objects.get(email="metodikis@example.org"))
    cases = [
        ("figures: regional dashboard, 2021 (35 libraries)", methodologist, "/n/valka/figures/?year=2021"),
        ("figures: same, re-mapped to today's map", methodologist, "/n/valka/figures/?year=2021&boundaries=today"),
        ("figures: public dashboard (approved only)", anonymous, "/skaitli/valka/?year=2022"),
        ("figures: table export (CSV)", methodologist, "/n/valka/figures/export/loans.csv?year=2021"),
        ("figures: API aggregates by county", anonymous, "/api/networks/valka/aggregates/?year=2021"),
    ]
    rows = [(name, *measure(client, url, runs)) for name, client, url in cases]

    print(f"\nBuilding a synthetic network of {SYNTHETIC_LIBRARIES} libraries for the aggregation benchmark …")
    network, survey = build_synthetic(SYNTHETIC_LIBRARIES)
    admin = User.objects.create_superuser("bench-admin@example.org", "x", full_name="Bench")
    big = Client()
    big.force_login(admin)
    big_runs = max(5, runs // 40)
    rows.append(
        (
            f"figures: dashboard of the {SYNTHETIC_LIBRARIES}-library network",
            *measure(big, "/n/sintetisks/figures/?year=2021", big_runs),
        )
    )
    rows.append(
        (
            "figures: same, first request after a data change",
            *cold(big, "/n/sintetisks/figures/?year=2021", big_runs, network.pk),
        )
    )

    print(f"{'case':<60} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'p50 / baseline':>15}")
    for name, samples, queries in rows:
        p50 = statistics.median(samples)
        print(f"{name:<60} {p50:8.2f} {percentile(samples, 0.95):8.2f} {queries:8d} {p50 / baseline_p50:14.1f}x")

    def read_rows() -> None:
        list(
            Value.objects.filter(report__period__network=network, report__period__year=2021).values_list(
                "report__unit_id", "indicator_id", "code", "number", "flag", "report__status"
            )
        )

    def core() -> None:
        add_measures(aggregate(network, survey, 2021, Scope(group_by="county")))

    agg_runs = 5
    read = timed(read_rows, agg_runs)
    agg = timed(core, agg_runs)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        core()
    values = Value.objects.filter(report__period__network=network).count()
    print(
        f"\nAggregating one year of {SYNTHETIC_LIBRARIES} libraries ({values} values, {connection.vendor}), "
        f"{agg_runs} runs; target under 1000 ms"
    )
    print(f"{'case':<60} {'p50 ms':>8} {'max ms':>8} {'queries':>8} {'p50 / baseline':>15}")
    base = statistics.median(read)
    print(f"{'baseline: read the year value rows only':<60} {base:8.1f} {max(read):8.1f} {'':>8} {1.0:14.1f}x")
    print(
        f"{'aggregate by county + performance indicators':<60} {statistics.median(agg):8.1f} {max(agg):8.1f} "
        f"{len(queries):8d} {statistics.median(agg) / base:14.1f}x"
    )
