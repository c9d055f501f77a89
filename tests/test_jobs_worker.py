"""A real worker (manage.py jobs_worker, the database queue) killed with SIGKILL in the middle of a
job: in the middle of a PLS import's transaction, and while a seminar pack is being made. Nothing of
the killed job stays applied; the job is swept when its heartbeat stops and retried by the next
worker (the import then completes) or, with no attempts left, marked failed. Also a running import
cancelled from the command line rolls back. On SQLite (a file) and, when it is reachable, PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import server
from parskats.site.backup import all_models

from .faults import kill_when

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "pls" / "FY2017"
# Data tables: what a killed job must not have changed. The job's own row and the queue's are bookkeeping.
BOOKKEEPING = {"jobs_job", "django_tasks_db_dbtaskresult", "django_session"}
TABLES = {m._meta.db_table for m in all_models()} - BOOKKEEPING


# A little below the test's priority: on a busy machine (the other test process, CI's neighbours) the
# test still sees the worker mid-way and kills or cancels it there, instead of being starved until the
# worker has finished.
WORKER_NICE = 10


class Site:
    def __init__(self, env: dict[str, str], url: str, tmp: Path) -> None:
        self.env, self.url, self.tmp = env, url, tmp

    def start(self, *args: str, nice: int = 0, **extra: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            [*(["nice", "-n", str(nice)] if nice else []), sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def run(self, *args: str, **extra: str) -> str:
        process = self.start(*args, **extra)
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()[-3000:]
        return out.decode()

    def worker(self, **extra: str) -> subprocess.Popen[bytes]:
        args = ("jobs_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", "-v0")
        return self.start(*args, nice=WORKER_NICE, **extra)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite:"):
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=0.05) as lite:
                return lite.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url) as db:
            return db.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def counts(self) -> dict[str, int]:
        if self.url.startswith("sqlite:"):
            names = [r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
        else:
            names = [r[0] for r in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: self.query(f'SELECT count(*) FROM "{t}"')[0][0] for t in names if t in TABLES}  # noqa: S608

    def job(self, pk: str) -> dict[str, Any]:
        row = self.query("SELECT status, attempts, stage, problems FROM jobs_job WHERE id = %s", self.job_id(pk))[0]
        found = dict(zip(["status", "attempts", "stage", "problems"], row, strict=True))
        if isinstance(found["problems"], str):  # SQLite gives JSON as text
            found["problems"] = json.loads(found["problems"])
        return found

    def job_id(self, pk: str) -> str:
        return pk.replace("-", "") if self.url.startswith("sqlite:") else pk  # SQLite keeps UUIDs as hex

    def writing(self) -> Callable[[], bool]:
        """True while a transaction other than the job bookkeeping's is open and has written."""
        if self.url.startswith("sqlite:"):
            journal = Path(self.url.removeprefix("sqlite:///") + "-journal")
            seen: list[float] = []

            def journal_stays() -> bool:  # a bookkeeping commit keeps it a few ms, the import for long
                if not journal.exists():
                    seen.clear()
                    return False
                seen.append(time.monotonic())
                return seen[-1] - seen[0] > 0.05

            return journal_stays
        import psycopg

        admin = psycopg.connect(server.POSTGRES, autocommit=True)
        name = self.url.rsplit("/", 1)[1]

        def importing() -> bool:  # a transaction that has written to the data tables and not committed
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL"
                """ AND query ~* '^(INSERT INTO|UPDATE|DELETE FROM) "(reporting|network|catalogue|pls)_'""",
                [name],
            ).fetchone()
            return bool(row and row[0])

        return importing

    def wait_for(self, pk: str, statuses: set[str], timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                job = self.job(pk)
            except sqlite3.OperationalError:  # busy: the worker is writing
                job = {"status": None}
            if job["status"] in statuses:
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {pk} never reached {statuses}: {self.job(pk)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


NO_POSTGRES = pytest.mark.skipif(not server.postgres_reachable(), reason="needs PostgreSQL on 127.0.0.1:5432")
BACKENDS = ["sqlite", pytest.param("postgres", marks=NO_POSTGRES)]
SETTINGS = {"PARSKATS_JOBS": "database", "PARSKATS_JOBS_HEARTBEAT": "0.2", "PARSKATS_JOBS_STALE": "5"}


@pytest.fixture(scope="module")
def migrated() -> Iterator[dict[str, str]]:
    """One migrated database per backend for the module, copied for each test (migrating is slow)."""
    made: dict[str, str] = {}
    yield made
    for url in made.values():
        if url.startswith("postgres"):
            server.drop_database(url.rsplit("/", 1)[1])


def template(kind: str, migrated: dict[str, str], tmp: Path) -> str:
    if kind not in migrated:
        if kind == "sqlite":
            url = f"sqlite:///{tmp / 'template.sqlite3'}"
        else:
            url = server.create_database(f"h_jobs_template_{os.getpid()}")
        Site(server.server_env(url, **SETTINGS), url, tmp).run("migrate", "--noinput", "-v0")
        migrated[kind] = url
    return migrated[kind]


@pytest.fixture(params=BACKENDS)
def site(request, migrated, tmp_path, tmp_path_factory) -> Iterator[Site]:
    source = template(request.param, migrated, tmp_path_factory.mktemp("template"))
    name = f"h_jobs_worker_{os.getpid()}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
        shutil.copy(source.removeprefix("sqlite:///"), url.removeprefix("sqlite:///"))
    else:
        import psycopg

        with psycopg.connect(server.POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source.rsplit("/", 1)[1]}"')
        url = server.database_url(name)
    env = server.server_env(url, PARSKATS_MEDIA_ROOT=str(tmp_path / "media"), **SETTINGS)
    yield Site(env, url, tmp_path)
    if request.param == "postgres":
        server.drop_database(name)


PLS_JOB = """
import shutil
from pathlib import Path
from parskats.accounts.models import Role
from parskats.network.models import Network
from parskats.pls.jobs import start_import
from tests.factories import give_role, user
network = Network.objects.create(name="ASV publiskās bibliotēkas (IMLS PLS)", slug="us-pls")
admin = user("pls.admin@example.org", "Pēteris Paraugs")
give_role(admin, network, Role.Kind.ADMIN)
folder = Path(TMP) / "tok" / "FY2017"
folder.mkdir(parents=True)
for source, name in [("pls_fy2017_libraries.csv", "ae.csv"), ("PLS_FY17_Outlet_pud17i.csv", "outlets.csv"),
                     ("PLS_FY17_State_pud17i.csv", "state.csv")]:
    shutil.copy(Path(DATA) / source, folder / name)
print(start_import(admin, network, "tok", folder, {"year": 2017}).pk)
"""


def queue_pls_import(site: Site) -> str:
    staging = site.tmp / "staging"
    return site.run("shell", "-c", f"TMP = {str(staging)!r}\nDATA = {str(DATA)!r}\n" + PLS_JOB).split()[-1]


def test_a_worker_killed_mid_import_leaves_nothing_and_the_next_worker_imports_it(site):
    job = queue_pls_import(site)
    before = site.counts()
    assert before["reporting_value"] == 0
    worker = site.worker()
    assert kill_when(worker, site.writing(), timeout=120), "the worker was never seen importing"
    assert worker.returncode == -signal.SIGKILL
    assert site.counts() == before  # the import's transaction died with the worker: nothing of it
    assert site.job(job)["status"] == "running"  # … and the job says so until it is swept
    again = site.worker()
    try:
        done = site.wait_for(job, {"done", "failed"})
    finally:
        stop(again)
    assert done["status"] == "done" and done["attempts"] == 2, done
    after = site.counts()
    assert after["reporting_value"] > 1000 and after["pls_officialtotal"] > 0
    kinds = site.query("SELECT action FROM audit_auditentry ORDER BY id")
    assert [k[0] for k in kinds][-2:] == ["job_failed", "data_imported"]  # swept, then imported once
    assert not (site.tmp / "staging" / "tok").exists()


CANCEL = """
import sys
from parskats.accounts.models import User
from parskats.jobs import actions
from parskats.jobs.models import Job
admin = User.objects.get(email="pls.admin@example.org")
sys.stdin.readline()  # Django is up: the cancel comes the moment the test asks for it
print(actions.cancel(admin, Job.objects.get(pk=JOB)).cancel_requested)
"""


def test_a_running_import_cancelled_by_its_starter_rolls_back(site):
    if site.url.startswith("sqlite:"):
        pytest.skip("SQLite has one write lock: a cancellation waits for the import's transaction (JobBusy)")
    job = queue_pls_import(site)
    before = site.counts()
    canceller = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "-c", f"JOB = {job!r}\n" + CANCEL],
        cwd=ROOT,
        env=site.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    import psycopg

    # The test holds the network's row, which the import locks before it writes anything: the import
    # waits there, running, while the cancel comes in; let go, it reaches its last word before the
    # commit ("Saving") and stops. However busy the machine, the cancel is never too late.
    holder = psycopg.connect(site.url)
    holder.execute("SELECT 1 FROM network_network WHERE slug = 'us-pls' FOR NO KEY UPDATE")  # FK checks pass
    worker = site.worker()
    try:
        site.wait_for(job, {"running"})
        assert wait_until(lambda: waits_for_a_lock(site)), "the import never reached the network's lock"
        out, err = canceller.communicate(b"go\n", timeout=60)
        assert out.decode().split()[-1:] == ["True"], err.decode()[-2000:]
        holder.rollback()
        ended = site.wait_for(job, {"done", "failed", "cancelled"})
    finally:
        holder.close()
        stop(worker)
    assert ended["status"] == "cancelled", ended
    assert ended["problems"] == ["Atcelts: nekas no tā netika piemērots."]
    data = {k: v for k, v in site.counts().items() if k != "audit_auditentry"}
    assert data == {k: v for k, v in before.items() if k != "audit_auditentry"}
    kinds = [k[0] for k in site.query("SELECT action FROM audit_auditentry ORDER BY id")]
    assert kinds[-1] == "job_cancelled" and "data_imported" not in kinds


def waits_for_a_lock(site: Site) -> bool:
    import psycopg

    name = site.url.rsplit("/", 1)[1]
    with psycopg.connect(server.POSTGRES, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", [name]
        ).fetchone()
    return bool(row and row[0])


def wait_until(happened: Callable[[], bool], timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if happened():
            return True
        time.sleep(0.05)
    return False


PACK_JOB = """
from parskats.accounts.models import Role
from parskats.seminar.jobs import start_pack
from tests.factories import build_world, give_role, user
from tests.seminar_support import approved_reports, make_seminar
world = build_world()
admin = user("metodikis@example.org", "Inese Parauga")
give_role(admin, world.network, Role.Kind.ADMIN)
approved_reports(world)
print(start_pack(admin, make_seminar(world, admin), "").pk)
"""


def test_a_worker_killed_mid_pack_leaves_no_pack_and_the_job_is_marked_failed(site):
    job = site.run("shell", "-c", PACK_JOB).split()[-1]
    folder = site.tmp / "job-files" / job
    worker = site.worker(PARSKATS_JOBS_ATTEMPTS="1")

    def making_the_handout() -> bool:
        try:
            return site.job(job)["stage"] in {"Veido slaidus un izdales materiālu", "Making the slides and the handout"}
        except sqlite3.OperationalError:
            return False

    assert kill_when(worker, making_the_handout, timeout=120), "the worker was never seen making the handout"
    assert not folder.exists() or not [p for p in folder.iterdir() if not p.name.startswith(".")]
    time.sleep(5.5)  # the heartbeat has been silent for longer than PARSKATS_JOBS_STALE
    site.run("jobs", "sweep", PARSKATS_JOBS_ATTEMPTS="1")
    failed = site.job(job)
    assert failed["status"] == "failed" and failed["attempts"] == 1
    assert failed["problems"] == ["Process, kas veica šo darbu, apstājās; nekas no tā netika piemērots."]
    shutil.rmtree(folder, ignore_errors=True)


INVITATIONS_JOB = """
from parskats.accounts.models import Role
from parskats.seminar.invitations import start_invitations
from tests.factories import build_world, give_role, user
from tests.seminar_support import make_seminar
world = build_world()
admin = user("metodikis@example.org", "Inese Parauga")
give_role(admin, world.network, Role.Kind.ADMIN)
for i in range(PEOPLE):
    give_role(user(f"lasitava{i}@example.org", f"Lasītāja {i}"), world.network, Role.Kind.REPORTER, world.library_a)
print(start_invitations(admin, make_seminar(world, admin), "http://127.0.0.1/agenda/").pk)
"""


def mailing_worker(site: Site, out: Path) -> subprocess.Popen[bytes]:
    """A worker whose email goes to the console, the console to a file (a pipe would fill up and block it)."""
    command = ["nice", "-n", str(WORKER_NICE), sys.executable, "manage.py", "jobs_worker", "--no-reload",
               "--no-startup-delay", "--interval", "0.1", "-v0"]  # fmt: skip
    with out.open("wb") as stream:
        return subprocess.Popen(  # noqa: S603 - our own manage.py
            command, cwd=ROOT, env={**site.env, **MAIL}, stdout=stream, stderr=subprocess.DEVNULL
        )


def recipients(out: Path) -> list[str]:
    """The addresses of the messages the console email backend printed."""
    return [line.removeprefix("To: ") for line in out.read_text().splitlines() if line.startswith("To: ")]


MAIL = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_a_worker_killed_mid_invitations_then_swept_sends_each_remaining_recipient_once(site):
    people = 60  # enough that, on a busy machine too, the kill comes while some are still unsent
    job = site.run("shell", "-c", f"PEOPLE = {people}\n" + INVITATIONS_JOB, **MAIL).split()[-1]

    def some_sent() -> bool:
        try:
            return site.query("SELECT count(*) FROM jobs_sentmail")[0][0] >= 3
        except sqlite3.OperationalError:  # busy: the worker is writing
            return False

    worker = mailing_worker(site, site.tmp / "first.out")
    assert kill_when(worker, some_sent, timeout=120), "the worker was never seen sending"
    first = recipients(site.tmp / "first.out")
    recorded = site.query("SELECT count(*) FROM jobs_sentmail")[0][0]
    assert site.job(job)["status"] == "running" and 3 <= recorded < people
    # Every message recorded went out; at most the one in flight went out without its record yet.
    assert recorded <= len(first) <= recorded + 1
    time.sleep(5.5)  # the heartbeat has been silent for longer than PARSKATS_JOBS_STALE
    again = mailing_worker(site, site.tmp / "second.out")
    try:
        done = site.wait_for(job, {"done", "failed"})
    finally:
        stop(again)
    second = recipients(site.tmp / "second.out")
    assert done["status"] == "done" and done["attempts"] == 2, done
    counts = Counter(first + second)
    assert set(counts) == {f"lasitava{i}@example.org" for i in range(people)}
    # Exactly one each, except (at most) the one whose message the kill caught between the mail
    # server's acceptance and the commit of its record: documented in jobs/mail.py.
    assert sum(counts.values()) - people == len(first) - recorded
    assert site.query("SELECT count(*) FROM jobs_sentmail")[0][0] == people


BULK_APPROVAL = """
from parskats.accounts.models import Role
from parskats.jobs.models import Job
from parskats.review.workflow import approve_reports
from tests.factories import build_world, give_role, user
from tests.test_review_workflow import clean_submitted
world = build_world()
admin = user("metodikis@example.org", "Inese Parauga")
give_role(admin, world.network, Role.Kind.ADMIN)
first = {}
for i in range(PEOPLE):
    library = world.library_a if i % 2 else world.library_b
    reader = user(f"lasitava{i}@example.org", f"Lasītāja {i}")
    give_role(reader, world.network, Role.Kind.REPORTER, library)
    first.setdefault(library.pk, reader)
reports = [clean_submitted(unit, world.periods[2021], first[unit.pk]) for unit in (world.library_a, world.library_b)]
Job.objects.all().delete()  # the submissions' receipts: their queued tasks find no job and skip
print(approve_reports(admin, reports).job.pk)
"""


def test_a_worker_killed_mid_bulk_approval_notices_then_swept_tells_each_reporter_once(site):
    people = 60  # enough that, on a busy machine too, the kill comes while some are still unsent
    job = site.run("shell", "-c", f"PEOPLE = {people}\n" + BULK_APPROVAL, **MAIL).split()[-1]
    assert site.query("SELECT count(*) FROM reporting_report WHERE status = 'approved'")[0][0] == 2

    def some_sent() -> bool:
        try:
            return site.query("SELECT count(*) FROM jobs_sentmail")[0][0] >= 3
        except sqlite3.OperationalError:  # busy: the worker is writing
            return False

    worker = mailing_worker(site, site.tmp / "first.out")
    assert kill_when(worker, some_sent, timeout=120), "the worker was never seen sending"
    first = recipients(site.tmp / "first.out")
    recorded = site.query("SELECT count(*) FROM jobs_sentmail")[0][0]
    assert site.job(job)["status"] == "running" and 3 <= recorded < people
    assert recorded <= len(first) <= recorded + 1
    time.sleep(5.5)  # the heartbeat has been silent for longer than PARSKATS_JOBS_STALE
    again = mailing_worker(site, site.tmp / "second.out")
    try:
        done = site.wait_for(job, {"done", "failed"})
    finally:
        stop(again)
    second = recipients(site.tmp / "second.out")
    assert done["status"] == "done" and done["attempts"] == 2, done
    counts = Counter(first + second)
    assert set(counts) == {f"lasitava{i}@example.org" for i in range(people)}
    # One each, except (at most) the one the kill caught between the server's acceptance and the commit.
    assert sum(counts.values()) - people == len(first) - recorded
    assert site.query("SELECT count(*) FROM jobs_sentmail")[0][0] == people
