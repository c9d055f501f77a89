"""The management commands speak the language asked for: --language, else the environment's
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else Latvian."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parskats.core.commands import language_from_environment

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "lv"),
        ({"LANG": "C.UTF-8"}, "lv"),
        ({"LANG": "POSIX"}, "lv"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "lv_LV.UTF-8"}, "lv"),
        ({"LANG": "lv_LV.UTF-8", "LC_ALL": "en_US"}, "en"),
        ({"LANGUAGE": "de:en", "LANG": "lv_LV.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "lv"),
        ({"LANG": "sr_RS@latin"}, "lv"),
    ],
)
def test_the_language_from_the_environment(environ, expected):
    assert language_from_environment(environ) == expected


def import_missing(**options):
    errors = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_pls", "/nonexistent/FY2017", stderr=errors, **options)
    return errors.getvalue() + str(refused.value)


def on_the_command_line(environ: dict[str, str], *arguments: str) -> str:
    """manage.py as a person runs it, with the environment's locale settings replaced by `environ`."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "import_pls", "/nonexistent/FY2017", *arguments],
        cwd=ROOT, env={**env, **environ}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    return done.stderr


@pytest.mark.django_db
def test_called_from_code_a_command_speaks_the_callers_language():
    from django.utils import translation

    assert "Nothing was imported" in import_missing(language="en")
    assert "Nekas netika importēts" in import_missing(language="lv")
    with translation.override("en"):
        assert "Nothing was imported" in import_missing()
    with translation.override("lv"):
        assert "Nekas netika importēts" in import_missing()


def test_on_the_command_line_the_environment_chooses():
    assert "Nekas netika importēts" in on_the_command_line({"LANG": "C.UTF-8"})
    assert "Nothing was imported" in on_the_command_line({"LANG": "en_GB.UTF-8"})
    assert "Nekas netika importēts" in on_the_command_line({"LANG": "en_GB.UTF-8"}, "--language", "lv")


@pytest.mark.django_db
def test_every_command_takes_language(capsys):
    """Each of our commands accepts --language (their help is read in English, the way Django's is)."""
    from django.core.management import get_commands, load_command_class

    ours = {name: app for name, app in get_commands().items() if app.startswith("parskats.")}
    assert "import_pls" in ours and "load_demo" in ours
    for name, app in ours.items():
        parser = load_command_class(app, name).create_parser("manage.py", name)
        assert "--language" in parser.format_help(), name
