"""The library's index: which maps are kept, by whom, with what name (records: they never expire).

========================  =========================================================
kept:{job}                JSON :class:`~topicmap.library.LibraryEntry` of a kept map
library:{owner}           set of the job ids an owner keeps
library                   set of every kept job id (for rebuilding and backups)
archive-due               sorted set of kept job ids whose bundle is behind their versions (the
                          archive failed), by when to archive them again (topicmap/kept.py)
========================  =========================================================

The archive is the authority: every entry is also in its bundle's manifest, so the index can be
rebuilt from the archive alone (topicmap/kept.py: ``rebuild_index``).
"""

from __future__ import annotations

import time

from topicmap.library import LibraryEntry
from topicmap.store.base import CLAIM_DUE, PREFIX, StoreBase

LIBRARY = f"{PREFIX}library"
ARCHIVE_DUE = f"{PREFIX}archive-due"
LIBRARY_KEYS = (f"{PREFIX}kept:", LIBRARY)
"""Backed up (topicmap/backup.py); ARCHIVE_DUE is not: it means something only beside the working copies."""


class Library(StoreBase):
    def put_kept(self, entry: LibraryEntry) -> None:
        pipe = self.redis.pipeline()
        pipe.set(f"{PREFIX}kept:{entry.job}", entry.model_dump_json())
        pipe.sadd(f"{PREFIX}library:{entry.owner}", entry.job)
        pipe.sadd(LIBRARY, entry.job)
        pipe.execute()

    def get_kept(self, job_id: str) -> LibraryEntry | None:
        data = self.redis.get(f"{PREFIX}kept:{job_id}") if len(job_id) <= 64 else None
        return LibraryEntry.model_validate_json(data) if data else None  # type: ignore[arg-type]

    def drop_kept(self, entry: LibraryEntry) -> None:
        pipe = self.redis.pipeline()
        pipe.delete(f"{PREFIX}kept:{entry.job}")
        pipe.srem(f"{PREFIX}library:{entry.owner}", entry.job)
        pipe.srem(LIBRARY, entry.job)
        pipe.zrem(ARCHIVE_DUE, entry.job)
        pipe.execute()

    def mark_archive_due(self, job_id: str, at: float) -> None:
        """The kept map's bundle is behind its versions: archive it again at ``at``."""
        self.redis.zadd(ARCHIVE_DUE, {job_id: at})

    def claim_due_archives(self, lease_s: float, limit: int = 20) -> list[str]:
        """The kept maps due to be archived again, each pushed ``lease_s`` ahead (atomically: two
        relays never take the same one; one that dies leaves it to the next after the lease)."""
        now = time.time()
        due = self.redis.eval(CLAIM_DUE, 1, ARCHIVE_DUE, now, now + lease_s, limit)  # type: ignore[no-untyped-call]
        return [d.decode() for d in due]

    def archive_caught_up(self, job_id: str) -> None:
        self.redis.zrem(ARCHIVE_DUE, job_id)

    def archives_behind(self) -> list[str]:
        """Kept maps whose bundle is behind their versions, the longest waiting first."""
        return [m.decode() for m in self.redis.zrange(ARCHIVE_DUE, 0, -1)]  # type: ignore[union-attr]

    def kept_ids(self, owner: str | None = None) -> list[str]:
        """The kept maps of ``owner`` (None: everyone's)."""
        key = LIBRARY if owner is None else f"{PREFIX}library:{owner}"
        return sorted(member.decode() for member in self.redis.smembers(key))  # type: ignore[union-attr]

    def kept_entries(self, ids: list[str]) -> list[LibraryEntry]:
        if not ids:
            return []
        found = self.redis.mget([f"{PREFIX}kept:{job}" for job in ids])
        return [LibraryEntry.model_validate_json(data) for data in found if data]  # type: ignore[union-attr]

    def kept_bytes_by_owner(self) -> dict[str, int]:
        """Bytes each owner keeps in the archive (also counted in their ledger), largest first."""
        totals: dict[str, int] = {}
        for entry in self.kept_entries(self.kept_ids()):
            totals[entry.owner] = totals.get(entry.owner, 0) + entry.bytes
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    def shared_ids(self, user: str) -> list[str]:
        return [m.decode() for m in self.redis.smembers(f"{PREFIX}shared-with:{user}")]  # type: ignore[union-attr]

    def clear_library(self) -> None:
        """Forget the whole index (before rebuilding it from the archive)."""
        ids = self.kept_ids()
        owners = {entry.owner for entry in self.kept_entries(ids)}
        pipe = self.redis.pipeline()
        for job in ids:
            pipe.delete(f"{PREFIX}kept:{job}")
        for owner in owners:
            pipe.delete(f"{PREFIX}library:{owner}")
        pipe.delete(LIBRARY)
        pipe.execute()
