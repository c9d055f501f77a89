"""The kinds of background job. The apps that own the long work (the PLS import, the seminar pack,
…) register theirs in AppConfig.ready(); this app runs them and never imports those apps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from .models import Job

# (stage label, done, total): the same callable a command's progress bar takes.
Progress = Callable[[str, int, int], None]


class JobCancelled(Exception):
    """Raised from the progress callable once the job's cancellation was asked for: the work stops
    at its next step and rolls back (or leaves the previous files) like any other failure. A kind
    that keeps the steps it finished (emails sent) raises it again with what the person should read."""

    def __init__(self, problems: list[str] | None = None) -> None:
        super().__init__("; ".join(problems or []))
        self.problems = problems or []


class JobFailed(Exception):
    """The work refused with reasons meant for the person (a bad file, a confirmation needed)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    # Does the work; returns the result shown on the job's page: {"lines": [...], "files": [...]}.
    run: Callable[[Job, Progress], dict[str, Any]]
    # May this person see the job's object (its status page and files)? Started-by is checked apart.
    may_see: Callable[[Any, Job], bool]
    # The page the job belongs to (a link back from its status page).
    back_url: Callable[[Job], str]
    # Shows the result on the job's page (given `job` and `result`); else its lines and files.
    result_template: str = ""
    # True when each step's work stays once done (an email sent cannot be unsent): the messages for
    # a cancelled or dead job then say that what was done is kept, not that nothing was applied.
    keeps_done_steps: bool = False


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.code] = kind


def kind_of(job: Job) -> Kind:
    try:
        return KINDS[job.kind]
    except KeyError:
        raise LookupError(f"No job kind {job.kind!r} is registered.") from None
