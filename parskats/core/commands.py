"""The base of every management command: it speaks the language asked for.

`--language lv|en` chooses; without it the language comes from the environment the way gettext
programs read it (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, first that names a language we have), and
else the site's default (settings.LANGUAGE_CODE). "C" and "POSIX" name no language.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    known = {code for code, _name in settings.LANGUAGES}
    for name in ENVIRONMENT:
        # LANGUAGE may list several ("lv:en"); the others hold one locale such as "lv_LV.UTF-8".
        for entry in environ.get(name, "").split(":"):
            code = entry.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in known:
                return code
    return str(settings.LANGUAGE_CODE)


class LanguageCommand(BaseCommand):
    """A command whose messages, progress and errors are in the language asked for."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=None,
            help="language of the messages (default: from LANGUAGE, LC_ALL, LC_MESSAGES or LANG, else lv)",
        )
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        language = options.get("language") or language_from_environment()
        with translation.override(language):
            return super().execute(*args, **options)
