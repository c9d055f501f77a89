"""Backup and restore of the whole database as one portable archive (.tar.gz).

The archive holds every row of every model (Django's JSON serialisation, primary keys kept, so it
restores into SQLite or PostgreSQL alike), the uploaded files under MEDIA_ROOT, and a manifest with
the migrations it was taken at and a digest of every table. Restore goes into an empty, migrated
database of the same migration state, in one transaction: it lands entirely or not at all, and
the digests of the restored tables must equal the manifest's or nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import IO, Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from parskats.core import pagecache
from parskats.stats.cache import store as figures_store

FORMAT = "parskats-backup/1"
# Written by `migrate` in every fresh database (the units are seeded by a data migration); restore
# replaces them with the archived rows, which may have been edited since.
MIGRATE_CREATED = ("contenttypes.contenttype", "auth.permission", "catalogue.unit")
# Derived state, not data: the public pages' counters start afresh (a new epoch) in a restored database.
NOT_BACKED_UP = ("core.pageversion",)
# Rows per restore insert; the database's own limit on parameters can make a batch smaller.
INSERT_BATCH = 2000
CHUNK = 2000  # rows read and serialised at a time by the backup


class BackupError(Exception):
    """A backup cannot be restored here; the message says why and what to do."""


def all_models() -> list[type[models.Model]]:
    """Every concrete table Django knows, many-to-many link tables included, in dependency order."""
    found: list[type[models.Model]] = []
    for model in serializers.sort_dependencies([(config, None) for config in apps.get_app_configs()]):
        if model._meta.proxy or not model._meta.managed or model._meta.label_lower in NOT_BACKED_UP:
            continue
        found.append(model)
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through is not None and through._meta.auto_created:
                found.append(through)
    return found


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def table_digests(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of every table's rows (all fields, in primary-key order), engine-neutral."""
    digests: dict[str, dict[str, Any]] = {}
    for model in all_models():
        fields = list(model._meta.concrete_fields)
        digest = hashlib.sha256()
        count = 0
        for obj in model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000):
            row = [
                f.value_to_string(obj) if not isinstance(f, models.JSONField) else f.value_from_object(obj)
                for f in fields
            ]
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
            count += 1
        digests[label(model)] = {"rows": count, "sha256": digest.hexdigest()}
    return digests


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connections[using]).applied_migrations())


def backup(archive: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive; returns its manifest. Read in one repeatable-read snapshot where the
    engine has one, so rows written meanwhile never half-appear. Rows stream to a temporary file
    beside the archive (hashed as they go), so memory stays flat however large the database is."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w+b", dir=archive.parent, prefix=".backup-", suffix=".jsonl") as data:
        digest = hashlib.sha256()
        with transaction.atomic(using=using):
            if connections[using].vendor == "postgresql":
                with connections[using].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for model in all_models():
                # Many-to-many links travel as rows of their own link table (with their ids), not inside
                # the objects, so that each table is restored exactly once and exactly as it was.
                own_fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK)
                # The python serializer keeps every object it made until it returns: a batch at a time,
                # so that a table of a million values never stands in memory whole.
                while batch := list(islice(rows, CHUNK)):
                    for row in serializers.serialize("python", batch, fields=own_fields):
                        line = (json.dumps(row, default=_exact, ensure_ascii=False) + "\n").encode()
                        digest.update(line)
                        data.write(line)
            manifest = {
                "format": FORMAT,
                "created": dt.datetime.now(dt.UTC).isoformat(),
                "engine": connections[using].vendor,
                "migrations": applied_migrations(using),
                "tables": table_digests(using),
            }
        manifest["data_sha256"] = digest.hexdigest()
        data.flush()
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(archive, "w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False).encode())
            tar.add(data.name, arcname="data.jsonl", recursive=False)
            if media.is_dir():
                for path in sorted(p for p in media.rglob("*") if p.is_file() and not p.is_symlink()):
                    tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}", recursive=False)
    write_stamp(archive, manifest)
    return manifest


def write_stamp(archive: Path, manifest: dict[str, Any]) -> None:
    """Say that a backup succeeded, for /metrics: its time, rows and size, in a small file (renamed
    into place whole, so a reader never sees half of it). Backups run as a command or a timer, not
    in the web workers, so the workers learn of them only through this file."""
    stamp = Path(settings.PARSKATS_BACKUP_STAMP)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    facts = {
        "finished": dt.datetime.now(dt.UTC).timestamp(),
        "archive": str(archive),
        "bytes": archive.stat().st_size,
        "rows": sum(table["rows"] for table in manifest["tables"].values()),
    }
    with tempfile.NamedTemporaryFile("w", dir=stamp.parent, prefix=".stamp-", delete=False, encoding="utf-8") as out:
        json.dump(facts, out)
    Path(out.name).replace(stamp)


def read_stamp() -> dict[str, Any] | None:
    """The last successful backup's facts, or None when there is none (or the file is unreadable)."""
    try:
        facts = json.loads(Path(settings.PARSKATS_BACKUP_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return facts if isinstance(facts, dict) else None


def _exact(value: object) -> str:
    """Full precision (Django's JSON encoder cuts microseconds to milliseconds)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"cannot archive {type(value).__name__}")


def _add_bytes(tar: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(payload))


def _safe_media_path(name: str) -> PurePosixPath | None:
    """media/<relative path> inside MEDIA_ROOT, or None for anything that would escape it."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] != "media":
        return None
    return PurePosixPath(*path.parts[1:])


@dataclass
class Archive:
    """An opened, checked archive: its manifest, and where its rows and files are inside the tar."""

    tar: tarfile.TarFile
    manifest: dict[str, Any]
    data: tarfile.TarInfo
    media: dict[PurePosixPath, tarfile.TarInfo]

    def stream(self, member: tarfile.TarInfo) -> IO[bytes]:
        found = self.tar.extractfile(member)
        assert found is not None  # every member kept is a regular file
        return found

    def rows(self) -> Iterator[dict[str, Any]]:
        for line in io.TextIOWrapper(self.stream(self.data), encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


@contextmanager
def open_archive(archive: Path) -> Iterator[Archive]:
    """Open and check an archive without reading it into memory: the entries are safe, the format
    is this version's and the data's checksum matches the manifest (one streaming pass)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if "manifest.json" not in members or "data.jsonl" not in members:
                raise BackupError(f"{archive} is not a Pārskats backup (no manifest.json or data.jsonl).")
            media: dict[PurePosixPath, tarfile.TarInfo] = {}
            for name, member in members.items():
                if name in {"manifest.json", "data.jsonl"}:
                    continue
                target = _safe_media_path(name)
                if target is None or not member.isfile():
                    raise BackupError(f"{archive} holds an unsafe entry {name!r}; refusing to restore it.")
                media[target] = member
            opened = Archive(tar, {}, members["data.jsonl"], media)
            opened.manifest = json.loads(opened.stream(members["manifest.json"]).read())
            if opened.manifest.get("format") != FORMAT:
                raise BackupError(
                    f"{archive} has format {opened.manifest.get('format')!r}; this version reads {FORMAT!r}."
                )
            if _sha256(opened.stream(opened.data)) != opened.manifest.get("data_sha256"):
                raise BackupError(f"{archive} is damaged: its data does not match the checksum in its manifest.")
            yield opened
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"{archive} cannot be read: {exc}") from None


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _insert_rows(rows: Iterable[dict[str, Any]], using: str) -> None:
    """Insert deserialised rows table by table in batches. Raw inserts, as loaddata's raw saves: no
    signals, and auto_now values kept as archived (a plain bulk_create would stamp them anew)."""
    connection = connections[using]
    batch: list[models.Model] = []

    def flush() -> None:
        if batch:
            model = type(batch[0])
            fields = list(model._meta.concrete_fields)
            size = connection.ops.bulk_batch_size(fields, batch) or len(batch)
            # QuerySet._insert is what Model.save_base(raw=True) calls; the stubs do not list it.
            queryset: Any = model._base_manager.using(using)
            for start in range(0, len(batch), size):
                queryset._insert(batch[start : start + size], fields=fields, raw=True)
            batch.clear()

    for obj in serializers.deserialize("python", rows, using=using):
        if batch and (type(obj.object) is not type(batch[0]) or len(batch) >= INSERT_BATCH):
            flush()
        batch.append(obj.object)
    flush()


def restore(archive: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Restore into an empty, migrated database; all or nothing."""
    with open_archive(archive) as opened:
        manifest = opened.manifest
        here = applied_migrations(using)
        if here != manifest["migrations"]:
            missing = sorted({tuple(m) for m in manifest["migrations"]} - {tuple(m) for m in here})
            extra = sorted({tuple(m) for m in here} - {tuple(m) for m in manifest["migrations"]})
            raise BackupError(
                "The database is not at the backup's migration state: "
                f"missing {missing[:5]}, extra {extra[:5]}. Migrate it to the same version first."
            )
        occupied = [
            label(model)
            for model in all_models()
            if label(model) not in MIGRATE_CREATED and model._base_manager.using(using).exists()
        ]
        if occupied:
            raise BackupError(
                f"The database is not empty ({', '.join(occupied[:5])} have rows); restore needs an empty one."
            )
        media_root = Path(settings.MEDIA_ROOT)
        clashes = [
            str(path)
            for path, member in opened.media.items()
            if (media_root / path).exists()
            and _sha256((media_root / path).open("rb")) != _sha256(opened.stream(member))
        ]
        if clashes:
            raise BackupError(f"MEDIA_ROOT already holds different files: {clashes[:5]}.")
        connection = connections[using]
        with transaction.atomic(using=using):
            for name in MIGRATE_CREATED:
                apps.get_model(name)._base_manager.using(using).all().delete()
            # Constraints are checked at the end, since rows arrive table by table, not in
            # foreign-key order.
            with connection.constraint_checks_disabled():
                _insert_rows(opened.rows(), using)
            connection.check_constraints()
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), all_models()):
                    cursor.execute(sql)
            restored = table_digests(using)
            if restored != manifest["tables"]:
                differing = [name for name in manifest["tables"] if restored.get(name) != manifest["tables"][name]]
                raise BackupError(f"Restored tables differ from the backup: {differing[:5]}; nothing was kept.")
            for path, member in opened.media.items():
                (media_root / path).parent.mkdir(parents=True, exist_ok=True)
                with (media_root / path).open("wb") as target:
                    shutil.copyfileobj(opened.stream(member), target)
    figures_store.clear()  # computed before the restore, from other rows under the same keys
    pagecache.new_epoch()
    return manifest
