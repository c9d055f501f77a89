"""The seminar pack: time and peak memory to build the deck (.pptx) and the handout (PDF)
for the 33-library demo seminar and for a synthetic 300-library network, next to a baseline of the
same run: the region's dashboard figures (`build_figures`), which the pack reads once.

Targets: deck and PDF together ≤ 3 s for the 33-library demo and ≤ 15 s for 300 libraries, peak
memory of a build ≤ 300 MB.
Each case is written three ways in the same run, the ways taking turns: before, as on 2026-12-03
(the deck as python-pptx makes it and the whole handout, in two forked processes); in turn, in this
process (`write_pack(fork=False)`); after, the way the job writes it now (the deck and the handout's
pieces in forked processes, `write_pack(fork=True)`). Wall time depends on what else runs on the
machine; "cpu s" is this process's CPU time plus its children's (p50); "path s" is the CPU time on
the critical path (this process's own plus the slowest child's), and "2cores" the larger of that and
half the CPU time: the wall time with two free cores.
Memory: the Python heap's peak of a build (tracemalloc), and per forked child its peak resident size
(ru_maxrss, which counts the parent's pages it maps too) and its own memory (not shared); the whole
benchmark process's figure (everything loaded before, the demo too) is printed as well."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

SYNTHETIC_LIBRARIES = int(os.environ.get("BENCH_SEMINAR_LIBRARIES", "300"))
RUNS = int(os.environ.get("BENCH_SEMINAR_RUNS", "3"))
COUNTIES = 10
HEADLINE = {"users": (50, 3000), "visits": (500, 60000), "loans": (800, 50000), "events": (5, 200),
            "events_inperson": (3, 150), "events_virtual": (0, 60), "event_attendance": (50, 4000)}  # fmt: skip


def build_synthetic(libraries: int):
    """A network of `libraries` public libraries in 10 counties, approved 2019 and 2020 reports with
    the headline figures, a success story, an insight and an activity each, and its seminar."""
    from parskats.accounts.models import Role, User
    from parskats.catalogue.models import Indicator, NarrativeSection, Survey
    from parskats.network.models import Membership, Network, OrgUnit
    from parskats.reporting.models import Activity, Narrative, Report, ReportingPeriod, Value
    from parskats.seminar import services

    survey = Survey.objects.get(code="lv-annual")
    network = Network.objects.create(name="Sintētiskais semināra tīkls", slug="seminars-300", is_demo=True)
    start = dt.date(2015, 1, 1)
    region = OrgUnit.objects.create(network=network, level="region", code="r", name="Reģions")
    counties = OrgUnit.objects.bulk_create(
        [OrgUnit(network=network, level="county", code=f"c{i}", name=f"Novads {i:02d}") for i in range(COUNTIES)]
    )
    Membership.objects.bulk_create([Membership(child=c, parent=region, valid_from=start) for c in counties])
    units = OrgUnit.objects.bulk_create(
        [
            OrgUnit(network=network, level="library", library_type="public", code=f"l{i}", name=f"Bibliotēka {i:04d}")
            for i in range(libraries)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(child=u, parent=counties[i % COUNTIES], valid_from=start) for i, u in enumerate(units)]
    )
    indicators = {i.code: i for i in Indicator.objects.filter(survey=survey, code__in=HEADLINE)}
    sections = {s.code: s for s in NarrativeSection.objects.filter(survey=survey)}
    rng = random.Random(6)
    for year in (2019, 2020):
        period = ReportingPeriod.objects.create(
            network=network, survey=survey, year=year, opens_on=dt.date(year + 1, 1, 2),
            deadline=dt.date(year + 1, 2, 15),
        )  # fmt: skip
        reports = Report.objects.bulk_create([Report(unit=u, period=period, status="approved") for u in units])
        Value.objects.bulk_create(
            [
                Value(report=r, indicator=indicators[code], number=Decimal(rng.randint(*span)))
                for r in reports
                for code, span in HEADLINE.items()
                if code in indicators
            ],
            batch_size=2000,
        )
        if year == 2020:
            story = "Ļoti veiksmīgs gads: pasaku rīti, ģimeņu dienas un digitālo prasmju nodarbības. " * 6
            insights = [
                Narrative(report=r, section=sections["insight"], text=f"Atziņa {i % 40}.")
                for i, r in enumerate(reports)
            ]
            Narrative.objects.bulk_create(
                [Narrative(report=r, section=sections["success_story"], text=story) for r in reports] + insights
            )
            Activity.objects.bulk_create(
                [Activity(report=r, title="Pasaku rīts", date=dt.date(2020, 5, 1), mode="virtual") for r in reports]
            )
    admin = User.objects.create_user("bench-seminars@example.org", "x", full_name="Bench")
    Role.objects.create(user=admin, network=network, kind=Role.Kind.ADMIN)
    starts = dt.datetime(2030, 3, 5, 8, 0, tzinfo=dt.UTC)
    return services.create_seminar(
        admin, network, title="Mana bibliotēka 2020. gadā", year=2020, starts_at=starts,
        meeting_url="https://meet.example.org/b", slot_minutes=1,
    )  # fmt: skip


def _timed(function: Callable[[], object]) -> tuple[float, int]:
    """Seconds and the Python heap's peak (bytes) of one call."""
    tracemalloc.start()
    started = time.perf_counter()
    function()
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


def _rss() -> int:
    """This process's resident size now, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def run(runs: int, measure: Callable, percentile: Callable, base_p50: float) -> None:
    from parskats.seminar.models import Seminar

    demo = Seminar.objects.select_related("network").get(network__slug="valka", year=2020)
    cases = [("demo, 33 libraries", demo), (f"synthetic, {SYNTHETIC_LIBRARIES} libraries", None)]
    print()
    print(
        f"Seminar pack: deck (.pptx) + handout (PDF) written as the job writes them (pack.write_pack), {RUNS} "
        f"builds each way; before = as on 2026-12-03 (the plain deck and the whole handout in two forked "
        f"processes); in turn = in this process; after = the deck and the handout's pieces in forked processes; "
        f"cpu s = this process + its children; path s = this process + the slowest child; 2cores = the larger of "
        f"path s and half of cpu s (the wall time with two free cores); load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(f"{'case':<60} {'p50 s':>7} {'p95 s':>7} {'cpu s':>7} {'path s':>7} {'2cores':>7} {'p50 / baseline':>15}")
    for label, seminar in cases:
        _case(label, seminar or build_synthetic(SYNTHETIC_LIBRARIES), percentile)


def _build(write: Callable[[], Any]) -> tuple[float, float, Any, float]:
    """Wall and CPU seconds (this process and the children it waited for) of one build, and the CPU
    seconds on its critical path: this process's own plus the slowest child's, which is the wall time
    when each process has a core to itself (robust to other work on a shared machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, started_cpu = time.perf_counter(), time.process_time()
    written = write()
    own = time.process_time() - started_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    forked = [part.cpu for part in written.parts.values() if part.forked]
    path = own + max(forked) if forked else own
    return time.perf_counter() - started, own + children, written, path


@contextlib.contextmanager
def _plain_deck():
    """The deck as python-pptx makes it, as before 2026-12-06: a walk of every part for each new
    part's name and every text box through python-pptx's setters (the output is the same)."""
    from parskats.seminar import deck, slides

    class Forgetful(dict):
        def __setitem__(self, key, value) -> None:
            pass

    saved = deck._known_partnames, slides._BODIES
    deck._known_partnames, slides._BODIES = (lambda _deck: None), Forgetful()
    try:
        yield
    finally:
        deck._known_partnames, slides._BODIES = saved


def _previous(seminar, out: Path):
    """The pack written the way of 2026-12-03: the plain deck and the whole handout in two forked
    processes, then both files together."""
    from parskats.core.apart import build_apart
    from parskats.core.files import write_together
    from parskats.seminar.content import build_pack
    from parskats.seminar.deck import build_deck
    from parskats.seminar.handout import handout_html, pdf_of
    from parskats.seminar.pack import Written, file_stem

    with _plain_deck():
        pack = build_pack(seminar, "")
        html = handout_html(pack)
        parts = build_apart({"pptx": lambda: build_deck(pack), "pdf": lambda: pdf_of(html)}, True)
    stem = file_stem(seminar)
    write_together(out, {f"{stem}.{suffix}": part.data for suffix, part in parts.items()})
    return Written(out / f"{stem}.pptx", out / f"{stem}.pdf", parts)


def _case(label: str, seminar, percentile: Callable) -> None:
    from parskats.seminar.pack import write_pack
    from parskats.stats.aggregate import default_survey, survey_years
    from parskats.stats.pages import Query, build_figures

    network = seminar.network
    survey = default_survey(network)
    query = Query(survey, survey_years(network, survey), seminar.year, None, "year", True)
    build_figures(network, query)  # warm-up: catalogue, fonts
    baseline = [_timed(lambda: build_figures(network, query))[0] for _ in range(RUNS)]
    out = Path(tempfile.mkdtemp(prefix="bench-pack-"))

    if os.environ.get("BENCH_PROFILE"):  # where the time goes: cProfile of one build in turn, top entries
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: write_pack(seminar, out, fork=False))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(int(os.environ["BENCH_PROFILE"]))
    _elapsed, heap = _timed(lambda: write_pack(seminar, out, fork=False))
    ways = {  # the same builds in the same run, each way in turn so the machine's load falls on all
        "before: plain deck + whole PDF at once, ": lambda: _previous(seminar, out),
        "in turn: deck + whole PDF in one process, ": lambda: write_pack(seminar, out, fork=False),
        "after: deck + PDF in pieces at once, ": lambda: write_pack(seminar, out, fork=True),
    }
    results: dict[str, list[Any]] = {name: [] for name in ways}
    for _ in range(RUNS):
        for name, way in ways.items():
            results[name].append(_build(way))
    base = statistics.median(baseline)
    print(f"{'baseline: dashboard figures, ' + label:<60} {base:7.3f} {percentile(baseline, 0.95):7.3f}")
    target = 3.0 if "demo" in label else 15.0
    for name, runs in results.items():
        walls = [w for w, _c, _r, _p in runs]
        cpus = [c for _w, c, _r, _p in runs]
        paths = [p for _w, _c, _r, p in runs]
        p50 = statistics.median(walls)
        two = max(
            statistics.median(paths), statistics.median(cpus) / 2
        )  # neither below the path nor below half the CPU
        print(
            f"{name + label:<60} {p50:7.2f} {percentile(walls, 0.95):7.2f} {statistics.median(cpus):7.2f} "
            f"{statistics.median(paths):7.2f} {two:7.2f} {p50 / base:14.1f}x   target ≤ {target:.0f} s"
        )
    # Memory of one build, measured in the processes that build: each forked child's peak resident
    # size (ru_maxrss, which counts the parent's pages it maps too) and its own memory (not shared).
    mb = 2**20
    for name in ("before: plain deck + whole PDF at once, ", "after: deck + PDF in pieces at once, "):
        parts = results[name][-1][2].parts
        own = ", ".join(f"{key} {part.private / mb:.0f}" for key, part in parts.items())
        peak, largest = max(p.max_rss for p in parts.values()) / mb, max(p.private for p in parts.values()) / mb
        print(
            f"  memory, {name}{label}: the largest child's peak RSS {peak:.0f} MB, its own {largest:.0f} MB; "
            f"own MB per child: {own}; all children's own together {sum(p.private for p in parts.values()) / mb:.0f} MB"
        )
    print(
        f"  this process had {_rss() / mb:.0f} MB resident (all of the benchmark), the Python heap's peak of a build "
        f"in turn {heap / mb:.1f} MB, the benchmark process's peak "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    shutil.rmtree(out, ignore_errors=True)
