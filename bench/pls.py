"""The US Public Libraries Survey at national scale, each figure next to an in-run baseline:

- import of one fiscal year (AE + outlets + state summary) against only parsing the same files;
- every state total of a year, every element, by the aggregation core against DuckDB summing the
  same CSV directly;
- the reconciliation of each year (states per outcome);
- pages of the US network with three years loaded against the empty start page.

Needs the PLS files: PLS_DATA=/path/to/imls_pls, else ../shared/data/imls_pls beside the repo.
Skipped with a message when they are not there.
"""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
YEARS = ("FY1998", "FY2016", "FY2017")


def data_dir() -> Path | None:
    shared = [base / "shared" / "data" / "imls_pls" for base in (REPO.parent, REPO.parent.parent)]
    for candidate in (os.environ.get("PLS_DATA"), *shared):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    """Reset the process's peak RSS (Linux: /proc/self/clear_refs), so each phase has its own peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return _rss_mb()


def _trim() -> None:
    """Give freed memory back to the system first, so a phase's peak is its own, not a former phase's."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _phase(function):
    """(result, seconds, peak RSS MB) of one call, the peak measured from the call's start."""
    _trim()
    _reset_peak()
    start, cpu = time.perf_counter(), time.process_time()
    result = function()
    _CPU.append(time.process_time() - cpu)
    return result, time.perf_counter() - start, _peak_mb()


_CPU: list[float] = []  # CPU seconds of the last phase: the machine is shared, wall time alone misleads


def _refused(directory: Path):
    from parskats.pls.importer import ConfirmationNeeded, import_year

    try:
        import_year(directory)
    except ConfirmationNeeded as refusal:
        return refusal
    raise AssertionError("a truncated AE file was accepted")


def safety(directory: Path, years: tuple[str, ...]) -> None:
    """Imports that cannot destroy, at national scale (issue 20): per year the parse-only baseline,
    the dry run, the import, the same files again, a truncated AE file refused, and the removal of
    the whole year; each with its peak memory."""
    import shutil
    import tempfile

    from parskats.pls.importer import import_year, read_year, remove_year

    print(f"\n{'phase of one fiscal year':<44} {'seconds':>8} {'x parse':>8} {'peak RSS MB':>12} {'CPU s':>6}  what")
    imported: list[tuple[str, int, float]] = []
    for year in years:
        folder = directory / year
        if not folder.is_dir():
            continue
        _, parse_s, parse_mb = _phase(lambda f=folder: read_year(f))
        print(f"{year + ' parse only (baseline)':<44} {parse_s:8.2f} {1:7.1f}x {parse_mb:12.0f} {_CPU[-1]:6.1f}")

        def line(name: str, seconds: float, peak: float, what: str, year=year, parse_s=parse_s) -> None:
            print(
                f"{year + ' ' + name:<44} {seconds:8.2f} {seconds / parse_s:7.1f}x {peak:12.0f} {_CPU[-1]:6.1f}  {what}"
            )

        dry, seconds, peak = _phase(lambda f=folder: import_year(f, dry_run=True))
        line("dry run (plan + plausibility)", seconds, peak, f"{dry.plan.total('values_new')} values new")
        done, seconds, peak = _phase(lambda f=folder: import_year(f, confirm_columns=True))
        values = done.values.created + done.values.updated + done.values.unchanged
        suspects = len(done.findings.suspects)
        line("import", seconds, peak, f"{values} values, {suspects} suspect columns vs FY{done.findings.compared_with}")
        again, seconds, peak = _phase(lambda f=folder: import_year(f))
        line("same files again", seconds, peak, f"changed: {again.changed}")
        with tempfile.TemporaryDirectory() as tmp:
            cut = Path(tmp) / year
            shutil.copytree(folder, cut)
            ae_path, _header = _ae_file(cut, read_year(cut, kinds=("ae",))[0])
            lines = ae_path.read_bytes().split(b"\n")
            ae_path.write_bytes(b"\n".join(lines[: len(lines) * 6 // 10]) + b"\n")
            for other in cut.glob("*.csv"):
                if other != ae_path:
                    other.unlink()

            refusal, seconds, peak = _phase(lambda c=cut: _refused(c))
            line("AE file cut at 60 %, refused", seconds, peak, refusal.problems[0][:60] + "…")
        imported.append((year, done.year, parse_s))
        del dry, done, again, refusal  # the parsed files: the next year's peak is its own
    for year, fiscal, parse_s in imported:
        removal, seconds, peak = _phase(lambda y=fiscal: remove_year(y))
        what = f"{removal.reports} reports, {removal.values} values"
        print(
            f"{year + ' removal of the whole year':<44} {seconds:8.2f} {seconds / parse_s:7.1f}x {peak:12.0f}  {what}"
        )


def _timed(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _ae_file(directory: Path, layout) -> tuple[Path, list[str]]:
    from parskats.pls.reading import classify, read_header

    for path in sorted(directory.glob("*.csv")):
        _text, header, _encoding = read_header(path)
        if classify(header, layout) == "ae":
            return path, header
    raise FileNotFoundError(f"no AE file in {directory}")


def _duckdb_totals(path: Path, header: list[str], layout) -> float:
    """Per-state sums of every AE element with DuckDB straight from the CSV (negative codes left out)."""
    import duckdb

    columns = [c for c in layout.files["ae"].elements if c in header]
    sums = ", ".join(
        f'SUM(CASE WHEN TRY_CAST("{c}" AS DOUBLE) >= 0 THEN TRY_CAST("{c}" AS DECIMAL(18,3)) END) AS "{c}"'
        for c in columns
    )
    start = time.perf_counter()
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT STABR, {sums} FROM read_csv(?, header=true, all_varchar=true) GROUP BY STABR",  # noqa: S608
        [str(path)],
    ).fetchall()
    con.close()
    elapsed = (time.perf_counter() - start) * 1000
    assert len(rows) > 50, rows[:3]
    return elapsed


def main() -> None:
    """`python -m bench.pls FY2017 [FY2016 …]`: only the import-safety figures, on a throw-away database."""
    import sys
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parskats.settings")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    import django
    from django.conf import settings
    from django.db import connection
    from django.test.utils import get_runner, setup_test_environment

    django.setup()
    from django.utils import translation

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    translation.activate("en")  # after the migrations, which set the locale of their own
    try:
        directory = data_dir()
        if directory is None:
            print("PLS data not found (set PLS_DATA).")
            return
        print(f"PLS import safety on {connection.vendor} (data: {directory})")
        safety(directory, tuple(sys.argv[1:]) or YEARS)
    finally:
        runner.teardown_databases(old_config)


def run(runs: int, measure, percentile) -> None:
    directory = data_dir()
    if directory is None:
        print("\nPLS benchmarks skipped: no PLS data (set PLS_DATA=/path/to/imls_pls).")
        return
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from parskats.accounts.models import User
    from parskats.catalogue.models import Survey
    from parskats.network.models import Network
    from parskats.pls.importer import import_year, read_year
    from parskats.pls.reconcile import OUTCOMES, reconcile, state_totals

    from .stats import cold

    vendor = connection.vendor
    print(f"\nUS Public Libraries Survey on {vendor} (data: {directory})")
    print(
        f"{'import of one fiscal year':<34} {'parse s':>8} {'import s':>9} {'ratio':>7} {'values':>8} "
        f"{'values/s':>9} {'peak RSS MB':>12}"
    )
    for year in YEARS:
        folder = directory / year
        if not folder.is_dir():
            continue
        start = time.perf_counter()
        read_year(folder)
        parse_s = time.perf_counter() - start
        before = _rss_mb()
        # Years far apart rename many systems and move columns: confirmed, as a person would after the preview.
        result = import_year(folder, confirm_columns=True, confirm_removals=True)
        peak = _rss_mb()
        values = result.values.created + result.values.updated + result.values.unchanged
        print(
            f"{year:<34} {parse_s:8.2f} {result.seconds:9.2f} {result.seconds / parse_s:6.1f}x {values:8d} "
            f"{values / result.seconds:9.0f} {peak:7.0f} (was {before:.0f})"
        )
    again = import_year(directory / YEARS[-1])
    print(f"{YEARS[-1] + ' again (idempotent)':<34} {'':>8} {again.seconds:9.2f}  changed: {again.changed}")

    network = Network.objects.get(slug="us-pls")
    survey = Survey.objects.get(code="us-pls")
    totals_runs = max(3, runs // 40)
    print(f"\nAll state totals of a year, every element ({totals_runs} runs)")
    print(f"{'year':<10} {'core p50 ms':>12} {'core p95 ms':>12} {'DuckDB p50 ms':>14} {'core / DuckDB':>14}")
    for year in YEARS:
        folder = directory / year
        if not folder.is_dir():
            continue
        layout, _ = read_year(folder, kinds=("state",))
        core = _timed(lambda y=layout.fiscal_year: state_totals(network, survey, y), totals_runs)
        ae_path, header = _ae_file(folder, layout)
        duck = [_duckdb_totals(ae_path, header, layout) for _ in range(totals_runs)]
        print(
            f"{year:<10} {statistics.median(core):12.0f} {percentile(core, 0.95):12.0f} "
            f"{statistics.median(duck):14.1f} {statistics.median(core) / statistics.median(duck):13.0f}x"
        )

    print("\nReconciliation with the official state summary (state × element cells)")
    print(f"{'year':<10} {'elements':>9} " + " ".join(f"{o:>12}" for o in OUTCOMES) + f" {'not in AE file':>15}")
    for year in YEARS:
        folder = directory / year
        if not folder.is_dir():
            continue
        checked = reconcile(folder)
        counts = {o: sum(c[o] for c in checked.outcomes.values()) for o in OUTCOMES}
        print(
            f"{year:<10} {len(checked.elements):9d} "
            + " ".join(f"{counts[o]:12d}" for o in OUTCOMES)
            + f" {len(checked.not_in_ae):15d}"
        )

    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "pls.bench@example.org", "bench-only", full_name="Bench"
    )
    client, anonymous = Client(), Client()
    client.force_login(admin)
    library = network.units.filter(level="library").order_by("code").first()
    # The state with the most links (libraries and outlets over the years): the heaviest state page.
    state = network.units.filter(level="county").annotate(size=Count("child_links")).order_by("-size", "code").first()
    # One warm-up (it computes the figures once) and then the requests readers make.
    page_runs = max(20, runs // 10)
    cases = [
        ("baseline: start page (anonymous, no data)", anonymous, "/"),
        ("PLS admin screen (3 years)", client, "/n/us-pls/pls/"),
        ("national dashboard, FY2017", client, "/n/us-pls/figures/?year=2017"),
        (f"state page {state.code}, FY2017", client, f"/n/us-pls/figures/area/{state.code}/?year=2017"),
        ("public national dashboard, FY2017", anonymous, "/skaitli/us-pls/?year=2017"),
        (f"library figures {library.code}, with peers", client, f"/n/us-pls/figures/library/{library.code}/?year=2017"),
        (f"library page {library.code} (network app)", client, f"/n/us-pls/libraries/{library.code}/"),
        ("libraries by state, FY2017 (network app)", client, "/n/us-pls/?year=2017"),
        (f"libraries of {state.code}, FY2017 (network app)", client, f"/n/us-pls/?year=2017&county={state.code}"),
    ]
    print(f"\nUS network pages, three years loaded (1 warm-up + {page_runs} requests each)")
    print(f"{'case':<52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'p50 / baseline':>15}")
    results = []
    for name, client_, url in cases:
        assert client_.get(url).status_code == 200, url
        samples = _timed(lambda c=client_, u=url: c.get(u), page_runs)
        with CaptureQueriesContext(connection) as queries:
            client_.get(url)
        results.append((name, samples, len(queries)))
    results.append(
        (
            "national dashboard, first request after a change",
            *cold(client, "/n/us-pls/figures/?year=2017", page_runs, network.pk),
        )
    )
    base = statistics.median(results[0][1])
    for name, samples, queries in results:
        p50 = statistics.median(samples)
        print(f"{name:<52} {p50:8.1f} {percentile(samples, 0.95):8.1f} {queries:8d} {p50 / base:14.1f}x")


if __name__ == "__main__":
    main()
