"""What the apps above `accounts` hold about a person, reached through handlers they register.

`accounts` sits below the apps that keep personal data of their own (review comments, reminder
logs, seminar guests, API tokens), so it may not import them. Each such app registers a handler
in its `AppConfig.ready()`: erasure (GDPR art. 17) and the person's data download (art. 15 and 20)
then reach every app without an import pointing upwards, the way pretix's data shredders do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import User

# An eraser empties or removes what its app holds for this account (may be None) or email, and
# says how many rows it touched; it runs inside the erasure's transaction.
Eraser = Callable[["User | None", str], int]
# An exporter lists the rows its app holds about the account, as JSON-ready dicts.
Exporter = Callable[["User"], list[dict[str, Any]]]


@dataclass(frozen=True)
class Handler:
    label: str  # the key in the erasure summary and in the data download
    erase: Eraser | None = None
    export: Exporter | None = None


_handlers: dict[str, Handler] = {}


def register(label: str, *, erase: Eraser | None = None, export: Exporter | None = None) -> None:
    """Register (or replace, on a second `ready()`) the handler an app keeps under `label`."""
    _handlers[label] = Handler(label, erase, export)


def handlers() -> list[Handler]:
    return list(_handlers.values())
