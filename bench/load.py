"""The deadline-day load: the mix of requests, the virtual users and the checks of what they were
told was saved. bench/loadrun.py runs it (`make loadtest`) and prints the figures.

The mix is the MIX table: one row per endpoint, who calls it and how often. A row whose page does not
exist in this build (404 when probed) is listed as skipped.
"""

from __future__ import annotations

import http.client
import random
import re
import ssl
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from urllib.parse import urlencode

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


@dataclass(frozen=True)
class Target:
    """Where the users go: the bench's own gunicorn (http://127.0.0.1:port) or a deployment behind
    nginx (https, with the certificate to trust)."""

    scheme: str
    host: str
    port: int
    ca: str | None = None

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def connect(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            context = ssl.create_default_context(cafile=self.ca)
            return http.client.HTTPSConnection(self.host, self.port, timeout=60, context=context)
        return http.client.HTTPConnection(self.host, self.port, timeout=60)


@dataclass
class Result:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    sessions: list[str] = field(default_factory=list)  # acknowledged logins: session keys
    acknowledged: list[tuple[int, str, int, int]] = field(default_factory=list)  # (report, field, version, number)
    conflicts: int = 0  # saves refused because someone else saved the field first (reported to the person)
    refused: int = 0  # saves refused by validation
    limited: int = 0  # 429 answers of a rate limit that counts per address (all users share one here)
    lost_sessions: int = 0  # logins whose session no longer opened a page at the end
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    cpu_seconds: float = 0.0  # the load generator's own CPU (user + system), all its processes

    def summary(self) -> dict[str, object]:
        """What a generator process sends back (the lock stays behind)."""
        return {k: v for k, v in vars(self).items() if k != "lock"}

    def add(self, other: dict[str, object]) -> None:
        for name, samples in other["latencies"].items():  # type: ignore[attr-defined]
            self.latencies[name] += samples
        for name, messages in other["errors"].items():  # type: ignore[attr-defined]
            self.errors[name] += messages
        for name in ("sessions", "acknowledged"):
            getattr(self, name).extend(other[name])
        for name in ("conflicts", "refused", "limited", "lost_sessions", "requests", "cpu_seconds"):
            setattr(self, name, getattr(self, name) + other[name])


class User:
    """One virtual user: a keep-alive connection and its cookies."""

    def __init__(
        self, target: Target, result: Result, email: str = "", library: str = "", unit: int = 0, period: int = 0
    ) -> None:
        self.target, self.result, self.email, self.library = target, result, email, library
        self.unit, self.period = unit, period
        self.report: int | None = None
        self.versions: dict[str, int] = {}
        self.submitted = False
        self.cookies: dict[str, str] = {}
        self.connection = target.connect()

    def request(self, name: str, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": f"{self.target.origin}{path}",
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
            self.connection = self.target.connect()
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
            if status == 429 and step.path.startswith("/api/") and user.target.scheme == "https":
                # Behind nginx every reader comes from this one address, which the API limit counts.
                with user.result.lock:
                    user.result.limited += 1
            elif status and status not in step.expect:
                user.fail(step.name, f"{step.method} {path}: {status} {location}")
        time.sleep(rng.uniform(0.5, 1.5) * think)


def session_kept(user: User) -> None:
    """After the run: an acknowledged login still opens a logged-in page (wherever sessions are kept)."""
    if "sessionid" not in user.cookies:
        return
    status, location, _ = user.request("session check", "GET", f"/n/{NETWORK}/")
    if status != 200:
        with user.result.lock:
            user.result.lost_sessions += 1
            user.result.errors["session check"].append(f"{user.email}: {status} {location}")


def present(target: Target, steps: list[Step], library: str, email: str) -> tuple[list[Step], list[Step]]:
    """Rows whose page exists in this build, and the rest (404: that feature has not landed yet)."""
    probe = User(target, Result(), email, library)
    probe.log_in()
    found, missing = [], []
    for step in steps:
        client = probe if step.who == "reporter" else User(target, Result())
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


def reporters(url: str, count: int, excluded: set[str] | None = None) -> list[tuple[str, str, int, int]]:
    """(email, library code, library id, open period id) of the demo network's reporters with one
    library, repeated to `count` (so two people may fill in one report at once, as happens). The
    national demo's reporters are left out: the mix's pages are the Valka network's."""
    import psycopg

    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT u.email, min(o.code), min(o.id), min(p.id) FROM accounts_user u "
            "JOIN accounts_role r ON r.user_id = u.id JOIN network_orgunit o ON o.id = r.unit_id "
            "JOIN network_network n ON n.id = r.network_id "
            "JOIN reporting_reportingperiod p ON p.network_id = r.network_id AND p.status = 'open' "
            "WHERE r.kind = 'reporter' AND n.slug = %s GROUP BY u.email HAVING count(*) = 1 ORDER BY u.email",
            (NETWORK,),
        ).fetchall()
    rows = [row for row in rows if row[0] not in (excluded or set())]
    return [rows[i % len(rows)] for i in range(count)]


def saves_kept(url: str, result: Result) -> list[str]:
    """Every acknowledged save is in the database: the field holds that number at that version, or a
    later version (someone saved after it, which the conflict check let through knowingly)."""
    import psycopg

    reports = sorted({report for report, *_ in result.acknowledged})
    with psycopg.connect(url) as db:
        stored = {
            (report, code): (version, number)
            for report, code, version, number in db.execute(
                "SELECT v.report_id, i.code, v.version, v.number FROM reporting_value v "
                "JOIN catalogue_indicator i ON i.id = v.indicator_id WHERE v.report_id = ANY(%s)",
                (reports,),
            ).fetchall()
        }
    lost = []
    for report, code, version, number in result.acknowledged:
        kept = stored.get((report, code))
        if kept is None or kept[0] < version or (kept[0] == version and kept[1] != Decimal(number)):
            lost.append(f"report {report} {code}: saved {number} as version {version}, stored {kept}")
    return lost


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
