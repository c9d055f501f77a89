"""National scale, measured (issue 18 item 5): the US Public Libraries Survey's three years with
each state as a coordinator's part of the map, every figure next to a baseline of the same run.

    .venv/bin/python -m bench.national          # alone (SQLite in a temp dir, or DATABASE_URL=…)
    make bench                                  # also at the end of the whole set

Pages are requested through Django's test client (no network): p50/p95 wall time, the CPU time of
the request (the machine is shared, so wall time alone misleads) and the SQL query count. The
baseline of a page is the anonymous start page; of the state totals, DuckDB summing the same CSV
(a plain-Python csv sum when DuckDB is not installed). On SQLite the loaded database is kept in
`BENCH_CACHE` (default ~/.cache/parskats-bench) keyed on the migrations, importer and files, so a
second run skips the ~1–3 minute import.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.pls import REPO, YEARS, _ae_file, data_dir

# (case, target) — the figures the issue asks for, printed beside each row
TARGETS = {
    "dashboard after a data change": "p95 ≤ 300 ms",
    "state totals": "≤ 2× baseline",
    "libraries of one state": "p95 ≤ 200 ms",
}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _cache_key(directory: Path) -> str:
    """What the loaded database depends on: the schema, the importer and the PLS files."""
    digest = hashlib.sha256()
    sources = sorted(REPO.glob("parskats/*/migrations/*.py")) + sorted((REPO / "parskats" / "pls").rglob("*"))
    for path in sources:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    for year in YEARS:
        for path in sorted((directory / year).glob("*.csv")):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def load(directory: Path) -> float:
    """The three years in the database (from the cache file on SQLite); returns the seconds taken."""
    import sqlite3

    from django.db import connection

    from parskats.pls.importer import ensure_surveys, import_year
    from parskats.reporting.models import ReportingPeriod

    start = time.perf_counter()
    wanted = {int(year[2:]) for year in YEARS}
    if wanted <= set(ReportingPeriod.objects.filter(network__slug="us-pls").values_list("year", flat=True)):
        return 0.0  # already imported in this run (bench/pls.py, in `make bench`)
    cache = Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "parskats-bench"))
    cached = cache / f"national-{_cache_key(directory)}.sqlite3"
    if connection.vendor == "sqlite" and cached.exists():
        connection.ensure_connection()
        with sqlite3.connect(cached) as source:
            source.backup(connection.connection)
        print(f"loaded from {cached}")
        return time.perf_counter() - start
    ensure_surveys()
    for year in YEARS:
        import_year(directory / year, confirm_columns=True, confirm_removals=True)
    if connection.vendor == "sqlite":
        cache.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(cached) as target:
            connection.connection.backup(target)
    return time.perf_counter() - start


def coordinators(network) -> dict[int, object]:
    """A methodologist over each state (states are the county level of the us-pls import)."""
    from parskats.accounts.models import Role, User
    from parskats.network.models import OrgUnit

    found = {}
    for state in OrgUnit.objects.filter(network=network, level=OrgUnit.Level.COUNTY):
        user, _ = User.objects.get_or_create(
            email=f"coordinator-{state.code.lower()}@example.org", defaults={"full_name": f"Coordinator {state.code}"}
        )
        Role.objects.get_or_create(user=user, network=network, kind=Role.Kind.ADMIN, unit=state)
        found[state.pk] = user
    return found


def _request(client, url: str) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def page(client, url: str, runs: int) -> tuple[list[float], list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _request(client, url)  # warm-up: the figures are computed once and cached
    walls, cpus = zip(*(_request(client, url) for _ in range(runs)), strict=True)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return list(walls), list(cpus), len(queries)


def after_change(
    client, url: str, runs: int, report, methodologist, every_year: bool = False
) -> tuple[list[float], list[float], int]:
    """The page right after one value changes through the form's own action (`save_value`), on a
    report the methodologist reopened (`reopen_report`): the request that sees the new number.
    `every_year` also moves the network's counter, so every year of the series is computed again:
    what a value change cost before each year's table was kept on its own (the baseline)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parskats.reporting.entry import save_value
    from parskats.reporting.models import Value
    from parskats.stats.cache import data_changed

    value = Value.objects.filter(report=report, number__isnull=False).select_related("indicator").first()
    assert value is not None
    walls, cpus, queries = [], [], 0
    for run in range(runs + 1):
        current = Value.objects.get(pk=value.pk)
        save_value(methodologist, report, value.indicator.code, str(value.number + run + 1), current.version)
        if every_year:
            data_changed(report.period.network_id, units=False)
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = _request(client, url)
        if run:  # the first is the warm-up
            walls.append(wall)
            cpus.append(cpu)
        queries = len(captured)
    return walls, cpus, queries


def _csv_totals(path: Path, header: list[str], layout) -> None:
    """Per-state sums of every AE element in plain Python (the baseline when DuckDB is missing)."""
    import csv
    from decimal import Decimal, InvalidOperation

    columns = [c for c in layout.files["ae"].elements if c in header]
    totals: dict[tuple[str, str], Decimal] = {}
    with path.open(encoding="latin-1", newline="") as handle:
        for row in csv.DictReader(handle):
            for column in columns:
                try:
                    number = Decimal(row[column])
                except (InvalidOperation, TypeError):
                    continue
                if number >= 0:
                    key = (row["STABR"], column)
                    totals[key] = totals.get(key, 0) + number


def state_totals(network, survey, directory: Path, runs: int) -> list[tuple[str, list[float], list[float], str]]:
    from bench.pls import _duckdb_totals
    from parskats.pls.importer import read_year
    from parskats.pls.reconcile import state_totals as core_totals

    try:
        import duckdb  # noqa: F401

        baseline_name = "DuckDB on the CSV"
    except ImportError:
        baseline_name = "plain-Python csv sum"
    rows = []
    for year in YEARS:
        layout, _ = read_year(directory / year, kinds=("state",))
        ae_path, header = _ae_file(directory / year, layout)

        def base(path=ae_path, header=header, layout=layout) -> None:
            if baseline_name.startswith("DuckDB"):
                _duckdb_totals(path, header, layout)
            else:
                _csv_totals(path, header, layout)

        core = [_timed(lambda y=layout.fiscal_year: core_totals(network, survey, y)) for _ in range(runs + 1)][1:]
        baseline = [_timed(base) for _ in range(runs + 1)][1:]
        rows.append((year, [w for w, _c in core], [w for w, _c in baseline], baseline_name))
    return rows


def _timed(function) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    function()
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def run(runs: int) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from parskats.accounts.models import Role, User
    from parskats.catalogue.models import Survey
    from parskats.network.models import Network, OrgUnit
    from parskats.reporting.models import Report
    from parskats.review.workflow import reopen_report

    directory = data_dir()
    if directory is None:
        print("\nNational benchmarks skipped: no PLS data (set PLS_DATA=/path/to/imls_pls).")
        return
    seconds = load(directory)
    network = Network.objects.get(slug="us-pls")
    survey = Survey.objects.get(code="us-pls")
    systems = network.units.filter(level=OrgUnit.Level.LIBRARY).count()
    outlets = network.units.filter(level=OrgUnit.Level.BRANCH).count()
    print(
        f"\nNational scale on {connection.vendor}: us-pls, {', '.join(YEARS)} loaded in {seconds:.0f} s "
        f"({systems} library systems, {outlets} outlets)"
    )
    by_state = coordinators(network)
    national = User.objects.get_or_create(email="national@example.org", defaults={"full_name": "National"})[0]
    Role.objects.get_or_create(user=national, network=network, kind=Role.Kind.ADMIN, unit=None)
    # The state with the most links over the years: the heaviest state's pages.
    state = network.units.filter(level="county").annotate(size=Count("child_links")).order_by("-size", "code").first()
    assert state is not None
    anonymous, whole, coordinator = Client(), Client(), Client()
    whole.force_login(national)
    coordinator.force_login(by_state[state.pk])
    year = 2017
    cases = [
        ("baseline: start page (anonymous, no data)", anonymous, "/", ""),
        ("national board (whole network's methodologist)", whole, f"/n/us-pls/review/?year={year}", ""),
        (f"state board {state.code} (its coordinator)", coordinator, f"/n/us-pls/review/?year={year}", ""),
        ("national figures dashboard, warm", whole, f"/n/us-pls/figures/?year={year}", ""),
        ("libraries by state (network app)", whole, f"/n/us-pls/?year={year}", ""),
        (
            f"libraries of one state {state.code}",
            whole,
            f"/n/us-pls/?year={year}&county={state.code}",
            "libraries of one state",
        ),
        (
            f"libraries of {state.code} (its coordinator)",
            coordinator,
            f"/n/us-pls/?year={year}&county={state.code}",
            "libraries of one state",
        ),
    ]
    page_runs = max(10, runs // 10)
    results = [(name, *page(client, url, page_runs), target) for name, client, url, target in cases]
    report = Report.objects.filter(period__network=network, period__survey=survey, period__year=year).first()
    assert report is not None
    reopen_report(national, report, "National benchmark: one value changes")
    results.append(
        (
            "  baseline: the same, every year computed again",
            *after_change(whole, f"/n/us-pls/figures/?year={year}", page_runs, report, national, every_year=True),
            "",
        )
    )
    results.append(
        (
            "national dashboard right after a data change",
            *after_change(whole, f"/n/us-pls/figures/?year={year}", page_runs, report, national),
            "dashboard after a data change",
        )
    )
    base = statistics.median(results[0][1])
    print(f"pages: 1 warm-up + {page_runs} requests each; baseline p50 {base:.1f} ms")
    print(f"{'case':<52} {'p50 ms':>8} {'p95 ms':>8} {'CPU p50':>8} {'queries':>8} {'x base':>8}  target")
    for name, walls, cpus, queries, target in results:
        p50 = statistics.median(walls)
        print(
            f"{name:<52} {p50:8.1f} {percentile(walls, 0.95):8.1f} {statistics.median(cpus):8.1f} "
            f"{queries:8d} {p50 / base:7.0f}x  {TARGETS.get(target, '')}"
        )
    totals_runs = max(3, runs // 40)
    rows = state_totals(network, survey, directory, totals_runs)
    print(f"\nAll state totals of a year, every element ({totals_runs} runs; baseline: {rows[0][3]})")
    print(f"{'year':<10} {'core p50 ms':>12} {'core p95 ms':>12} {'base p50 ms':>12} {'core / base':>12}  target")
    for year_name, core, baseline, _name in rows:
        ratio = statistics.median(core) / statistics.median(baseline)
        print(
            f"{year_name:<10} {statistics.median(core):12.0f} {percentile(core, 0.95):12.0f} "
            f"{statistics.median(baseline):12.0f} {ratio:11.1f}x  {TARGETS['state totals']}"
        )


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parskats.settings")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    import django
    from django.conf import settings
    from django.test.utils import get_runner, setup_test_environment

    django.setup()
    from django.utils import translation

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    translation.activate("en")
    try:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        run(int(os.environ.get("BENCH_RUNS", "200")))
    finally:
        runner.teardown_databases(old_config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
