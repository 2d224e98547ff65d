"""A map's working copy in Redis written in one step: what an import or a restore from the archive
puts there (corpora, embeddings, every map version, term tables, the job record), counted toward
its owner's quota first and written in one transaction, so nothing is ever half there."""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping

from topicmap.schemas import JobRecord
from topicmap.store.base import PREFIX
from topicmap.store.blobs import Blobs
from topicmap.store.codec import gzip_bytes
from topicmap.store.versions import MapVersions


class WorkingCopies(MapVersions, Blobs):
    def write_working_copy(
        self,
        record: JobRecord,
        *,
        corpora: Mapping[str, bytes],
        embeddings: Mapping[str, bytes],
        maps: Mapping[int, bytes],
        artifacts: Mapping[str, bytes],
        quota: int | None = None,
    ) -> int:
        """Store a finished job whole: ``corpora`` (hash → compressed corpus), ``embeddings`` (hash →
        .npy bytes), ``maps`` (version → map JSON), ``artifacts`` (name → bytes: term tables and
        presence). Counted toward ``record.owner`` first (all or nothing: :class:`OverQuota` when
        over ``quota``); returns the bytes stored."""
        model = record.params.model
        blobs: dict[str, bytes] = {f"{PREFIX}corpus:{sha}": blob for sha, blob in corpora.items()}
        blobs |= {self._embedding_key(sha, model): zlib.compress(data, 1) for sha, data in embeddings.items()}
        blobs |= {self._map_key(record.id, number): gzip_bytes(data) for number, data in maps.items()}
        sizes = {name: len(blob) for name, blob in blobs.items()}
        sizes |= {self.artifact_name(record.id, name): len(data) for name, data in artifacts.items()}
        stored = sum(sizes.values())
        record = record.model_copy(update={"stored_bytes": stored})
        self.charge(record.owner, sizes, expires_at=time.time() + self.retention_s, quota=quota)
        try:
            pipe = self.redis.pipeline(transaction=True)
            for name, blob in blobs.items():
                pipe.set(name, blob, ex=self.retention_s)
            if artifacts:
                pipe.hset(f"{PREFIX}artifacts:{record.id}", mapping=dict(artifacts))  # type: ignore[arg-type]
                pipe.expire(f"{PREFIX}artifacts:{record.id}", self.retention_s)
            pipe.set(f"{PREFIX}job:{record.id}", record.model_dump_json(), ex=self.retention_s)
            pipe.zadd(f"{PREFIX}jobs:{record.owner}", {record.id: record.created_at})
            pipe.expire(f"{PREFIX}jobs:{record.owner}", self.retention_s)
            pipe.execute()
        except Exception:
            self.release(record.owner, list(sizes))
            raise
        return stored

    def prolong(self, record: JobRecord) -> None:
        """Keep a finished job's working copy another retention period from now: its record, map
        versions, renderings, corpora and embeddings (what a bundle of it is made from), and its
        owner's charges for them. For a kept map whose archive copy is behind its versions while the
        archive cannot be written: they must not expire before it can (topicmap/kept.py)."""
        corpora = {record.corpus} | {version.corpus for version in record.versions if version.corpus}
        keys = self.own_keys(record) + [f"{PREFIX}corpus:{sha}" for sha in corpora]
        keys += [self._embedding_key(sha, record.params.model) for sha in corpora]
        pipe = self.redis.pipeline()
        for key in [*keys, f"{PREFIX}jobs:{record.owner}"]:
            pipe.expire(key, self.retention_s, gt=True)  # never shorter than it was
        pipe.execute()
        held = self.held_names(record.owner)
        artifacts = self.artifact_name(record.id, "")
        counted = {name: size for name, size in held.items() if name in keys or name.startswith(artifacts)}
        self.charge(record.owner, counted, expires_at=time.time() + self.retention_s)
