"""Where a job's output files live (outside MEDIA_ROOT's public part: only the job's page hands
them out, after its access check) and small read-only helpers for the pages."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from parskats.core.files import write_together as together

from .models import Job


def root() -> Path:
    configured = getattr(settings, "JOBS_FILES_ROOT", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "job-files"


def folder(job: Job) -> Path:
    return root() / str(job.pk)


def output(job: Job, name: str) -> Path | None:
    """A file the job listed in its result, if it is still there; never a path the request made up."""
    listed = (job.result or {}).get("files", []) if job.status == Job.Status.DONE else []
    if name not in listed or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = folder(job) / name
    return path if path.is_file() else None


def content_type(path: Path) -> str:
    known = {
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    return known.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def looks_stale(job: Job) -> bool:
    """Running, but no heartbeat for longer than the sweep waits: the page says the worker may be gone."""
    from .actions import stale_after

    return bool(
        job.status == Job.Status.RUNNING and job.heartbeat_at and timezone.now() - job.heartbeat_at > stale_after()
    )


def write_together(job: Job, contents: dict[str, bytes]) -> list[str]:
    """Write a job's files side by side or not at all (a worker killed half-way leaves none)."""
    together(folder(job), contents)
    return list(contents)
