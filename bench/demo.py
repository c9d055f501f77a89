"""A throw-away database with the demo loaded, for the benchmarks that run on their own."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def demo_database(name: str = "bench", today: str | None = None) -> Iterator[None]:
    """SQLite in a temporary folder unless DATABASE_URL names another database (the test runner
    makes and drops its test copy), with `load_demo` run (as of `today`, when given)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parskats.settings")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/{name}.sqlite3"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import get_runner, setup_test_environment

    setup_test_environment()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old_config = runner.setup_databases()
    try:
        with open(os.devnull, "w") as sink:
            call_command("load_demo", stdout=sink, **({"today": today} if today else {}))
        yield
    finally:
        runner.teardown_databases(old_config)
