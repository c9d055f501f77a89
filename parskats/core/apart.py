"""Independent documents built side by side, each in a forked process of its own.

The seminar's deck (python-pptx) and handout (WeasyPrint) share nothing once their content is
gathered, and each keeps one core busy for seconds: on a machine with two cores, building them at
once takes as long as the slower one instead of both. Forked children start with everything the
parent has already loaded and gathered (imports, fonts, the figures), so nothing is pickled and no
interpreter starts; each child hands back its bytes in a file and exits, which also returns the
memory WeasyPrint took to the system instead of leaving it in a long-lived worker.

Only plain rendering belongs in a child: the parent gathers from the database first ("aggregate
once, render many"). A child may not use the database connections it inherited (the server would
see two clients on one socket, and closing them would close the parent's): every query in a child
fails with PartFailed instead. Where there is no fork (Windows), when turned off
(`DOCUMENTS_PARALLEL = False`) or for a single part, the parts are built one after another here.

A part may need a word from the others half-way (a `TwoStep`): the handout's pieces are laid out at
once, but each piece's page numbers depend on how many pages the pieces before it took. Such a part
says what it found (`first`, JSON), the parent hears every part's word, `settle` answers each, and
the part finishes with that answer (`then`). Built in turn, all first steps run, then `settle`, then
all second steps, so both ways give the same bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

RSS_UNIT = 1024 if sys.platform != "darwin" else 1  # ru_maxrss: KiB on Linux, bytes on macOS


@dataclass
class Part:
    data: bytes
    seconds: float  # wall time of the build of this part
    cpu: float  # user + system seconds of the process that built it (the parent's own when in-process)
    max_rss: int  # bytes: peak resident size of the child that built it, the parent's pages it shares too; 0 in-process
    forked: bool
    private: int = 0  # bytes: the child's own memory (not shared with the parent) when it had built it


@dataclass
class TwoStep:
    """A part built in two steps with the parent's answer between: `first()` returns what the parent
    must hear (JSON-able), `then(answer)` the part's bytes."""

    first: Callable[[], Any]
    then: Callable[[Any], bytes]


Maker = Callable[[], bytes] | TwoStep
Makers = Mapping[str, Maker]
Settle = Callable[[dict[str, Any]], dict[str, Any]]


class PartFailed(Exception):
    """A part could not be built; none of the parts is handed back."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def parallel() -> bool:
    """Fork only from the main thread (the job worker, a command). Under `make run` the inline jobs
    run in the development server's request threads, where a child could inherit a lock another
    thread held at the fork and wait on it for ever: there the parts are built in turn."""
    if not (hasattr(os, "fork") and bool(getattr(settings, "DOCUMENTS_PARALLEL", True))):
        return False
    return threading.current_thread() is threading.main_thread()


def build_apart(makers: Makers, fork: bool | None = None, settle: Settle | None = None) -> dict[str, Part]:
    """Each maker's bytes by name: in forked children at once, or in turn when that is not possible.
    The two-step makers' first words go to `settle`, whose answers they finish with. A failure in any
    part raises PartFailed (or the maker's own exception in-process) and returns nothing, so the
    caller writes nothing."""
    if not (parallel() if fork is None else fork) or len(makers) < 2:
        return _in_turn(makers, settle)
    folder = Path(tempfile.mkdtemp(prefix="parskats-apart-"))
    children: dict[int, str] = {}
    talks: dict[str, tuple[Any, Any]] = {}  # two-step part: (what the parent reads, what it writes)
    # Everything alive now stays out of the children's garbage collections: a collection writes to
    # every object it visits, which would copy each page of the parent's heap into each child.
    gc.freeze()
    try:
        for name, make in makers.items():
            parent = os.getpid()
            talk = (os.pipe(), os.pipe()) if isinstance(make, TwoStep) else None
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child ends in os._exit, where coverage stops counting
                for ours in talks.values():  # the other children's pipes are not this child's business
                    ours[0].close()
                    ours[1].close()
                _child(folder, name, make, parent, talk)
            children[pid] = name
            if talk:
                (hear, said), (answer, told) = talk
                os.close(said)
                os.close(answer)
                talks[name] = (os.fdopen(hear, "r", encoding="utf-8"), os.fdopen(told, "w", encoding="utf-8"))
        gc.unfreeze()
        usage: dict[str, Any] = {}
        if talks:
            heard = {}
            for name, (hear, _told) in talks.items():
                line = hear.readline()
                if not line:  # it ended before its word: why is in its folder or its exit status
                    pid = next(pid for pid, named in children.items() if named == name)
                    _pid, status, rusage = os.wait4(pid, 0)
                    del children[pid]
                    _collect(folder, name, status, rusage)
                    raise PartFailed(name, "it ended without a word for the others")
                heard[name] = json.loads(line)
            answers = settle(heard) if settle else {}
            for name, (_hear, told) in talks.items():
                with contextlib.suppress(BrokenPipeError):  # it died since: its wait below says how
                    told.write(json.dumps(answers.get(name)) + "\n")
                    told.flush()
        for pid in list(children):  # by pid: a wait for any child could reap one that is not ours
            _pid, status, rusage = os.wait4(pid, 0)
            usage[children.pop(pid)] = (status, rusage)
        return {name: _collect(folder, name, *usage[name]) for name in makers}
    finally:
        gc.unfreeze()
        for pid in children:  # the parent was interrupted (cancelled, killed by a signal it handles)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        for hear, told in talks.values():
            hear.close()
            with contextlib.suppress(OSError):  # a killed child's pipe
                told.close()
        shutil.rmtree(folder, ignore_errors=True)


def _in_turn(makers: Makers, settle: Settle | None) -> dict[str, Part]:
    """The parts one after another in this process: every first step, `settle`, every second step."""
    spent: dict[str, tuple[float, float]] = {}
    heard: dict[str, Any] = {}
    for name, make in makers.items():
        if isinstance(make, TwoStep):
            started, cpu = time.perf_counter(), time.process_time()
            heard[name] = json.loads(json.dumps(make.first()))  # what a child would have said
            spent[name] = (time.perf_counter() - started, time.process_time() - cpu)
    answers = settle(heard) if settle and heard else {}
    parts = {}
    for name, make in makers.items():
        started, cpu = time.perf_counter(), time.process_time()
        data = make.then(json.loads(json.dumps(answers.get(name)))) if isinstance(make, TwoStep) else make()
        before = spent.get(name, (0.0, 0.0))
        parts[name] = Part(
            data, before[0] + time.perf_counter() - started, before[1] + time.process_time() - cpu, 0, False
        )
    return parts


def _refuse(*_args: object) -> None:
    raise RuntimeError("a forked document build may not use the parent's database connection")


def _die_with(parent: int) -> None:
    """A worker killed mid-build takes its children with it (Linux), rather than leaving them to
    finish a build nobody will write."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _child(folder: Path, name: str, make: Maker, parent: int, talk: Any) -> None:  # pragma: no cover
    code = 1
    try:
        _die_with(parent)
        for connection in connections.all():
            connection.execute_wrappers.insert(0, _refuse)
        started = time.perf_counter()
        if isinstance(make, TwoStep):
            (hear, said), (answer, told) = talk
            os.close(hear)
            os.close(told)
            with os.fdopen(said, "w", encoding="utf-8") as out:
                out.write(json.dumps(make.first()) + "\n")
            with os.fdopen(answer, "r", encoding="utf-8") as back:
                line = back.readline()
            if not line:
                raise RuntimeError("the parent gave no answer")
            data = make.then(json.loads(line))
        else:
            data = make()
        (folder / f"{name}.part").write_bytes(data)
        seconds = time.perf_counter() - started
        (folder / f"{name}.json").write_text(json.dumps({"seconds": seconds, "private": _private()}))
        code = 0
    except BaseException as error:  # everything, even SystemExit: the parent reads why
        with contextlib.suppress(OSError):
            (folder / f"{name}.error").write_text(f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
    finally:
        os._exit(code)  # no atexit, no test teardown, no closing of the inherited connections


def _private() -> int:
    """Bytes of this process's memory not shared with another (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/smaps_rollup") as rollup:
            kib = sum(int(line.split()[1]) for line in rollup if line.startswith(("Private_Clean:", "Private_Dirty:")))
    except OSError:
        return 0
    return kib * 1024


def _collect(folder: Path, name: str, status: int, rusage: resource.struct_rusage) -> Part:
    error = folder / f"{name}.error"
    if error.exists():
        raise PartFailed(name, error.read_text().splitlines()[0])
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
        raise PartFailed(name, f"the process building it ended ({how})")
    noted = json.loads((folder / f"{name}.json").read_text())
    data = (folder / f"{name}.part").read_bytes()
    cpu = rusage.ru_utime + rusage.ru_stime
    return Part(data, noted["seconds"], cpu, rusage.ru_maxrss * RSS_UNIT, True, noted["private"])
