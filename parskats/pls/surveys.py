"""The survey configurations that ship with the application (parskats/pls/data/surveys/*.toml, or
settings.PLS_SURVEYS_DIR): the only ones the web import offers. A person chooses one by its code;
nobody uploads a configuration, since a configuration names files and columns on the server's side."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .survey_config import ConfigError, SurveyConfig, read_config

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "surveys"


def directory() -> Path:
    configured = getattr(settings, "PLS_SURVEYS_DIR", None)
    return Path(configured) if configured else DEFAULT_DIR


def shipped() -> list[SurveyConfig]:
    """Every shipped configuration that reads without a problem and that the neutral importer reads,
    by code (a broken one is left out here, `import_survey` on the command line names its problems;
    the US survey has a reader and a web import of its own)."""
    found = []
    for path in sorted(directory().glob("*.toml")):
        try:
            config = read_config(path)
        except ConfigError:
            continue
        if config.reader == "neutral":
            found.append(config)
    return sorted(found, key=lambda config: config.code)


def for_network(slug: str) -> list[SurveyConfig]:
    """The shipped surveys whose data belong to this network: an import writes only into its own
    network, so a methodologist imports only the surveys of the network she runs."""
    return [config for config in shipped() if config.network == slug]


def of_network(slug: str, code: str) -> SurveyConfig | None:
    return next((config for config in for_network(slug) if config.code == code), None)
