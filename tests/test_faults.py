"""Faults: a process killed in the middle of a database operation leaves the database as before
(all or nothing), and the same work, run again, completes.

The kill comes while PostgreSQL reports the process's transaction as holding a transaction id, i.e.
after it has written rows it has not committed yet. Other work (spreadsheet import, approval, deck
build) joins here with one case each as it lands: start it with `start()`, `kill_while_writing()`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bench import server
from parskats.site.backup import all_models

from .faults import kill_when, kill_while_writing

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not server.postgres_reachable(), reason="needs PostgreSQL on 127.0.0.1:5432")


# Our data tables (table names come from the database itself, not from input).
TABLES = {m._meta.db_table for m in all_models()}


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
    """Rows of every table, read straight from the database (SQLite or PostgreSQL)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as lite:
            names = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: lite.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names if t in TABLES}  # noqa: S608
    import psycopg

    with psycopg.connect(url) as db:
        names = [r[0] for r in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names if t in TABLES}  # type: ignore[index]  # noqa: S608


@pytest.fixture
def database(tmp_path):
    name = f"parskats_fault_kill_{os.getpid()}"  # one per xdist worker and run
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
    assert loaded["reporting_value"] > 1000
    run(env, "load_demo")  # and again: idempotent
    again = row_counts(env)
    # The figures cache's per-network counters are not data: loading the catalogue again moves them
    # for every network, the US one included, which the first load created after its catalogue.
    assert {k: v for k, v in again.items() if k != "stats_dataversion"} == {
        k: v for k, v in loaded.items() if k != "stats_dataversion"
    }


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


EXPORT = """
from django.db.models import F
from parskats.reporting.models import Report, Value
from parskats.reporting.spreadsheet import export_workbook
open_reports = Report.objects.filter(period__status="open", period__network__slug="valka")
open_reports.update(status="draft")
open(PATH, "wb").write(export_workbook(list(open_reports.order_by("unit__code"))))
# What the workbook will change back: every number of the open year, one more than in the workbook.
Value.objects.filter(report__in=open_reports, code=Value.Code.NUMBER).update(number=F("number") + 1)
"""
IMPORT = """
from parskats.accounts.models import User
from parskats.network.models import Network
from parskats.reporting.spreadsheet import import_workbook
admin = User.objects.get(email="metodikis@example.org")
result = import_workbook(admin, Network.objects.get(slug="valka"), open(PATH, "rb").read())
print("changed", result.changed)
"""


def values(name: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(server.database_url(name)) as db:
        return db.execute(
            "SELECT report_id, indicator_id, code, number FROM reporting_value ORDER BY report_id, indicator_id"
        ).fetchall()


def test_spreadsheet_import_killed_midway_changes_nothing_and_runs_again(database, tmp_path):
    name, env = database
    run(env, "load_demo")
    workbook = tmp_path / "region.xlsx"
    before = values(name)
    run(env, "shell", "-c", f"PATH = {str(workbook)!r}\n" + EXPORT)
    bumped = values(name)
    assert bumped != before
    importing = start(env, "shell", "-c", f"PATH = {str(workbook)!r}\n" + IMPORT)
    assert kill_while_writing(importing, name, server.POSTGRES), "the import was never seen writing"
    assert values(name) == bumped  # all or nothing: nothing
    assert "changed" in run(env, "shell", "-c", f"PATH = {str(workbook)!r}\n" + IMPORT)
    assert values(name) == before  # repeated, the import did all of its work


# Approval: the demo's approved reports of 2021 are put back to "submitted"; those whose checks are
# clean are approved in one bulk action, which reports its progress (one line per report approved
# inside the still open transaction) so that the kill comes half-way through the lot.
SUBMIT_CLEAN = """
from parskats.reporting.models import Report
from parskats.review.findings import open_findings
reports = Report.objects.filter(period__network__slug="valka", period__year=2021, status="approved")
reports.update(status="submitted", approved_at=None)
submitted = Report.objects.filter(period__network__slug="valka", status="submitted").order_by("pk")
clean = [r.pk for r in submitted if open_findings(r) == (0, 0)]
print(",".join(map(str, clean)))
"""
APPROVE = """
from parskats.accounts.models import User
from parskats.review import workflow
from parskats.reporting.models import Report
original = workflow._approve
def approve_and_tell(user, report):
    approved = original(user, report)
    with open(PROGRESS, "a") as progress:
        progress.write(f"{report.pk}\\n")
    return approved
workflow._approve = approve_and_tell
admin = User.objects.get(email="metodikis@example.org")
print("approved", len(workflow.approve_reports(admin, Report.objects.filter(pk__in=IDS)).reports))
"""


def approval_state(name: str) -> tuple[list[tuple], int, int]:
    """Every report's status, version and approval time, the number of status audit records, and the
    number of notice jobs (the libraries' emails, created in the approval's transaction)."""
    import psycopg

    with psycopg.connect(server.database_url(name)) as db:
        reports = db.execute("SELECT id, status, version, approved_at FROM reporting_report ORDER BY id").fetchall()
        audit = db.execute("SELECT count(*) FROM audit_auditentry WHERE action = 'status'").fetchone()
        jobs = db.execute("SELECT count(*) FROM jobs_job WHERE kind = 'review.notices'").fetchone()
        return reports, audit[0], jobs[0]  # type: ignore[index]


def test_bulk_approval_killed_half_way_approves_none_and_runs_again(database, tmp_path):
    name, env = database
    run(env, "load_demo")
    ids = [int(pk) for pk in run(env, "shell", "-c", SUBMIT_CLEAN).split()[-1].split(",")]
    assert len(ids) >= 6, "the demo should have several clean reports of 2021"
    before = approval_state(name)
    progress = tmp_path / "progress"
    script = f"PROGRESS = {str(progress)!r}\nIDS = {ids!r}\n" + APPROVE

    def half_approved() -> bool:
        return progress.exists() and len(progress.read_text().split()) >= len(ids) // 2

    assert kill_when(start(env, "shell", "-c", script), half_approved), "the approval was never seen half-way"
    assert len(progress.read_text().split()) < len(ids)  # killed before the end of the lot
    assert approval_state(name) == before  # all or nothing: nothing (statuses, versions, audit records)
    progress.unlink()
    assert f"approved {len(ids)}" in run(env, "shell", "-c", script)
    reports, audit, jobs = approval_state(name)
    approved = [r for r in reports if r[0] in ids]
    assert {r[1] for r in approved} == {"approved"} and all(r[3] is not None for r in approved)
    assert audit == before[1] + len(ids)
    assert jobs == before[2] + 1  # one job tells all the libraries, committed with the approval


# Deck build: it writes no rows, but two files that belong together (the deck and its handout).
SEMINAR = "from parskats.seminar.models import Seminar\nseminar = Seminar.objects.get(network__slug='valka')\n"


def pack_says(path: Path, text: str) -> bool:
    if path.suffix == ".pdf":
        shown = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout  # noqa: S603, S607
        return text in shown.decode().replace("\n", " ")
    with zipfile.ZipFile(path) as deck:
        return any(text.encode() in deck.read(n) for n in deck.namelist() if n.startswith("ppt/slides/slide"))


def test_deck_build_killed_midway_leaves_the_previous_pack_and_runs_again(database, tmp_path):
    _, env = database
    run(env, "load_demo")
    seminar = run(env, "shell", "-c", SEMINAR + "print(seminar.pk)").split()[-1]
    out = tmp_path / "pack"
    run(env, "build_seminar_pack", seminar, "--out", str(out))
    previous = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert sorted(Path(n).suffix for n in previous) == [".pdf", ".pptx"]
    run(env, "shell", "-c", SEMINAR + "seminar.title = 'Kill test seminar'\nseminar.save()")

    def touched() -> bool:  # anything in the directory written, renamed or added
        return any(p.name not in stamps or p.stat().st_mtime_ns != stamps[p.name] for p in files())

    def files() -> list[Path]:  # the pack's files and the generations the writer keeps beside them
        return [*out.iterdir(), *(p for d in out.glob(".together-*") for p in d.iterdir())]

    stamps = {p.name: p.stat().st_mtime_ns for p in files()}
    building = start(env, "build_seminar_pack", seminar, "--out", str(out))
    assert kill_when(building, touched, timeout=300), "the build was never seen writing"
    shown = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    # The previous pack or the new one, whole: no half-written file, no new deck beside an old handout.
    assert set(shown) == set(previous)
    if shown != previous:
        assert all(shown[n] != previous[n] and pack_says(out / n, "Kill test seminar") for n in previous)
    run(env, "build_seminar_pack", seminar, "--out", str(out))
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(previous)
    (store,) = out.glob(".together-*")  # nothing left over from the killed build: one generation in use
    assert sorted(p.name for p in store.iterdir() if p.name != "current") == [os.readlink(store / "current")]
    assert all(pack_says(out / n, "Kill test seminar") for n in previous)
