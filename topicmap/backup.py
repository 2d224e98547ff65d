"""Backups of what is not cache: the records in Redis (people, keys, shares, the library's index)
and the map archive (kept maps' bundles), taken while the service runs, restored together.

A backup is a folder: ``backup.json`` (format, when, what it holds), ``records.json`` (every record
key as Redis ``DUMP`` bytes, taken in one transaction: one moment for all of them) and
``archive/*.topicmap`` (the bundles, copied after the records). A map kept or un-kept between the
two steps cannot make the restore inconsistent: the archive is the authority, and a restore
rebuilds the library's index from it (topicmap/kept.py: ``rebuild_index``). Working copies, jobs
in flight and caches are not backed up: they expire anyway; a kept map's working copy comes back
from the archive when it is opened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from topicmap.archive import DirectoryArchive, MapArchive
from topicmap.errors import Invalid
from topicmap.kept import rebuild_index
from topicmap.store import JobStore
from topicmap.store.base import PREFIX
from topicmap.store.library import LIBRARY_KEYS
from topicmap.store.people import RECORD_KEYS
from topicmap.store.shares import SHARE_KEYS

BACKUP_FORMAT = 1
RECORD_PREFIXES = (*RECORD_KEYS, *SHARE_KEYS, *LIBRARY_KEYS)


@dataclass(frozen=True)
class BackupSummary:
    records: int
    maps: int
    bytes: int


def record_keys(store: JobStore) -> list[bytes]:
    """Every record key (they never expire): people, keys, shares, the library's index."""
    found = store.redis.scan_iter(match=f"{PREFIX}*", count=1000)
    return sorted(key for key in found if key.decode().startswith(RECORD_PREFIXES))  # type: ignore[union-attr]


def back_up(store: JobStore, archive: MapArchive, folder: Path) -> BackupSummary:
    """Write a backup of ``store``'s records and ``archive``'s bundles into ``folder`` (new or empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise Invalid(f"{folder} is not empty: back up into a new folder")
    (folder / "archive").mkdir(parents=True, exist_ok=True)
    keys = record_keys(store)
    pipe = store.redis.pipeline(transaction=True)  # one moment for every record
    for key in keys:
        pipe.dump(key)
    dumps = cast(list[bytes | None], pipe.execute())
    records = [
        {"key": key.decode(), "dump": base64.b64encode(dump).decode()}
        for key, dump in zip(keys, dumps, strict=True)
        if dump is not None
    ]
    (folder / "records.json").write_text(json.dumps(records), encoding="utf-8")
    copy = DirectoryArchive(folder / "archive")
    digests: dict[str, str] = {}
    size = 0
    for name in archive.names():
        data = archive.get(name)
        if data is None:  # un-kept meanwhile
            continue
        copy.put(name, data)
        digests[name] = hashlib.sha256(data).hexdigest()
        size += len(data)
    description = {
        "format": "topicmap backup",
        "format_version": BACKUP_FORMAT,
        "created_at": time.time(),
        "records": len(records),
        "archive": digests,
    }
    (folder / "backup.json").write_text(json.dumps(description, indent=1), encoding="utf-8")
    return BackupSummary(records=len(records), maps=len(digests), bytes=size)


def restore_backup(store: JobStore, archive: MapArchive, folder: Path) -> BackupSummary:
    """Put a backup's records back into ``store`` (replacing those of the same name) and its bundles
    into ``archive``, then rebuild the library's index from the archive. Checked before anything
    is written: a backup with a missing or altered bundle is refused."""
    description_path = folder / "backup.json"
    if not description_path.is_file():
        raise Invalid(f"{folder} is not a topicmap backup (no backup.json)")
    description = json.loads(description_path.read_text(encoding="utf-8"))
    if description.get("format_version", 0) > BACKUP_FORMAT:
        raise Invalid(f"{folder} was written by a newer topicmap (backup format {description['format_version']})")
    bundles: dict[str, bytes] = {}
    for name, digest in description["archive"].items():
        path = folder / "archive" / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise Invalid(f"{folder}: archive/{name} is missing or does not match the backup's digest")
        bundles[name] = path.read_bytes()
    records = json.loads((folder / "records.json").read_text(encoding="utf-8"))
    pipe = store.redis.pipeline(transaction=True)
    for record in records:
        pipe.restore(record["key"], 0, base64.b64decode(record["dump"]), replace=True)
    pipe.execute()
    for name, data in bundles.items():
        archive.put(name, data)
    entries = rebuild_index(store, archive)
    return BackupSummary(records=len(records), maps=len(entries), bytes=sum(len(d) for d in bundles.values()))
