"""The deadline-day load test: gunicorn on 127.0.0.1 over PostgreSQL, reporters saving while readers browse.

    make loadtest                                     # 50 reporters + 200 readers for 60 s
    make loadtest LOAD_ARGS="--reporters 10 --readers 20 --duration 15"

It creates a PostgreSQL database of its own (--database, dropped afterwards unless --keep), loads the
demo, starts gunicorn, and runs virtual users (one thread and one keep-alive connection each) for a
bounded time and number of requests. It prints requests per second, p50/p95/p99 per endpoint and the
errors, and then checks in the database that every acknowledged write is there.

The mix is the MIX table: one row per endpoint, who calls it and how often. A row whose page does not
exist in this build yet (404 when probed) is listed as skipped, so that the autosave of the report
form, the public figures and the news join the mix as they land.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from . import server

NETWORK = "valka"
PASSWORD = "parskats-demo"  # the demo's published password (README)


@dataclass
class Step:
    who: str  # "reporter" (logged in, one library) or "reader" (anonymous public)
    name: str
    path: str  # "{library}" is the reporter's library code
    weight: int
    method: str = "GET"
    expect: tuple[int, ...] = (200,)
    # A step that is more than one GET (autosave, submit): does its requests and records its results.
    action: Callable[[User, random.Random], None] | None = None


VERSION = re.compile(r'name="version-([\w.-]+)" value="(\d+)"')
SAVED_VERSION = 'id="version-{code}" name="version-{code}" value="'


def open_report(user: User) -> bool:
    """Start (or find) the reporter's report for the open year and read its form."""
    status, location, _ = user.request(
        "start report", "POST", f"/n/{NETWORK}/reports/start/{user.period}/{user.unit}/", {}
    )
    found = re.search(r"/reports/(\d+)/", location)
    if status != 302 or not found:
        user.fail("start report", f"{user.email}: {status} {location}")
        return False
    user.report = int(found.group(1))
    return read_form(user)


def read_form(user: User) -> bool:
    status, _, page = user.request("report form", "GET", f"/n/{NETWORK}/reports/{user.report}/")
    if status != 200:
        user.fail("report form", f"{user.email}: {status}")
        return False
    user.versions = {code: int(version) for code, version in VERSION.findall(page)}
    return bool(user.versions)


def autosave(user: User, rng: random.Random) -> None:
    """One field typed and left: saved (acknowledged, with its new version) or a reported conflict."""
    if user.submitted or (not user.versions and not open_report(user)):
        return
    code = rng.choice(sorted(user.versions))
    number = rng.randint(0, 99_999)
    form = {f"v-{code}": str(number), f"kind-{code}": "number", f"version-{code}": str(user.versions[code])}
    status, _, page = user.request("autosave", "POST", f"/n/{NETWORK}/reports/{user.report}/value/{code}/", form)
    if status != 200:
        user.fail("autosave", f"{code}: {status}")
    elif "status-saved" in page:
        start = page.find(SAVED_VERSION.format(code=code))
        version = int(re.match(r"\d+", page[start + len(SAVED_VERSION.format(code=code)) :]).group())  # type: ignore[union-attr]
        user.versions[code] = version
        with user.result.lock:
            user.result.acknowledged.append((user.report, code, version, number))
    elif "status-conflict" in page:
        with user.result.lock:
            user.result.conflicts += 1
        read_form(user)  # the person reloads to see the other value
    else:
        with user.result.lock:
            user.result.refused += 1


def reload_form(user: User, rng: random.Random) -> None:
    if user.report is None:
        open_report(user)
    else:
        read_form(user)


def submit(user: User, rng: random.Random) -> None:
    """Submit once; the checks may refuse it (errors or unexplained warnings), which is an answer too."""
    if user.submitted or user.report is None:
        return
    status, location, _ = user.request("submit", "POST", f"/n/{NETWORK}/reports/{user.report}/submit/", {})
    if status != 302:
        user.fail("submit", f"{user.email}: {status} {location}")
    user.submitted = True


MIX: list[Step] = [
    Step("reader", "start page", "/", 1),
    Step("reader", "public figures", f"/skaitli/{NETWORK}/", 4),
    Step("reader", "public library page", f"/skaitli/{NETWORK}/biblioteka/valka/", 2),
    Step("reader", "public county page", f"/skaitli/{NETWORK}/teritorija/valka-novads/", 1),
    Step("reader", "news", "/jaunumi/", 4),
    Step("reader", "news article", "/jaunumi/2021/valkas-regiona-bibliotekaru-tiksanas-tiessaiste/", 2),
    Step("reader", "public stories", "/stasti/", 1),
    Step("reader", "news feed", "/jaunumi/rss/", 1),
    Step("reader", "API: values", f"/api/networks/{NETWORK}/values/", 1),
    Step("reader", "API: aggregates", f"/api/networks/{NETWORK}/aggregates/", 1),
    Step("reader", "login page", "/accounts/login/", 1),
    Step("reporter", "libraries of the network", f"/n/{NETWORK}/", 1),
    Step("reporter", "own library", f"/n/{NETWORK}/libraries/{{library}}/", 2),
    Step("reporter", "autosave", f"/n/{NETWORK}/reports/", 30, action=autosave),
    Step("reporter", "report form", f"/n/{NETWORK}/reports/", 3, action=reload_form),
    Step("reporter", "submit", f"/n/{NETWORK}/reports/", 1, action=submit),
]


@dataclass
class Result:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sessions: list[str] = field(default_factory=list)  # acknowledged logins: session keys
    acknowledged: list[tuple[int, str, int, int]] = field(default_factory=list)  # (report, field, version, number)
    conflicts: int = 0  # saves refused because someone else saved the field first (reported to the person)
    refused: int = 0  # saves refused by validation
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0


class User:
    """One virtual user: a keep-alive connection and its cookies."""

    def __init__(
        self, port: int, result: Result, email: str = "", library: str = "", unit: int = 0, period: int = 0
    ) -> None:
        self.port, self.result, self.email, self.library = port, result, email, library
        self.unit, self.period = unit, period
        self.report: int | None = None
        self.versions: dict[str, int] = {}
        self.submitted = False
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, name: str, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            }
        start = time.perf_counter()
        try:
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
            except http.client.RemoteDisconnected:
                # The server closed an idle keep-alive connection; a browser retries on a new one.
                self.connection.close()
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self._record(name, start, f"{method} {path}: {type(exc).__name__} {exc}")
            return 0, "", ""
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        self._record(name, start, None)
        return response.status, response.headers.get("Location", ""), text

    def _record(self, name: str, start: float, error: str | None) -> None:
        with self.result.lock:
            self.result.requests += 1
            self.result.latencies[name].append((time.perf_counter() - start) * 1000)
            if error:
                self.result.errors[name].append(error)

    def fail(self, name: str, message: str) -> None:
        with self.result.lock:
            self.result.errors[name].append(message)

    def log_in(self) -> bool:
        self.request("login page", "GET", "/accounts/login/")
        status, location, _ = self.request(
            "log in", "POST", "/accounts/login/", {"username": self.email, "password": PASSWORD}
        )
        if status != 302 or "sessionid" not in self.cookies:
            self.fail("log in", f"{self.email}: {status} {location}")
            return False
        with self.result.lock:
            self.result.sessions.append(self.cookies["sessionid"])
        return True


def run_user(
    user: User, steps: list[Step], stop_at: float, budget: threading.Semaphore, think: float, ramp: float
) -> None:
    try:
        behave(user, steps, stop_at, budget, think, ramp)
    except Exception as exc:  # a crash of the load generator is an error of the run, never silence
        user.fail("load generator", f"{type(exc).__name__}: {exc}")


def behave(
    user: User, steps: list[Step], stop_at: float, budget: threading.Semaphore, think: float, ramp: float
) -> None:
    rng = random.Random(f"{user.email}-{id(user)}")
    time.sleep(rng.uniform(0, ramp))  # people arrive over the first seconds, not in the same instant
    if user.email and not user.log_in():
        return
    weights = [step.weight for step in steps]
    while time.monotonic() < stop_at and budget.acquire(blocking=False):
        step = rng.choices(steps, weights)[0]
        if step.action is not None:
            step.action(user, rng)
        else:
            path = step.path.format(library=user.library)
            status, location, _ = user.request(step.name, step.method, path)
            if status and status not in step.expect:
                user.fail(step.name, f"{step.method} {path}: {status} {location}")
        time.sleep(rng.uniform(0.5, 1.5) * think)


def present(port: int, steps: list[Step], library: str, email: str) -> tuple[list[Step], list[Step]]:
    """Rows whose page exists in this build, and the rest (404: that feature has not landed yet)."""
    probe = User(port, Result(), email, library)
    probe.log_in()
    found, missing = [], []
    for step in steps:
        client = probe if step.who == "reporter" else User(port, Result())
        status, _, _ = client.request("probe", "GET", step.path.format(library=library))
        (missing if status == 404 else found).append(step)
    return found, missing


def deadline_day(url: str) -> None:
    """The scenario: the open year's reports are all still being filled in."""
    import psycopg

    with psycopg.connect(url) as db:
        db.execute(
            "UPDATE reporting_report SET status = 'draft' FROM reporting_reportingperiod p "
            "WHERE reporting_report.period_id = p.id AND p.status = 'open'"
        )


def reporters(url: str, count: int) -> list[tuple[str, str, int, int]]:
    """(email, library code, library id, open period id) of demo reporters with one library, repeated
    to `count` (so two people may fill in one report at once, as happens)."""
    import psycopg

    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT u.email, min(o.code), min(o.id), min(p.id) FROM accounts_user u "
            "JOIN accounts_role r ON r.user_id = u.id JOIN network_orgunit o ON o.id = r.unit_id "
            "JOIN reporting_reportingperiod p ON p.network_id = r.network_id AND p.status = 'open' "
            "WHERE r.kind = 'reporter' GROUP BY u.email HAVING count(*) = 1 ORDER BY u.email"
        ).fetchall()
    return [rows[i % len(rows)] for i in range(count)]


def verify(url: str, result: Result, checks: list[Callable[[object, Result], list[str]]]) -> list[str]:
    """Every acknowledged write is in the database: the logins' sessions, then each MIX write check."""
    import psycopg

    with psycopg.connect(url) as db:
        stored = {row[0] for row in db.execute("SELECT session_key FROM django_session").fetchall()}
        lost = [
            f"session of an acknowledged login is missing: {key[:8]}…" for key in result.sessions if key not in stored
        ]
        for check in checks:
            lost += check(db, result)
    return lost


WRITE_CHECKS: list[Callable[[object, Result], list[str]]] = []


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests")
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a user's requests")
    parser.add_argument("--ramp", type=float, default=10.0, help="users arrive spread over these first seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--database", default="parskats_load")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)

    if not server.postgres_reachable():
        print(f"PostgreSQL is not reachable at {server.POSTGRES} (set PARSKATS_POSTGRES).", file=sys.stderr)
        return 2
    url = server.create_database(args.database)
    env = server.server_env(url, DATABASE_CONN_MAX_AGE="60")
    process = None
    try:
        print(f"Preparing {args.database}: migrate, demo data …", flush=True)
        server.manage(env, "migrate", "--noinput", "-v0")
        server.manage(env, "load_demo", "--today", server.DEMO_TODAY)
        deadline_day(url)
        port = server.free_port()
        process = server.start_gunicorn(env, port, workers=args.workers, threads=args.threads)
        people = reporters(url, args.reporters)
        steps, skipped = present(port, MIX, people[0][1], people[0][0])
        for step in skipped:
            print(f"  skipped (not in this build yet): {step.who} {step.name} {step.path}")
        result = Result()
        budget = threading.Semaphore(args.max_requests)
        users = [User(port, result, email, code, unit, period) for email, code, unit, period in people]
        users += [User(port, result) for _ in range(args.readers)]
        print(
            f"Load: {args.reporters} reporters + {args.readers} readers, {args.duration:.0f} s, gunicorn "
            f"{args.workers}×{args.threads} on 127.0.0.1:{port}, PostgreSQL {args.database}",
            flush=True,
        )
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [
            threading.Thread(
                target=run_user,
                args=(
                    u,
                    [s for s in steps if s.who == ("reporter" if u.email else "reader")],
                    stop_at,
                    budget,
                    args.think,
                    args.ramp,
                ),
                daemon=True,
            )
            for u in users
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
        lost = verify(url, result, WRITE_CHECKS)
    finally:
        if process is not None:
            server.stop(process)
        if not args.keep:
            server.drop_database(args.database)

    errors = sum(len(v) for v in result.errors.values())
    print(
        f"\n{result.requests} requests in {elapsed:.1f} s: {result.requests / elapsed:.1f} requests/s, {errors} errors"
    )
    print(f"{'endpoint':<28} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, samples in sorted(result.latencies.items()):
        print(
            f"{name:<28} {len(samples):8d} {statistics.median(samples):8.1f} {percentile(samples, 0.95):8.1f} "
            f"{percentile(samples, 0.99):8.1f} {len(result.errors.get(name, [])):7d}"
        )
    for name, messages in result.errors.items():
        for message in messages[:3]:
            print(f"  error: {name}: {message}")
    print(
        f"Acknowledged writes: {len(result.sessions)} logins, {len(result.acknowledged)} saves; "
        f"conflicts reported: {result.conflicts}; refused by validation: {result.refused}; lost: {len(lost)}"
    )
    for message in lost[:10]:
        print(f"  LOST: {message}")
    return 1 if errors or lost or not result.requests else 0


if __name__ == "__main__":
    sys.exit(main())
