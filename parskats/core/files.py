"""Files written side by side or not at all."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

CURRENT = "current"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _swap_symlink(target: str, path: Path) -> None:
    """Point `path` at `target` in one rename: a reader sees the old link or the new, never none."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.link")
    os.symlink(target, temporary)
    os.replace(temporary, path)


def write_together(out: Path, contents: dict[str, bytes]) -> list[Path]:
    """Write a set of files so that a reader, and a process killed at any instant, sees the whole
    previous set or the whole new one.

    Renaming the files into place one after another leaves a moment with a new deck beside the old
    handout. So each set lives in generations under `.together-<key>/` and one symlink, `current`,
    names the generation in use; `out/<name>` are fixed links through `current`. Writing a new
    generation and then replacing `current` (a single rename) switches every file at once. A killed
    writer leaves only an unused generation, which the next write removes. (The first write into a
    directory holding plain files from before replaces them one by one, once.)"""
    out.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256("\0".join(sorted(contents)).encode()).hexdigest()[:12]
    store = out / f".together-{key}"
    store.mkdir(exist_ok=True)
    generation = Path(tempfile.mkdtemp(dir=store, prefix="gen-"))
    try:
        for name, data in contents.items():
            with (generation / name).open("wb") as part:
                part.write(data)
                part.flush()
                os.fsync(part.fileno())
        _fsync_dir(generation)
        _swap_symlink(generation.name, store / CURRENT)
        _fsync_dir(store)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    for name in contents:
        target = os.path.join(store.name, CURRENT, name)
        path = out / name
        if not (path.is_symlink() and os.readlink(path) == target):
            _swap_symlink(target, path)
    for old in store.iterdir():  # earlier generations, and any a killed writer left behind
        if old.name != generation.name and old.name != CURRENT and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        elif old.name.endswith(".link"):
            old.unlink(missing_ok=True)
    return [out / name for name in contents]
