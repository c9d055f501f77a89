"""Uploaded PLS files kept between the preview of an import and its confirmation: the person sees
what the import would change, and the same files are applied when they confirm. Kept in a folder
per upload (settings.PLS_STAGING_DIR, else the system's temporary folder), named by a random token
that only the uploader's session knows; left-over folders are removed after a day."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings

FILES = (("ae_file", "ae.csv"), ("outlet_file", "outlets.csv"), ("state_file", "state.csv"))
MAX_AGE = 24 * 3600
SESSION_KEY = "pls_staged"


def root() -> Path:
    base = getattr(settings, "PLS_STAGING_DIR", None)
    path = Path(base) if base else Path(tempfile.gettempdir()) / "parskats-pls-staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(base: Path) -> None:
    limit = time.time() - MAX_AGE
    for folder in base.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < limit:
            shutil.rmtree(folder, ignore_errors=True)


def stage(session: Any, year: int, uploads: dict[str, Any], options: dict[str, bool]) -> tuple[str, Path]:
    """Write the uploads to a new folder FYyyyy; remember it in the session; return (token, folder)."""
    base = root()
    _sweep(base)
    token = secrets.token_urlsafe(18)
    directory = base / token / f"FY{year}"
    directory.mkdir(parents=True)
    for field, name in FILES:
        upload = uploads.get(field)
        if upload:
            with (directory / name).open("wb") as target:
                for chunk in upload.chunks():
                    target.write(chunk)
    staged = dict(session.get(SESSION_KEY, {}))
    staged[token] = {"year": year, **options}
    session[SESSION_KEY] = staged
    return token, directory


def staged(session: Any, token: str) -> tuple[Path, dict[str, Any]] | None:
    """The folder and options of a token this session staged, if it is still there."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if entry is None:
        return None
    directory = root() / token / f"FY{entry['year']}"
    return (directory, entry) if directory.is_dir() else None


def note(session: Any, token: str, **facts: Any) -> None:
    """Remember more about a staged upload (what its preview found)."""
    staged = dict(session.get(SESSION_KEY, {}))
    if token in staged:
        staged[token] = {**staged[token], **facts}
        session[SESSION_KEY] = staged


def forget(session: Any, token: str) -> None:
    """The session lets go of the upload (it cannot be applied twice); its folder stays for the job
    that imports it, which removes it when it ends."""
    staged = dict(session.get(SESSION_KEY, {}))
    staged.pop(token, None)
    session[SESSION_KEY] = staged


def discard(session: Any, token: str) -> None:
    forget(session, token)
    if token and "/" not in token and ".." not in token:
        shutil.rmtree(root() / token, ignore_errors=True)
