"""Backup and restore: the round trip changes nothing (every table compared), lands all or nothing,
and refuses damaged, unsafe or misplaced archives with a message that says why."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from bench import server
from parskats.audit.models import AuditEntry, record
from parskats.jobs.models import Job, SentMail
from parskats.reporting.models import Report
from parskats.site.backup import BackupError, backup, restore, table_digests

from .factories import build_world, report_with, user

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "photos" / "2021").mkdir(parents=True)
    (settings.MEDIA_ROOT / "photos" / "2021" / "lasītava.jpg").write_bytes(b"\xff\xd8 not really a jpeg \xff\xd9")
    return settings.MEDIA_ROOT


def fill() -> None:
    world = build_world()
    report = report_with(world.library_a, world.periods[2021], users=1234, visits="na", loans="12345.5")
    person = user("ieva@example.org", "Ieva Ābele")
    person.groups.add(Group.objects.create(name="redaktori"))
    record(actor=person, channel="form", action="value", network=world.network, report=report,
           target="users", old=None, new={"number": "1234", "ē": [1, 2.5]}, note="Ziņa ar “pēdiņām” <b>")  # fmt: skip
    # The log of emails a job sent travels too: restored, a retried job still sends nobody a second copy.
    job = Job.objects.create(kind="seminar.invitations", network=world.network, subject="1", title="Ielūgumi")
    SentMail.objects.create(key="seminar-invitation:1:0", address="ieva@example.org", job=job)


@pytest.mark.django_db(transaction=True)
def test_round_trip_changes_no_table(tmp_path, media):
    fill()
    before = table_digests()
    assert before["reporting.value"]["rows"] == 3 and before["accounts.user_groups"]["rows"] == 1
    assert before["jobs.sentmail"]["rows"] == 1
    archive = tmp_path / "backup.tar.gz"
    backup(archive)

    call_command("flush", interactive=False, verbosity=0)
    (media / "photos" / "2021" / "lasītava.jpg").unlink()
    assert table_digests()["reporting.report"]["rows"] == 0

    restore(archive)
    assert table_digests() == before
    assert (media / "photos" / "2021" / "lasītava.jpg").read_bytes().startswith(b"\xff\xd8")
    # Sequences follow the restored ids: new rows do not collide with restored ones.
    report = Report.objects.get()
    fresh = Report.objects.create(unit=report.unit, period=report.period.network.periods.get(year=2020))
    assert fresh.pk > report.pk
    assert AuditEntry.objects.get().new == {"number": "1234", "ē": [1, 2.5]}


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, media):
    fill()
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    before = table_digests()
    with pytest.raises(BackupError, match="not empty"):
        restore(archive)
    assert table_digests() == before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_damaged_and_unsafe_archives(tmp_path, media):
    fill()
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    call_command("flush", interactive=False, verbosity=0)
    with tarfile.open(archive) as tar:
        entries = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}

    def rewrite(name: str, changes: dict[str, bytes]) -> Path:
        path = tmp_path / name
        with tarfile.open(path, "w:gz") as tar:
            for entry, payload in {**entries, **changes}.items():
                info = tarfile.TarInfo(entry)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
        return path

    damaged = rewrite("damaged.tar.gz", {"data.jsonl": entries["data.jsonl"].replace(b"1234", b"9999")})
    with pytest.raises(BackupError, match="damaged"):
        restore(damaged)
    escaping = rewrite("escape.tar.gz", {"media/../../../etc/cron.d/x": b"* * * * * root evil"})
    with pytest.raises(BackupError, match="unsafe entry"):
        restore(escaping)
    manifest = json.loads(entries["manifest.json"])
    manifest["migrations"].append(["reporting", "9999_future"])
    future = rewrite("future.tar.gz", {"manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(BackupError, match="migration state"):
        restore(future)
    (tmp_path / "not-a-backup.tar.gz").write_bytes(b"hello")
    with pytest.raises(BackupError, match="cannot be read"):
        restore(tmp_path / "not-a-backup.tar.gz")
    assert table_digests()["reporting.report"]["rows"] == 0  # nothing half-restored
    assert not (tmp_path / "etc").exists()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


DIGESTS = "import json; from parskats.site.backup import table_digests; print(json.dumps(table_digests()))"


@pytest.mark.skipif(not server.postgres_reachable(), reason="needs PostgreSQL on 127.0.0.1:5432")
def test_demo_moves_from_sqlite_to_postgresql_through_the_commands(tmp_path):
    """The archive is portable: the demo backed up from SQLite restores into PostgreSQL unchanged."""
    name = f"parskats_restore_target_{os.getpid()}"
    base = {k: v for k, v in os.environ.items() if k not in server.NOT_INHERITED}
    base["PARSKATS_MEDIA_ROOT"] = str(tmp_path / "media")
    sqlite = {**base, "DATABASE_URL": f"sqlite:///{tmp_path / 'source.sqlite3'}"}
    postgres = {**base, "DATABASE_URL": server.create_database(name)}
    try:
        manage(sqlite, "migrate", "--noinput", "-v0")
        manage(sqlite, "load_demo")
        archive = tmp_path / "demo.tar.gz"
        assert "Backed up" in manage(sqlite, "backup", str(archive))
        manage(postgres, "migrate", "--noinput", "-v0")
        assert "every table matches" in manage(postgres, "restore", str(archive))
        source = json.loads(manage(sqlite, "shell", "-c", DIGESTS).splitlines()[-1])
        target = json.loads(manage(postgres, "shell", "-c", DIGESTS).splitlines()[-1])
        assert source == target
        assert source["reporting.value"]["rows"] > 1000
    finally:
        server.drop_database(name)
