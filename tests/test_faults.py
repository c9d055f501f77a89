"""Faults: a process killed in the middle of a database operation leaves the database as before
(all or nothing), and the same work, run again, completes.

The kill comes while PostgreSQL reports the process's transaction as holding a transaction id, i.e.
after it has written rows it has not committed yet. Other work (spreadsheet import, approval, deck
build) joins here with one case each as it lands: start it with `start()`, `kill_while_writing()`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import server

from .faults import kill_while_writing

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not server.postgres_reachable(), reason="needs PostgreSQL on 127.0.0.1:5432")
COUNTS = (
    "import json; from parskats.core.backup import table_digests; "
    "print(json.dumps({k: v['rows'] for k, v in table_digests().items()}))"
)


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def run(env: dict[str, str], *args: str) -> str:
    process = start(env, *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()[-3000:]
    return out.decode()


def row_counts(env: dict[str, str]) -> dict[str, int]:
    return json.loads(run(env, "shell", "-c", COUNTS).splitlines()[-1])


@pytest.fixture
def database(tmp_path):
    name = "parskats_fault_kill"
    env = server.server_env(server.create_database(name), PARSKATS_MEDIA_ROOT=str(tmp_path / "media"))
    run(env, "migrate", "--noinput", "-v0")
    yield name, env
    server.drop_database(name)


def test_demo_load_killed_midway_leaves_nothing_and_runs_again(database):
    name, env = database
    empty = row_counts(env)
    assert kill_while_writing(start(env, "load_demo"), name, server.POSTGRES), "load_demo was never seen writing"
    assert row_counts(env) == empty
    run(env, "load_demo")
    loaded = row_counts(env)
    assert loaded["reporting.value"] > 1000
    run(env, "load_demo")  # and again: idempotent
    assert row_counts(env) == loaded


def test_restore_killed_midway_leaves_an_empty_database_and_runs_again(database, tmp_path):
    name, env = database
    source = {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite3'}"}
    run(source, "migrate", "--noinput", "-v0")
    run(source, "load_demo")
    archive = tmp_path / "demo.tar.gz"
    run(source, "backup", str(archive))
    empty = row_counts(env)
    assert kill_while_writing(start(env, "restore", str(archive)), name, server.POSTGRES), "restore never wrote"
    assert row_counts(env) == empty
    assert "every table matches" in run(env, "restore", str(archive))
    assert row_counts(env) == row_counts(source)
