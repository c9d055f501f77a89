"""Where a request's time goes, per endpoint of the deadline-day mix: each request profiled with
cProfile, every function's own time (not its callees') put in one bucket by the file it lives in, so
the buckets add up to the whole.

    python -m bench.profile                        # SQLite demo (a throw-away database)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test python -m bench.profile
    BENCH_PROFILE_RUNS=50 python -m bench.profile

Readers' pages are profiled with the page cache off, which is the work of a miss (the first reader
after a change); with it on, a reader's request is one query (tests/test_public_page_cache.py).
The login keeps the production password hasher (Argon2), as the login of a real person pays it.
Profiling slows Python code more than C code (the database driver, Argon2): the shares are a guide
to where to look, the p50 column (measured without the profiler) is the time.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable

BUCKETS = (
    "middleware", "sessions, auth", "templates", "queries", "translation", "password hash", "Pārskats code",
    "Django, other", "other",
)  # fmt: skip


def bucket(filename: str, function: str) -> str:
    """The bucket of one function, by where it is defined (C functions by their name)."""
    path = filename.replace("\\", "/")
    if "argon2" in path or "argon2" in function or path.endswith("/hashers.py"):
        return "password hash"
    if "/middleware" in path:
        return "middleware"
    if "django/contrib/sessions" in path or "django/contrib/auth" in path:
        return "sessions, auth"
    if "django/template" in path or "django/templatetags" in path or "django/forms/renderers" in path:
        return "templates"
    if "django/db/" in path or "psycopg" in path or "sqlite3" in path or "sqlite3" in function:
        return "queries"
    if "psycopg" in function or "'execute'" in function:
        return "queries"
    if "django/utils/translation" in path or "/gettext.py" in path or "/babel/" in path:
        return "translation"
    if "/parskats/" in path:
        return "Pārskats code"
    if "/django/" in path:
        return "Django, other"
    return "other"


def profile(send: Callable[[], int], runs: int) -> tuple[float, dict[str, float]]:
    """p50 in ms without the profiler, and the share of each bucket with it."""
    for _ in range(3):
        assert send() in (200, 302), "warm-up failed"
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        send()
        samples.append((time.perf_counter() - start) * 1000)
    profiler = cProfile.Profile()
    for _ in range(runs):
        profiler.enable()
        send()
        profiler.disable()
    totals: dict[str, float] = defaultdict(float)
    stats = pstats.Stats(profiler)
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        totals[bucket(filename, function)] += row[2]  # tottime: the function's own time
    whole = sum(totals.values()) or 1.0
    return statistics.median(samples), {name: totals[name] / whole for name in BUCKETS}


def _ok(status: int) -> int:
    assert status == 200, f"answered {status}, not the page"
    return status


def cases(runs: int) -> list[tuple[str, Callable[[], int]]]:
    from django.test import Client, override_settings

    from parskats.accounts.models import Role, User
    from parskats.reporting.models import Report, ReportingPeriod, Value

    reader = Client()
    no_page_cache = override_settings(PAGE_CACHE_SECONDS=0)

    def page(url: str) -> Callable[[], int]:
        def send() -> int:
            with no_page_cache:
                return _ok(reader.get(url).status_code)

        return send

    role = Role.objects.filter(kind="reporter", unit__code="seda").select_related("user", "unit").first()
    assert role is not None, "the demo has no reporter of Sedas bibliotēka"
    period = ReportingPeriod.objects.get(network__slug="valka", status=ReportingPeriod.Status.OPEN)
    report, _ = Report.objects.get_or_create(unit=role.unit, period=period)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)
    User.objects.filter(pk=role.user.pk).update(password="")
    person = User.objects.get(pk=role.user.pk)
    person.set_password("parskats-demo-profile")  # Argon2, as in production; before the login below,
    person.save(update_fields=["password"])  # since a new password ends the sessions made before
    reporter = Client()
    reporter.force_login(person)
    code = "loans" if Value.objects.filter(report=report, indicator__code="loans").exists() else None
    code = code or Value.objects.filter(report=report).values_list("indicator__code", flat=True).first() or "loans"
    numbers = iter(range(10_000, 10_000_000))

    def autosave() -> int:
        version = Value.objects.filter(report=report, indicator__code=code).values_list("version", flat=True).first()
        form = {f"v-{code}": str(next(numbers)), f"kind-{code}": "num", f"version-{code}": str(version or 0)}
        return _ok(
            reporter.post(f"/n/valka/reports/{report.pk}/value/{code}/", form, HTTP_HX_REQUEST="true").status_code
        )

    def log_in() -> int:
        answer = Client().post("/accounts/login/", {"username": person.email, "password": "parskats-demo-profile"})
        assert answer.status_code == 302, "the login was refused"
        return answer.status_code

    from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
    from django.test import override_settings

    # The baseline: Django's own Argon2 parameters (100 MiB, 2 passes, 8 lanes), which the site used
    # before its own (accounts/hashers.py); the stored hash is made with them, so nothing rehashes.
    djangos = make_password("parskats-demo-profile", hasher=Argon2PasswordHasher())

    def log_in_before() -> int:
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
            User.objects.filter(pk=person.pk).update(password=djangos)
            return log_in()

    article = "/jaunumi/2021/valkas-regiona-bibliotekaru-tiksanas-tiessaiste/"

    def cached(url: str) -> Callable[[], int]:
        def send() -> int:
            answer = reader.get(url)
            assert answer.get("X-Page-Cache") in ("hit", "miss"), "not a cached page"
            return _ok(answer.status_code)

        return send

    return [
        ("public figures (reader, page cache hit)", cached("/skaitli/valka/")),
        ("start page (reader)", page("/")),
        ("public figures (reader)", page("/skaitli/valka/")),
        ("public library page (reader)", page("/skaitli/valka/biblioteka/valka/")),
        ("public county page (reader)", page("/skaitli/valka/teritorija/valka-novads/")),
        ("news (reader)", page("/jaunumi/")),
        ("news article (reader)", page(article)),
        ("stories (reader)", page("/stasti/")),
        ("news feed (reader)", page("/jaunumi/rss/")),
        ("API aggregates (reader)", page("/api/networks/valka/aggregates/")),
        ("libraries of the network (reporter)", lambda: _ok(reporter.get("/n/valka/").status_code)),
        ("report form (reporter)", lambda: _ok(reporter.get(f"/n/valka/reports/{report.pk}/").status_code)),
        ("autosave (reporter)", autosave),
        ("baseline: log in, Django's Argon2", log_in_before),
        ("log in (Argon2id, 19 MiB, 1 lane)", log_in),
    ]


def main() -> int:
    runs = int(os.environ.get("BENCH_PROFILE_RUNS", "20"))
    from bench.demo import demo_database
    from bench.server import DEMO_TODAY

    with demo_database("profile", DEMO_TODAY):
        from django.db import connection

        print(f"Where the time goes, on {connection.vendor}: {runs} requests per endpoint, own time per bucket")
        header = "".join(f"{name[:12]:>13}" for name in BUCKETS)
        print(f"{'endpoint':<38} {'p50 ms':>8}{header}")
        for name, send in cases(runs):
            p50, shares = profile(send, runs)
            cells = "".join(f"{shares[bucket_name] * 100:12.0f}%" for bucket_name in BUCKETS)
            print(f"{name:<38} {p50:8.1f}{cells}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
