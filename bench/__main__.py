"""Server-side benchmarks, printed with a baseline measured in the same run.

    make bench                      # SQLite (a throw-away database in a temp dir)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench

Each figure is the server time of a request through Django's test client (no network), over
N runs after warm-up, next to the baseline: the anonymous start page, which touches no data.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import warnings

from bench import review, server

warnings.filterwarnings("ignore", message="No directory at")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parskats.settings")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(client, url: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return samples, len(queries)


def main() -> int:
    runs = int(os.environ.get("BENCH_RUNS", "200"))
    import django
    from django.test.utils import get_runner, setup_test_environment

    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        with open(os.devnull, "w") as sink:
            call_command("load_demo", stdout=sink, today=server.DEMO_TODAY)
        from parskats.accounts.models import User

        from .news import cases as news_cases

        vendor = django.db.connection.vendor
        anonymous, methodologist = Client(), Client()
        methodologist.force_login(User.objects.get(email="metodikis@example.org"))
        if os.environ.get("BENCH_ONLY") == "backup":  # backup and restore with the US network's years
            from bench import backup as backup_bench
            from bench import pls

            directory = pls.data_dir()
            if directory is not None:
                from parskats.pls.importer import import_year

                for year in pls.YEARS:
                    if (directory / year).is_dir():
                        import_year(directory / year, confirm_columns=True, confirm_removals=True)
            backup_bench.run()
            return 0
        if os.environ.get("BENCH_ONLY") == "documents":  # the review and the seminar pack alone
            base_p50 = statistics.median(measure(anonymous, "/", runs)[0])
            print(f"baseline: start page (anonymous, no data) p50 {base_p50:.2f} ms")
            _documents(methodologist, runs, base_p50)
            return 0
        cases = [
            ("baseline: start page (anonymous, no data)", anonymous, "/"),
            ("libraries grouped by county, 35 libraries, 2021", methodologist, "/n/valka/?year=2021"),
            ("library page (Sedas bibliotēka)", methodologist, "/n/valka/libraries/seda/"),
        ]
        cases += news_cases(anonymous, methodologist)
        cases += review.cases(methodologist)
        results = [(name, *measure(client, url, runs)) for name, client, url in cases]
        from bench.form import form_results

        results += form_results(runs)
        base_p50 = statistics.median(results[0][1])
        print(f"Pārskats benchmarks on {vendor}, {runs} requests each (server time through the test client)")
        print(f"{'case':<52} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'p50 / baseline':>15}")
        for name, samples, queries in results:
            p50 = statistics.median(samples)
            print(f"{name:<52} {p50:8.2f} {percentile(samples, 0.95):8.2f} {queries:8d} {p50 / base_p50:14.1f}x")
        from bench import stats as stats_bench

        stats_bench.run(runs, measure, percentile, base_p50)
        from bench import pls  # the US Public Libraries Survey at national scale

        pls.run(runs, measure, percentile)
        from bench import national  # the same survey with a coordinator per state (issue 18)

        national.run(runs)
        from bench import imputation as imputation_bench  # estimates of hidden US values against the truth

        imputation_bench.run()
        from bench import outliers as outliers_bench  # the share of values each check flags

        outliers_bench.run()
        from bench import backup as backup_bench

        backup_bench.run()
        _documents(methodologist, runs, base_p50)
    finally:
        runner.teardown_databases(old_config)
    return 0


def _documents(methodologist, runs: int, base_p50: float) -> None:
    from bench import seminar as seminar_bench
    from bench.yearbook import report as yearbook_report  # the annual review documents

    yearbook_report(methodologist, base_p50)
    seminar_bench.run(runs, measure, percentile, base_p50)


if __name__ == "__main__":
    sys.exit(main())
