"""Files written side by side or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_together(out: Path, contents: dict[str, bytes]) -> list[Path]:
    """Write each file under a temporary name first, then move them all into place, so a process
    killed half-way leaves no file of the set (only ".*.partial" leftovers, removed on the way out
    or by the next writer)."""
    out.mkdir(parents=True, exist_ok=True)
    parts: dict[str, Path] = {}
    try:
        for name, data in contents.items():
            with tempfile.NamedTemporaryFile(dir=out, prefix=f".{name}.", suffix=".partial", delete=False) as part:
                parts[name] = Path(part.name)
                part.write(data)
                part.flush()
                os.fsync(part.fileno())
        for name, part_path in parts.items():
            os.replace(part_path, out / name)
    finally:
        for part_path in parts.values():
            part_path.unlink(missing_ok=True)
    return [out / name for name in contents]
