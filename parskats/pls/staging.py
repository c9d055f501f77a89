"""Uploaded PLS files kept between the preview of an import and its confirmation: the person sees
what the import would change, and the same files are applied when they confirm. Kept in a folder
per upload (settings.PLS_STAGING_DIR, else the system's temporary folder), named by a random token
that only the uploader's session knows; left-over folders are removed after a day."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

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


# The files of a survey described by a configuration (neutral.import_survey): any number, kept
# under their own (cleaned) names so that every problem names the file the person chose, each in
# a folder of its own (two files may have the same name). The session entry also says whose and
# for which network the upload is: another person's session, or the same session on another
# network's page, finds nothing. Folders and files are readable by the server's user only.
SURVEY_SESSION_KEY = "pls_survey_staged"
SURVEY_FOLDER = "files"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # what secrets.token_urlsafe gives: never a path


def _private_folder(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=False)
    path.chmod(0o700)


def _clean_name(name: str, number: int) -> str:
    try:
        return get_valid_filename(Path(name.replace("\\", "/")).name)[-120:]
    except SuspiciousFileOperation:
        return f"file-{number}.csv"


def stage_survey(session: Any, scope: dict[str, Any], uploads: list[Any]) -> tuple[str, list[Path]]:
    """Write the uploads to a new private folder; remember it, with `scope` (user, network, survey,
    year, options), in the session; return (token, the files' paths)."""
    base = root()
    _sweep(base)
    token = secrets.token_urlsafe(18)
    _private_folder(base / token)
    paths = []
    for number, upload in enumerate(uploads, start=1):
        folder = base / token / SURVEY_FOLDER / str(number)
        folder.mkdir(mode=0o700, parents=True)
        name = _clean_name(str(upload.name), number)
        target = folder / name
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        paths.append(target)
    staged = dict(session.get(SURVEY_SESSION_KEY, {}))
    staged[token] = {**scope, "files": [str(p.relative_to(base / token)) for p in paths]}
    session[SURVEY_SESSION_KEY] = staged
    return token, paths


def staged_survey(session: Any, token: str, scope: dict[str, Any]) -> tuple[list[Path], dict[str, Any]] | None:
    """The files and entry of a token this session staged for the same user, network and survey,
    if its folder is still there."""
    entry = session.get(SURVEY_SESSION_KEY, {}).get(token)
    if entry is None or any(entry.get(key) != value for key, value in scope.items()):
        return None
    folder = root() / token
    paths = [folder / name for name in entry.get("files", [])]
    if not paths or not all(p.is_file() and folder in p.parents for p in paths):
        return None
    return paths, entry


def note_survey(session: Any, token: str, **facts: Any) -> None:
    staged = dict(session.get(SURVEY_SESSION_KEY, {}))
    if token in staged:
        staged[token] = {**staged[token], **facts}
        session[SURVEY_SESSION_KEY] = staged


def forget_survey(session: Any, token: str) -> None:
    staged = dict(session.get(SURVEY_SESSION_KEY, {}))
    staged.pop(token, None)
    session[SURVEY_SESSION_KEY] = staged


def discard_survey(session: Any, token: str) -> None:
    forget_survey(session, token)
    remove(token)


def remove(token: str) -> None:
    """The staged folder of `token` goes (a job that imported it, a refused preview)."""
    if TOKEN.fullmatch(token):
        shutil.rmtree(root() / token, ignore_errors=True)
