"""A PLS fiscal year imported as a background job (a national year takes up to half a minute). The
import is one transaction, so a job that is cancelled, fails or has its worker killed leaves the
database as it was; the staged files stay until the job ends, so a retried job imports the same."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parskats.accounts.access import is_network_admin
from parskats.audit.models import AuditEntry
from parskats.catalogue.models import Indicator
from parskats.jobs import actions as job_actions
from parskats.jobs.models import Job
from parskats.jobs.registry import JobFailed, Kind, Progress
from parskats.network.models import Network

from . import staging, surveys
from .importer import NETWORK_SLUG, ImportFailed, import_year
from .layout import SURVEY_CODE
from .neutral import import_survey
from .reconcile import OUTCOMES, reconcile
from .survey_config import SurveyConfig

KIND = "pls.import"


def start_import(actor: Any, network: Network, token: str, directory: Path, options: dict[str, Any]) -> Job:
    year = int(options["year"])
    title = _("PLS fiscal year %(year)s import") % {"year": year}
    params = {
        "token": token,
        "directory": str(directory),
        "year": year,
        "quarantine": bool(options.get("quarantine")),
        "confirm_removals": bool(options.get("confirm_removals")),
        "confirm_columns": bool(options.get("confirm_columns")),
    }
    return job_actions.start(actor, KIND, network, f"FY{year}", title, params)


def _reconciled(directory: Path, year: int) -> dict[str, Any] | None:
    """Whenever both the systems and the official totals of the year are there, how they compare."""
    if not (directory / "ae.csv").exists() and not (directory / "state.csv").exists():
        return None
    try:
        checked = reconcile(directory if (directory / "state.csv").exists() else None, year)
    except ImportFailed:
        return None
    names = {i.code: i.name for i in Indicator.objects.filter(survey__code=SURVEY_CODE, code__in=checked.elements)}
    rows = [
        {"code": code, "name": names.get(code, code), "counts": [checked.outcomes[code][o] for o in OUTCOMES]}
        for code in checked.elements
    ]
    return {"rows": rows, "unexplained": len(checked.unexplained)}


def run(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    directory = Path(params["directory"])
    if not directory.is_dir():
        raise JobFailed([_("These files are no longer waiting to be imported: upload them again.")])
    try:
        result = import_year(
            directory,
            year=int(params["year"]),
            actor=job.started_by,
            channel=AuditEntry.Channel.FORM,
            progress=progress,
            quarantine=bool(params.get("quarantine")),
            confirm_removals=bool(params.get("confirm_removals")),
            confirm_columns=bool(params.get("confirm_columns")),
        )
    except ImportFailed as exc:
        _discard(params)
        raise JobFailed(exc.problems[:200]) from None
    checked = _reconciled(directory, result.year)
    _discard(params)
    return {
        "year": result.year,
        "changed": result.changed,
        "values": vars(result.values),
        "units": vars(result.units),
        "warnings": result.warnings[:200],
        "reconciled": checked,
        "files": [],
    }


def _discard(params: dict[str, Any]) -> None:
    """The staged upload's folder (<token>/FYyyyy) goes when its job ends."""
    folder = Path(params["directory"]).parent
    if folder.name == params.get("token") and folder.parent.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def may_see(user: Any, job: Job) -> bool:
    return job.network.slug == NETWORK_SLUG and is_network_admin(user, job.network)


def back_url(job: Job) -> str:
    return reverse("pls:home", args=[job.network.slug])


KIND_SPEC = Kind(
    code=KIND,
    label=gettext_lazy("US Public Libraries Survey"),
    run=run,
    may_see=may_see,
    back_url=back_url,
    result_template="pls/_job_result.html",
)


# A year of a survey described by a shipped configuration (neutral.import_survey), the same way.
SURVEY_KIND = "pls.survey_import"


def start_survey_import(actor: Any, network: Network, config: SurveyConfig, token: str, options: dict[str, Any]) -> Job:
    """Queue the import of the files staged under `token` (the job removes them when it ends)."""
    year = int(options["year"])
    title = _("%(survey)s: import of %(period)s") % {"survey": config.name, "period": config.period_name(year)}
    params = {
        "token": token,
        "survey": config.code,
        "files": list(options["files"]),
        "year": year,
        "quarantine": bool(options.get("quarantine")),
        "confirm_removals": bool(options.get("confirm_removals")),
        "confirm_columns": bool(options.get("confirm_columns")),
    }
    return job_actions.start(actor, SURVEY_KIND, network, f"{config.code}:{year}", title[:200], params)


def run_survey(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    token = str(params.get("token", ""))
    folder = staging.root() / token
    paths = [folder / name for name in params.get("files", [])]
    config = surveys.of_network(job.network.slug, str(params.get("survey", "")))
    try:
        if config is None:
            raise JobFailed([_("The survey %(code)s is not configured for this network.") % {"code": params["survey"]}])
        if not paths or not all(p.is_file() and folder in p.parents for p in paths):
            raise JobFailed([_("These files are no longer waiting to be imported: upload them again.")])
        try:
            result = import_survey(
                config.path,
                paths,
                year=int(params["year"]),
                actor=job.started_by,
                channel=AuditEntry.Channel.FORM,
                progress=progress,
                quarantine=bool(params.get("quarantine")),
                confirm_removals=bool(params.get("confirm_removals")),
                confirm_columns=bool(params.get("confirm_columns")),
            )
        except ImportFailed as exc:
            raise JobFailed(exc.problems[:200]) from None
    finally:
        staging.remove(token)
    return {
        "year": result.year,
        "survey": config.name,
        "period": config.period_name(result.year),
        "changed": result.changed,
        "values": vars(result.values),
        "units": vars(result.units),
        "reports": vars(result.reports),
        "warnings": result.warnings[:200],
        "files": [],
    }


def may_see_survey(user: Any, job: Job) -> bool:
    return is_network_admin(user, job.network)


def survey_back_url(job: Job) -> str:
    code = str(job.params.get("survey", ""))
    if code and surveys.of_network(job.network.slug, code):
        return reverse("pls:survey", args=[job.network.slug, code])
    return reverse("pls:surveys", args=[job.network.slug])


SURVEY_KIND_SPEC = Kind(
    code=SURVEY_KIND,
    label=gettext_lazy("Survey import"),
    run=run_survey,
    may_see=may_see_survey,
    back_url=survey_back_url,
    result_template="pls/_survey_job_result.html",
)
