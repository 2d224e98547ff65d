"""A job's maps: version 1 from the pipeline, later versions from edits, what each version keeps
beside it (renderings, term counts, term presence), assignment results, and purging a job."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import redis

from topicmap.errors import StaleVersion
from topicmap.schemas import JobRecord, MapVersion, TopicMap
from topicmap.store.base import (
    PREFIX,
    WEBHOOKS,
)
from topicmap.store.codec import gzip_bytes, inflate
from topicmap.store.ledger import Ledger
from topicmap.store.records import JobRecords


class MapVersions(JobRecords, Ledger):
    def put_map(self, job_id: str, topic_map: TopicMap) -> int:
        """Stored gzip-framed, so the API can send the bytes as they are (``Content-Encoding: gzip``).

        Returns the bytes stored."""
        data = gzip_bytes(topic_map.model_dump_json().encode())
        self.redis.set(f"{PREFIX}map:{job_id}", data, ex=self.retention_s)
        self.charge_job(job_id, {f"{PREFIX}map:{job_id}": len(data)})
        return len(data)

    @staticmethod
    def _map_key(job_id: str, version: int = 1) -> str:
        return f"{PREFIX}map:{job_id}" if version == 1 else f"{PREFIX}map:{job_id}:v{version}"

    def get_map_bytes(self, job_id: str, version: int = 1) -> bytes | None:
        """A stored map version, gzip-compressed JSON (zlib-framed for maps stored before gzip framing)."""
        return self.redis.get(self._map_key(job_id, version))

    def get_map(self, job_id: str, version: int = 1) -> TopicMap | None:
        data = self.get_map_bytes(job_id, version)
        return TopicMap.model_validate_json(inflate(data)) if data else None

    def write_version(
        self, job_id: str, expected: int, topic_map: TopicMap, entry: MapVersion, quota: int | None = None
    ) -> int:
        """Store ``topic_map`` as version ``expected + 1`` if the latest is still ``expected``; its
        bytes count toward the job's stored bytes and its owner's ledger (refused with
        :class:`OverQuota` when that would pass ``quota``). Returns them.

        Only :func:`topicmap.edits.commit.commit_version` calls this (through :class:`JobVersions`).
        The version expires with the job's first map. Raises :class:`StaleVersion` when another
        edit committed first (optimistic concurrency: the caller re-reads and decides).
        """
        key = f"{PREFIX}job:{job_id}"
        data = gzip_bytes(topic_map.model_dump_json().encode())
        with self.redis.pipeline() as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                raw = cast(bytes | None, pipe.get(key))
                if not raw:
                    raise StaleVersion(0)
                record = JobRecord.model_validate_json(raw)
                if record.latest_version != expected:
                    raise StaleVersion(record.latest_version)
                ttl_ms = int(cast(int, pipe.pttl(self._map_key(job_id))))
                name = self._map_key(job_id, entry.number)
                expires_at = time.time() + max(ttl_ms, 1000) / 1000
                self.charge(record.owner, {name: len(data)}, expires_at=expires_at, quota=quota)
                updated = record.model_copy(
                    update={"versions": [*record.versions, entry], "stored_bytes": record.stored_bytes + len(data)}
                )
                pipe.multi()
                pipe.set(self._map_key(job_id, entry.number), data, px=max(ttl_ms, 1000))
                pipe.set(key, updated.model_dump_json(), keepttl=True)
                pipe.publish(f"{PREFIX}events:{job_id}", updated.model_dump_json())
                pipe.execute()
            except redis.WatchError:
                self.release(record.owner, [name])
                current = self.get(job_id)
                raise StaleVersion(current.latest_version if current else 0) from None
        return len(data)

    def get_artifact(self, job_id: str, name: str) -> bytes | None:
        return self.redis.hget(f"{PREFIX}artifacts:{job_id}", name)

    def put_artifact(self, job_id: str, name: str, data: bytes) -> None:
        """A rendering of the map (gzip bytes), kept exactly as long as the map it was made from."""
        ttl_ms = int(self.redis.pttl(f"{PREFIX}map:{job_id}"))
        if ttl_ms > 0:
            pipe = self.redis.pipeline()
            pipe.hset(f"{PREFIX}artifacts:{job_id}", name, data)
            pipe.pexpire(f"{PREFIX}artifacts:{job_id}", ttl_ms)
            pipe.execute()
            expires_at = time.time() + ttl_ms / 1000
            self.charge_job(job_id, {self.artifact_name(job_id, name): len(data)}, expires_at=expires_at)

    def drop_artifacts(self, job_id: str, names: Sequence[str]) -> None:
        """Delete renderings no one will ask for again (an earlier drawing's) and stop counting them."""
        if names and self.redis.hdel(f"{PREFIX}artifacts:{job_id}", *names):
            self.release_job(job_id, [self.artifact_name(job_id, name) for name in names])

    def put_terms(self, job_id: str, version: int, data: bytes) -> int:
        """A map version's topic x term counts (topicmap/terms.py), beside its renderings: they expire
        and are purged with the map. Returns the bytes stored."""
        self.put_artifact(job_id, f"v{version}/terms.bin", data)
        return len(data)

    def get_terms(self, job_id: str, version: int) -> bytes | None:
        return self.get_artifact(job_id, f"v{version}/terms.bin")

    def put_presence(self, job_id: str, data: bytes, corpus: str | None = None) -> int:
        """Which terms each document contains (topicmap/terms.py): one per corpus of the job's map
        versions (``corpus`` None: the job's own; versions with added documents have another)."""
        self.put_artifact(job_id, self._presence_name(corpus), data)
        return len(data)

    def get_presence(self, job_id: str, corpus: str | None = None) -> bytes | None:
        return self.get_artifact(job_id, self._presence_name(corpus))

    @staticmethod
    def _presence_name(corpus: str | None) -> str:
        return "doc-terms.bin" if corpus is None else f"doc-terms/{corpus}.bin"

    def put_assignments(self, job_id: str, data: bytes) -> int:
        """An assignment job's result (gzip JSON); returns the bytes stored."""
        self.redis.set(f"{PREFIX}assignments:{job_id}", data, ex=self.retention_s)
        self.charge_job(job_id, {f"{PREFIX}assignments:{job_id}": len(data)})
        return len(data)

    def get_assignments(self, job_id: str) -> bytes | None:
        return self.redis.get(f"{PREFIX}assignments:{job_id}")  # type: ignore[return-value]

    def own_keys(self, record: JobRecord) -> list[str]:
        """The keys only this job holds: its record, map versions, renderings (one hash, charged by
        field: :meth:`artifact_name`) and assignment results."""
        keys = [f"{PREFIX}{kind}:{record.id}" for kind in ("job", "map", "artifacts", "assignments")]
        return keys + [self._map_key(record.id, version.number) for version in record.versions if version.number > 1]

    def purge(self, record: JobRecord) -> None:
        """Delete a finished job and what only it holds: record, map, renderings, cancel flag.

        The corpus and its embeddings are shared by every job on the same content (any key's), so
        they stay until they expire, and count toward the owner's quota until then; what only this
        job held stops counting at once.
        """
        artifacts = [n.decode() for n in self.redis.hkeys(f"{PREFIX}artifacts:{record.id}")]  # type: ignore[union-attr]
        own = self.own_keys(record)
        released = own + [self.artifact_name(record.id, name) for name in artifacts]
        pipe = self.redis.pipeline()
        for key in [*own, f"{PREFIX}cancel:{record.id}"]:
            pipe.delete(key)
        pipe.zrem(f"{PREFIX}jobs:{record.owner}", record.id)
        pipe.zrem(WEBHOOKS, record.id)
        pipe.execute()
        self.release(record.owner, released)


@dataclass
class JobVersions:
    """One job's map versions in Redis, as :func:`topicmap.edits.commit.commit_version` writes them."""

    store: MapVersions
    job_id: str
    quota: int | None = None
    """The owner's storage quota a new version must fit in (None: not checked)."""

    def write_version(self, expected: int, topic_map: TopicMap, entry: MapVersion) -> int:
        return self.store.write_version(self.job_id, expected, topic_map, entry, quota=self.quota)

    def read_terms(self, version: int) -> bytes | None:
        return self.store.get_terms(self.job_id, version)

    def write_terms(self, version: int, data: bytes) -> int:
        stored = self.store.put_terms(self.job_id, version, data)
        self.store.add_stored_bytes(self.job_id, stored)
        return stored
