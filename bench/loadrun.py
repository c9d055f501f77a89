"""Runs the deadline-day load (bench/load.py: the mix, the virtual users, the checks) and prints it.

    make loadtest                                   # 50 reporters + 200 readers, 60 s, own gunicorn 2×8
    make loadtest LOAD_ARGS="--before"              # the same, first with the caches off: before/after
    make loadtest LOAD_ARGS="--knee"                # rising load until p99 passes 300 ms: the knee
    python -m bench.loadrun --url https://127.0.0.1:8443 --ca cert.pem --database-url postgres://…/db

The virtual users run in several processes of their own (--processes), so that the generator does
not queue behind one Python interpreter's lock, and each process reports its CPU time: the run prints
the generator's CPU beside the server's (the gunicorn processes, read from /proc) and PostgreSQL's.
On a 2-core machine the generator and the server still share the cores; the CPU lines say how much.
Every acknowledged save is looked up in the database afterwards, and every acknowledged login must
still open a logged-in page (sessions may live in Redis, not in a table).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import server
from .load import (
    MIX,
    Result,
    Step,
    Target,
    User,
    deadline_day,
    percentile,
    present,
    reporters,
    run_user,
    saves_kept,
    session_kept,
)

KNEE_P99_MS = 300.0
KNEE_STEPS = (0.25, 0.5, 1.0, 1.5, 2.0)
CACHES_OFF = {"PARSKATS_PAGE_CACHE_SECONDS": "0", "PARSKATS_FIGURES_CACHE_ENTRIES": "0"}


@dataclass
class Stage:
    people: list[tuple[str, str, int, int]]
    readers: int
    duration: float
    think: float
    ramp: float
    max_requests: int


def _generator(target: Target, steps: list[Step], stage: Stage, share: slice, out: object) -> None:
    result = Result()
    stop_at = time.monotonic() + stage.duration
    budget = threading.Semaphore(max(1, stage.max_requests))
    users = [User(target, result, email, code, unit, period) for email, code, unit, period in stage.people[share]]
    users += [User(target, result) for _ in range(stage.readers)]
    threads = [
        threading.Thread(
            target=run_user,
            args=(
                u,
                [s for s in steps if s.who == ("reporter" if u.email else "reader")],
                stop_at,
                budget,
                stage.think,
                stage.ramp,
            ),
            daemon=True,
        )
        for u in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=stage.duration + 120)
    for user in users:
        session_kept(user)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    out.put(result.summary())  # type: ignore[attr-defined]


def run_stage(target: Target, steps: list[Step], stage: Stage, processes: int) -> tuple[Result, float]:
    """The users of the stage, split over `processes` forked generators; their results merged."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    count = max(1, processes)
    workers = []
    for index in range(count):
        share = slice(index * len(stage.people) // count, (index + 1) * len(stage.people) // count)
        readers = (index + 1) * stage.readers // count - index * stage.readers // count
        part = Stage(stage.people, readers, stage.duration, stage.think, stage.ramp, stage.max_requests // count)
        workers.append(context.Process(target=_generator, args=(target, steps, part, share, queue)))
    started = time.monotonic()
    for worker in workers:
        worker.start()
    result = Result()
    for _ in workers:
        result.add(queue.get(timeout=stage.duration + 300))
    for worker in workers:
        worker.join()
    return result, time.monotonic() - started


# --- CPU of the other side, from /proc (Linux) ---------------------------------------------------


def _stat(pid: int) -> tuple[int, str, float] | None:
    """(parent pid, command, CPU seconds) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    command = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), command, (int(fields[11]) + int(fields[12])) / ticks


def _processes(server_pid: int | None) -> dict[int, tuple[str, float]]:
    """CPU seconds so far per process of the server (a gunicorn master and its workers) and of
    PostgreSQL, by pid."""
    found: dict[int, tuple[str, float]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit() or (stat := _stat(int(entry.name))) is None:
            continue
        pid, (parent, command, seconds) = int(entry.name), stat
        if server_pid is not None and server_pid in (pid, parent):
            found[pid] = ("server", seconds)
        elif command.startswith("postgres"):
            found[pid] = ("postgres", seconds)
    return found


@contextmanager
def measured_cpu(server_pid: int | None) -> Iterator[dict[str, float]]:
    """CPU spent during the block by the processes alive at its end (a process started meanwhile
    counts from zero; one that ended meanwhile is missed, so the figures are at least this much)."""
    before = _processes(server_pid)
    spent: dict[str, float] = {"server": 0.0, "postgres": 0.0}
    yield spent
    for pid, (side, seconds) in _processes(server_pid).items():
        spent[side] += seconds - (before[pid][1] if pid in before else 0.0)


# --- printing ------------------------------------------------------------------------------------


def _all(result: Result) -> list[float]:
    return [ms for samples in result.latencies.values() for ms in samples]


def print_run(title: str, result: Result, elapsed: float, cpu: dict[str, float], lost: list[str]) -> None:
    errors = sum(len(v) for v in result.errors.values())
    print(f"\n{title}: {result.requests} requests in {elapsed:.1f} s: {result.requests / elapsed:.1f} requests/s, "
          f"{errors} errors")  # fmt: skip
    server_cpu = f"{cpu['server']:.1f} s" if cpu.get("server") else "not measured (no server pid)"
    print(f"CPU over the run ({elapsed:.0f} s × {os.cpu_count()} cores): load generator {result.cpu_seconds:.1f} s, "
          f"server {server_cpu}, PostgreSQL {cpu.get('postgres', 0):.1f} s (every postgres process here)")  # fmt: skip
    print(f"{'endpoint':<28} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, samples in sorted(result.latencies.items()):
        print(
            f"{name:<28} {len(samples):8d} {statistics.median(samples):8.1f} {percentile(samples, 0.95):8.1f} "
            f"{percentile(samples, 0.99):8.1f} {len(result.errors.get(name, [])):7d}"
        )
    for name, messages in result.errors.items():
        for message in messages[:3]:
            print(f"  error: {name}: {message}")
    if result.limited:
        print(f"API answers limited (429) for the one shared address: {result.limited}")
    print(
        f"Acknowledged writes: {len(result.sessions)} logins ({result.lost_sessions} lost), "
        f"{len(result.acknowledged)} saves ({len(lost)} lost); conflicts reported: {result.conflicts}; "
        f"refused by validation: {result.refused}"
    )
    for message in lost[:10]:
        print(f"  LOST: {message}")


def print_before_after(before: Result, after: Result) -> None:
    print("\nBefore (caches off) → after (caches on), ms")
    print(f"{'endpoint':<28} {'p50':>17} {'p95':>17} {'p99':>17}")
    for name in sorted(set(before.latencies) | set(after.latencies)):
        old, new = before.latencies.get(name, []), after.latencies.get(name, [])
        if not old or not new:
            continue
        cells = [f"{percentile(old, q):7.1f} → {percentile(new, q):7.1f}" for q in (0.5, 0.95, 0.99)]
        print(f"{name:<28} {cells[0]:>17} {cells[1]:>17} {cells[2]:>17}")


def knee(target: Target, steps: list[Step], url: str, base: Stage, processes: int, pid: int | None) -> int:
    print(f"\nThe knee: the default mix scaled, {base.duration:.0f} s a step; the knee is the highest rate "
          f"with p99 ≤ {KNEE_P99_MS:.0f} ms and no errors")  # fmt: skip
    print(f"{'users':>6} {'offered/s':>10} {'served/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'generator CPU':>14} {'server CPU':>11}")  # fmt: skip
    best: tuple[float, int] | None = None
    failures = 0
    for factor in KNEE_STEPS:
        people = base.people[: max(1, round(len(base.people) * factor))]
        stage = Stage(people, max(1, round(base.readers * factor)), base.duration, base.think, base.ramp,
                      base.max_requests)  # fmt: skip
        deadline_day(url)
        with measured_cpu(pid) as cpu:
            result, elapsed = run_stage(target, steps, stage, processes)
        users = len(people) + stage.readers
        errors = sum(len(v) for v in result.errors.values())
        samples = _all(result)
        p50, p99 = (statistics.median(samples), percentile(samples, 0.99)) if samples else (0.0, 0.0)
        rate = result.requests / elapsed
        print(f"{users:6d} {users / base.think:10.1f} {rate:9.1f} {p50:8.1f} {p99:8.1f} {errors:7d} "
              f"{result.cpu_seconds:12.1f} s {cpu.get('server', 0):9.1f} s", flush=True)  # fmt: skip
        failures += errors
        if p99 <= KNEE_P99_MS and not errors and (best is None or rate > best[0]):
            best = (rate, users)
    if best is None:
        print(f"No step kept p99 ≤ {KNEE_P99_MS:.0f} ms without errors: the knee is below the smallest step.")
    else:
        print(f"Knee: {best[0]:.1f} requests/s served with p99 ≤ {KNEE_P99_MS:.0f} ms ({best[1]} users)")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a user's requests")
    parser.add_argument("--ramp", type=float, default=10.0, help="users arrive spread over these first seconds")
    parser.add_argument("--processes", type=int, default=4, help="load generator processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (own server)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (own server)")
    parser.add_argument("--database", default="parskats_load", help="the own server's database (made and dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--before", action="store_true", help="first run with the caches off (own server)")
    parser.add_argument("--knee", action="store_true", help="rising load steps instead of one run")
    parser.add_argument("--url", help="a running deployment instead of an own server (its demo loaded)")
    parser.add_argument("--ca", help="the certificate to trust for --url https")
    parser.add_argument("--database-url", help="the deployment's database (--url): reporters and the checks")
    parser.add_argument("--server-pid", type=int, help="the deployment's gunicorn master (--url), for its CPU")
    parser.add_argument("--exclude-accounts", default="", help="comma-separated emails not to log in as")
    args = parser.parse_args(argv)
    if args.url and not args.database_url:
        parser.error("--url needs --database-url")

    if not args.url and not server.postgres_reachable():
        print(f"PostgreSQL is not reachable at {server.POSTGRES} (set PARSKATS_POSTGRES).", file=sys.stderr)
        return 2
    url = args.database_url or server.create_database(args.database)
    env = server.server_env(url, DATABASE_CONN_MAX_AGE="60")
    process = None
    status = 0
    try:
        if args.url:
            parts = urlsplit(args.url)
            target = Target(parts.scheme, parts.hostname or "127.0.0.1", parts.port or 443, args.ca)
            pid = args.server_pid
        else:
            print(f"Preparing {args.database}: migrate, demo data …", flush=True)
            server.manage(env, "migrate", "--noinput", "-v0")
            server.manage(env, "load_demo", "--today", server.DEMO_TODAY)
            target = Target("http", "127.0.0.1", server.free_port())
        deadline_day(url)
        excluded = {email.strip() for email in args.exclude_accounts.split(",") if email.strip()}
        people = reporters(url, args.reporters, excluded)
        stage = Stage(people, args.readers, args.duration, args.think, args.ramp, args.max_requests)
        where = args.url or f"gunicorn {args.workers}×{args.threads} on {target.origin}"
        print(f"Load: {args.reporters} reporters + {args.readers} readers, {args.duration:.0f} s, {where}, "
              f"{args.processes} generator processes", flush=True)  # fmt: skip
        runs = [("before (caches off)", CACHES_OFF), ("after (caches on)", {})] if args.before else [("run", {})]
        results = []
        for title, extra in runs:
            if not args.url:
                process = server.start_gunicorn(env | extra, target.port, workers=args.workers, threads=args.threads)
                pid = process.pid
            steps, skipped = present(target, MIX, people[0][1], people[0][0])
            for step in skipped:
                print(f"  skipped (not in this build yet): {step.who} {step.name} {step.path}")
            if args.knee:
                status |= knee(target, steps, url, stage, args.processes, pid)
            else:
                deadline_day(url)
                with measured_cpu(pid) as cpu:
                    result, elapsed = run_stage(target, steps, stage, args.processes)
                lost = saves_kept(url, result)
                print_run(title, result, elapsed, cpu, lost)
                results.append(result)
                status |= int(bool(sum(len(v) for v in result.errors.values()) or lost or not result.requests))
            if process is not None:
                server.stop(process)
                process = None
        if len(results) == 2:
            print_before_after(*results)
    finally:
        if process is not None:
            server.stop(process)
        if not args.url and not args.keep:
            server.drop_database(args.database)
    return status


if __name__ == "__main__":
    sys.exit(main())
