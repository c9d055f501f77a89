"""A terminal progress bar for long commands (the PLS import, following a background job): one line
per stage, redrawn in place on a terminal and printed once at the end of each stage elsewhere."""

from __future__ import annotations

from typing import TextIO


class ProgressBar:
    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self.current: str | None = None

    def __call__(self, label: str, done: int, total: int) -> None:
        total = max(total, 1)
        done = min(done, total)
        filled = self.width * done // total
        line = f"{label[:36]:<36} [{'#' * filled}{'.' * (self.width - filled)}] {100 * done // total:3d}%"
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
            self.stream.flush()
        elif done == total and self.current != label:
            self.stream.write(line + "\n")
        self.current = label if done == total else None
