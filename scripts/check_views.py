#!/usr/bin/env python3
"""Views parse input, call one action and render: a module named *views* that writes is an error.

A write in a view skips what the actions guarantee together (the acting user, one transaction, the
row lock, the audit record), so `make lint` fails on one. This walks the syntax tree of every
module whose file name contains "views" and reports, with file and line:

- a call of .save(), .create(), .delete(), .get_or_create(), .update_or_create() or any .bulk_*();
  .save(commit=False) of a ModelForm builds an unsaved object and is allowed;
- a call of .update() on a queryset or manager: the receiver is a chain through `.objects` or a
  queryset method, or the call takes only keyword arguments; dict.update(other) and a name bound to
  a dict literal are not writes;
- anything that opens a transaction: importing django.db.transaction, or using atomic (as a
  decorator, a context manager or a call), set_autocommit or savepoint.

Calls on the cache or the session (cache.delete, request.session.update) are not database writes.

Usage: scripts/check_views.py [PATH ...]  (files or directories; default: parskats). Exit 1 on a finding.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WRITES = {"save", "create", "delete", "get_or_create", "update_or_create"}
QUERYSET_METHODS = {
    "objects",
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "order_by",
    "annotate",
    "only",
    "defer",
    "distinct",
    "using",
    "none",
}
NOT_DATABASE = {"cache", "caches", "session", "messages"}
TRANSACTIONS = {"atomic", "set_autocommit", "savepoint", "non_atomic_requests"}


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col + 1}: {self.message}"


def _chain(node: ast.expr) -> list[str]:
    """The names along a receiver chain: `Report.objects.filter(x=1)` → [Report, objects, filter]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def _dict_names(tree: ast.AST) -> set[str]:
    """Names the module binds to a dict literal, comprehension or dict(…): their .update() is not a write."""
    names: set[str] = set()
    for node in ast.walk(tree):
        value, targets = None, []
        if isinstance(node, ast.Assign):
            value, targets = node.value, node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            value, targets = node.value, [node.target]
        is_dict = isinstance(value, ast.Dict | ast.DictComp) or (
            isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in {"dict", "Counter"}
        )
        if is_dict:
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _is_commit_false(call: ast.Call) -> bool:
    return any(
        k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords
    )


def _check_call(call: ast.Call, dicts: set[str]) -> str | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    method = call.func.attr
    receiver = _chain(call.func.value)
    if NOT_DATABASE & set(receiver):
        return None
    if method == "save" and _is_commit_false(call):
        return None
    if method in WRITES or method.startswith("bulk_"):
        return f".{method}() writes from a view; call an action instead"
    if method == "update":
        if receiver and receiver[0] in dicts and len(receiver) == 1:
            return None
        through_queryset = bool(QUERYSET_METHODS & set(receiver[1:]))
        keywords_only = not call.args and bool(call.keywords) and all(k.arg for k in call.keywords)
        if through_queryset or keywords_only:
            return ".update() on a queryset writes from a view; call an action instead"
    return None


def _opens_transaction(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.module == "django.db.transaction" or (
            node.module == "django.db" and any(a.name == "transaction" for a in node.names)
        )
    if isinstance(node, ast.Import):
        return any(a.name == "django.db.transaction" for a in node.names)
    if isinstance(node, ast.Attribute):
        return node.attr in TRANSACTIONS
    return isinstance(node, ast.Name) and node.id in TRANSACTIONS


def check_source(source: str, path: Path) -> list[Finding]:
    tree = ast.parse(source, filename=str(path))
    dicts = _dict_names(tree)
    found: list[Finding] = []
    for node in ast.walk(tree):
        if _opens_transaction(node):
            line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
            found.append(Finding(path, line, col, "a view opens no transaction; an action does"))
        elif isinstance(node, ast.Call):
            message = _check_call(node, dicts)
            if message:
                found.append(Finding(path, node.lineno, node.col_offset, message))
    return sorted(found, key=lambda f: (f.line, f.col))


def view_modules(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for candidate in candidates:
            if "views" in candidate.stem and "migrations" not in candidate.parts:
                yield candidate


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [Path("parskats")]
    findings = [f for module in view_modules(paths) for f in check_source(module.read_text("utf-8"), module)]
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} write(s) in views: move them into an action (see GUIDE: every write is an action).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
