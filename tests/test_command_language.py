"""The management commands speak the language asked for: --language, else the environment's
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else Latvian."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from parskats.core.commands import language_from_environment


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


@pytest.mark.django_db
def test_import_speaks_the_language_asked_for(monkeypatch):
    monkeypatch.setenv("LANG", "C.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert "Nekas netika importēts" in import_missing()
    assert "Nothing was imported" in import_missing(language="en")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert "Nothing was imported" in import_missing()
    assert "Nekas netika importēts" in import_missing(language="lv")


@pytest.mark.django_db
def test_every_command_takes_language(capsys):
    """Each of our commands accepts --language (their help is read in English, the way Django's is)."""
    from django.core.management import get_commands, load_command_class

    ours = {name: app for name, app in get_commands().items() if app.startswith("parskats.")}
    assert "import_pls" in ours and "load_demo" in ours
    for name, app in ours.items():
        parser = load_command_class(app, name).create_parser("manage.py", name)
        assert "--language" in parser.format_help(), name
