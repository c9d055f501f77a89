"""The seminar pack: time and peak memory to build the deck (.pptx) and the handout (PDF)
for the 33-library demo seminar and for a synthetic 300-library network, next to a baseline of the
same run: the region's dashboard figures (`build_figures`), which the pack reads once.

Targets: deck and PDF together ≤ 3 s for the 33-library demo and ≤ 15 s for 300 libraries, peak
memory of a build ≤ 300 MB.
Each case is written the way the job writes it (`pack.write_pack`) twice over in the same run:
before, deck and handout in turn in this process (`fork=False`); after, deck and handout layout at
once in two forked processes. Wall time depends on what else runs on the machine; "cpu s" is this
process's CPU time plus its children's (p50); "path s" is the CPU time on the critical path (this
process's own plus the slower child's): the wall time when every process has a core to itself.
Memory: the Python heap's peak of a build (tracemalloc), and the peak resident size (ru_maxrss) of
each process that builds: a forked child's starts at the parent's resident size at the fork, so its
growth over that is the build's own; the whole benchmark process's figure (everything loaded
before, the demo too) is printed as well."""

from __future__ import annotations

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
        f"builds each; before = in turn in this process, after = deck and layout in two forked processes; "
        f"cpu s = this process + its children; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'case':<52} {'p50 s':>7} {'p95 s':>7} {'cpu s':>7} {'path s':>7} {'p50 / baseline':>15}")
    for label, seminar in cases:
        _case(label, seminar or build_synthetic(SYNTHETIC_LIBRARIES), percentile)


def _build(write: Callable[[], Any]) -> tuple[float, float, Any, float]:
    """Wall and CPU seconds (this process and the children it waited for) of one build, and the CPU
    seconds on its critical path: this process's own plus the slower child's, which is the wall time
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


def _case(label: str, seminar, percentile: Callable) -> None:
    from parskats.core.apart import build_apart
    from parskats.seminar.content import build_pack
    from parskats.seminar.deck import build_deck
    from parskats.seminar.handout import handout_html, pdf_of
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
    results = {}
    for fork in (False, True):  # before, after: the same builds in the same run
        results[fork] = [_build(lambda fork=fork: write_pack(seminar, out, fork=fork)) for _ in range(RUNS)]
    base = statistics.median(baseline)
    print(f"{'baseline: dashboard figures, ' + label:<52} {base:7.3f} {percentile(baseline, 0.95):7.3f}")
    target = 3.0 if "demo" in label else 15.0
    for fork, name in ((False, "before: deck + PDF in turn, "), (True, "after: deck + PDF at once, ")):
        walls = [w for w, _c, _r, _p in results[fork]]
        cpus = [c for _w, c, _r, _p in results[fork]]
        paths = [p for _w, _c, _r, p in results[fork]]
        p50 = statistics.median(walls)
        print(
            f"{name + label:<52} {p50:7.2f} {percentile(walls, 0.95):7.2f} {statistics.median(cpus):7.2f} "
            f"{statistics.median(paths):7.2f} {p50 / base:14.1f}x   target ≤ {target:.0f} s"
        )
    # Memory of one build, measured in the processes that build: ru_maxrss of each forked child (it
    # counts the parent's pages the child holds too, so it is an upper bound of what the build took).
    parts = max((r.parts for _w, _c, r, _p in results[True]), key=lambda p: max(x.max_rss for x in p.values()))
    pack = build_pack(seminar, "")
    html = handout_html(pack)
    at_fork = _rss()
    in_turn = build_apart({"both": lambda: build_deck(pack) + pdf_of(html), "none": lambda: b""}, fork=True)
    mb = 2**20
    print(
        f"  peak RSS of a build, {label}: deck child {parts['pptx'].max_rss / mb:.0f} MB (its own "
        f"{parts['pptx'].private / mb:.0f} MB), handout child {parts['pdf'].max_rss / mb:.0f} MB (own "
        f"{parts['pdf'].private / mb:.0f} MB); before, both in turn in one child: {in_turn['both'].max_rss / mb:.0f} "
        f"MB (own {in_turn['both'].private / mb:.0f} MB); target ≤ 300 MB. The parent had {at_fork / mb:.0f} MB "
        f"resident (all of the benchmark), the Python "
        f"heap's peak of a build in turn {heap / mb:.1f} MB, the benchmark process's peak "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    shutil.rmtree(out, ignore_errors=True)
