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
import tarfile
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from parskats.stats.cache import store as figures_store

FORMAT = "parskats-backup/1"
# Created by `migrate` in every fresh database; restore replaces them with the archived rows.
MIGRATE_CREATED = ("contenttypes.contenttype", "auth.permission")


class BackupError(Exception):
    """A backup cannot be restored here; the message says why and what to do."""


def all_models() -> list[type[models.Model]]:
    """Every concrete table Django knows, many-to-many link tables included, in dependency order."""
    found: list[type[models.Model]] = []
    for model in serializers.sort_dependencies([(config, None) for config in apps.get_app_configs()]):
        if model._meta.proxy or not model._meta.managed:
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
    engine has one, so rows written meanwhile never half-appear."""
    with transaction.atomic(using=using):
        if connections[using].vendor == "postgresql":
            with connections[using].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        data = io.StringIO()
        for model in all_models():
            # Many-to-many links travel as rows of their own link table (with their ids), not inside
            # the objects, so that each table is restored exactly once and exactly as it was.
            own_fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
            rows = model._base_manager.using(using).order_by("pk").iterator(chunk_size=2000)
            for row in serializers.serialize("python", rows, fields=own_fields):
                data.write(json.dumps(row, default=_exact, ensure_ascii=False) + "\n")
        manifest = {
            "format": FORMAT,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "engine": connections[using].vendor,
            "migrations": applied_migrations(using),
            "tables": table_digests(using),
        }
    payload = data.getvalue().encode()
    manifest["data_sha256"] = hashlib.sha256(payload).hexdigest()
    media = Path(settings.MEDIA_ROOT)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False).encode())
        _add_bytes(tar, "data.jsonl", payload)
        if media.is_dir():
            for path in sorted(p for p in media.rglob("*") if p.is_file() and not p.is_symlink()):
                tar.add(path, arcname=f"media/{path.relative_to(media).as_posix()}", recursive=False)
    return manifest


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


def _member_bytes(archive: Path, tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    """A member's contents; a directory or other non-file where a file belongs is refused by name."""
    stream = tar.extractfile(member)
    if stream is None:
        raise BackupError(f"{archive}: {member.name!r} is not a file.")
    return stream.read()


def read_archive(archive: Path) -> tuple[dict[str, Any], bytes, dict[PurePosixPath, bytes]]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if "manifest.json" not in members or "data.jsonl" not in members:
                raise BackupError(f"{archive} is not a Pārskats backup (no manifest.json or data.jsonl).")
            manifest = json.loads(_member_bytes(archive, tar, members["manifest.json"]))
            payload = _member_bytes(archive, tar, members["data.jsonl"])
            media: dict[PurePosixPath, bytes] = {}
            for name, member in members.items():
                if name in {"manifest.json", "data.jsonl"}:
                    continue
                target = _safe_media_path(name)
                if target is None or not member.isfile():
                    raise BackupError(f"{archive} holds an unsafe entry {name!r}; refusing to restore it.")
                media[target] = _member_bytes(archive, tar, member)
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive} cannot be read: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has format {manifest.get('format')!r}; this version reads {FORMAT!r}.")
    if hashlib.sha256(payload).hexdigest() != manifest.get("data_sha256"):
        raise BackupError(f"{archive} is damaged: its data does not match the checksum in its manifest.")
    return manifest, payload, media


def restore(archive: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Restore into an empty, migrated database; all or nothing."""
    manifest, payload, media = read_archive(archive)
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
        str(p) for p, content in media.items() if (media_root / p).exists() and (media_root / p).read_bytes() != content
    ]
    if clashes:
        raise BackupError(f"MEDIA_ROOT already holds different files: {clashes[:5]}.")
    connection = connections[using]
    with transaction.atomic(using=using):
        for name in MIGRATE_CREATED:
            apps.get_model(name)._base_manager.using(using).all().delete()
        rows = (json.loads(line) for line in payload.decode().splitlines() if line.strip())
        # Raw saves as in loaddata: no signals, auto_now values kept; constraints checked at the end,
        # since rows arrive table by table, not in foreign-key order.
        with connection.constraint_checks_disabled():
            for obj in serializers.deserialize("python", rows, using=using):
                obj.save(using=using)
        connection.check_constraints()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), all_models()):
                cursor.execute(sql)
        restored = table_digests(using)
        if restored != manifest["tables"]:
            differing = [name for name in manifest["tables"] if restored.get(name) != manifest["tables"][name]]
            raise BackupError(f"Restored tables differ from the backup: {differing[:5]}; nothing was kept.")
        for path, content in media.items():
            (media_root / path).parent.mkdir(parents=True, exist_ok=True)
            (media_root / path).write_bytes(content)
    figures_store.clear()  # computed before the restore, from other rows under the same keys
    return manifest
