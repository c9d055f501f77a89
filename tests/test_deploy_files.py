"""The files in deploy/ stay in step with the code: every manage.py command a unit runs exists, the
paths agree between the units, the environment example and nginx, and the example settings start.
(deploy/ci-smoke.sh runs the real thing through nginx; this catches a renamed command at once.)"""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("parskats-*.service"))
# Units shipped before the code they run: the change that adds the command takes it off this list.
PENDING: dict[str, str] = {}


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def manage_commands(path: Path) -> list[str]:
    service = unit(path)["Service"]
    lines = [service.get("ExecStart", "")] + [service.get(key, "") for key in ("ExecStartPre", "ExecStartPost")]
    found = []
    for line in lines:
        words = shlex.split(line.replace("%%", "%"))
        for n, word in enumerate(words):
            if word.endswith("manage.py") and n + 1 < len(words):
                found.append(words[n + 1])
            found += re.findall(r"manage\.py (\w+)", word)
    return found


def test_there_are_units_for_web_worker_reminders_and_backups():
    names = {path.name for path in UNITS}
    assert {"parskats-web.service", "parskats-worker.service", "parskats-reminders.service"} <= names
    assert {"parskats-backup.service"} <= names
    for timer in ("parskats-reminders.timer", "parskats-backup.timer"):
        assert unit(DEPLOY / "systemd" / timer)["Timer"]["OnCalendar"].startswith("*-*-*")  # daily


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_every_command_a_unit_runs_exists(path):
    commands = manage_commands(path)
    known = get_commands()
    if path.name in PENDING:
        assert commands == [PENDING[path.name]]
        assert PENDING[path.name] not in known, f"{PENDING[path.name]} exists now: take {path.name} off PENDING"
        assert "NOT YET USABLE" in path.read_text()
        return
    missing = [name for name in commands if name not in known]
    assert not missing, f"{path.name} runs manage.py {missing}, which do not exist"


def test_the_environment_example_names_the_paths_nginx_and_the_units_use():
    example = dict(
        line.split("=", 1) for line in (DEPLOY / "parskats.env.example").read_text().splitlines() if "=" in line
    )
    nginx = (DEPLOY / "nginx" / "parskats.conf").read_text()
    web = (DEPLOY / "systemd" / "parskats-web.service").read_text()
    assert f"alias {example['PARSKATS_MEDIA_ROOT']}/;" in nginx
    assert f"alias {example['PARSKATS_STATIC_ROOT']}/;" in nginx
    assert f"location {example['PARSKATS_MEDIA_ACCEL']} {{\n        internal;" in nginx
    assert f"ReadWritePaths={example['PARSKATS_MEDIA_ROOT']}" in web
    assert "unix:/run/parskats/gunicorn.sock" in nginx and "RuntimeDirectory=parskats" in web
    assert example["PARSKATS_TRUSTED_PROXIES"] == "1" and example["REDIS_URL"].startswith("redis://")


def test_the_gunicorn_configuration_asks_for_four_workers(monkeypatch):
    # The file sets WEB_CONCURRENCY for settings.py; set first so monkeypatch restores it afterwards.
    monkeypatch.setenv("WEB_CONCURRENCY", "0")
    monkeypatch.delenv("WEB_CONCURRENCY")
    namespace: dict[str, object] = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["workers"] == 4 and namespace["bind"] == ["unix:/run/parskats/gunicorn.sock"]
    assert namespace["timeout"] == 120


def test_the_example_environment_starts_in_production_with_several_workers():
    from .test_settings import start

    example = dict(
        line.split("=", 1) for line in (DEPLOY / "parskats.env.example").read_text().splitlines() if "=" in line
    )
    example["DJANGO_SECRET_KEY"] = "x" * 50
    assert start(**example).returncode == 0
    without_redis = {**example, "REDIS_URL": ""}
    refused = start(**without_redis)
    assert refused.returncode != 0 and "REDIS_URL is required" in refused.stderr
