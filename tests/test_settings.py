"""Malformed settings stop start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PARSKATS_ENV", "DJANGO_SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL has an unsupported scheme"),
        ({"DATABASE_URL": "postgres://user@:5432/"}, "DATABASE_URL names no host"),
        ({"DATABASE_URL": "postgres://user@host:port5432/db"}, "DATABASE_URL has a malformed port"),
        ({"DATABASE_URL": "postgres://user@host:5432"}, "DATABASE_URL names no database"),
        ({"PARSKATS_ENV": "production"}, "DJANGO_SECRET_KEY is required"),
        ({"PARSKATS_ENV": "production", "DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY is too short"),
        ({"PARSKATS_ENV": "staging"}, "PARSKATS_ENV='staging'"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG='maybe' is not a boolean"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT='twenty-five' is not a whole number"),
        (
            {"PARSKATS_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50},
            "DJANGO_ALLOWED_HOSTS is required",
        ),
    ],
)
def test_bad_setting_stops_start_up_naming_it(env, named):
    result = start(**env)
    assert result.returncode != 0
    assert named in result.stderr


def test_good_production_settings_start():
    result = start(
        PARSKATS_ENV="production",
        DJANGO_SECRET_KEY="k" * 20 + "-random-enough-for-a-test-0123456789",
        DJANGO_ALLOWED_HOSTS="parskats.example.org",
    )
    assert result.returncode == 0, result.stderr
