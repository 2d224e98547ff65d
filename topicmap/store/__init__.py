"""Everything topicmap keeps in Redis, in one place: corpora, job records, maps, embeddings, heartbeats.

Shared by the API and the worker; it imports redis-py and the contract, nothing heavy. Keys (all
under ``tm:``):

========================  ==========================================================  ==========
key                       value                                                       expires
========================  ==========================================================  ==========
corpus:{sha256}           zlib JSON {"texts", "ids", "metadata"}, stored once           retention
                          (a version with added documents has its own: MapVersion.corpus)
job:{id}                  JSON :class:`JobRecord`: the source of truth                  retention
jobs:{owner}              sorted set of the owner's job ids by creation time            retention
queue                     sorted set of queued job ids by creation time (positions)     retention
running                   sorted set of running job ids by start time                   retention
cancel:{id}               "1" when cancellation was asked                               retention
map:{id}                  gzip JSON :class:`TopicMap` (served to clients as stored)     retention
map:{id}:v{n}             version n ≥ 2 of the map (an edit), same format               the map's
artifacts:{id}            hash: "v{n}/name" → gzip bytes of a rendering of version n   the map's
                          (and terms, "doc-terms[/{corpus}].bin": term presence)
assignments:{id}          gzip JSON rows of an assignment job (documents put into a map) retention
embeddings:{sha}:{model}  zlib float16 embeddings, so other parameters skip embedding   retention
vec:{model}:{sha1}       float16 embedding of one text (sharded jobs: per document)    retention
shards:{id}               hash: shard index → JSON claim {state, worker, at, attempts}   retention
shard:{id}:{n}            zlib JSON texts of shard n of a sharded job                   retention
worker:{name}             JSON heartbeat {"name", "at", "job"}                          3 × beat
workers                   sorted set of worker names by last heartbeat                  3 × beat
idempotency:{owner}:{k}   "{job id} {request hash}"                                    1 day
durations                 list of the last 50 "{seconds} {documents}" of finished jobs  retention
stats                     hash of counters: submitted, succeeded, failed, cancelled     never (6 fields)
webhooks                  sorted set of job ids whose webhook is due, by due time       retention
========================  ==========================================================  ==========

Every key expires, except ``stats`` (a fixed handful of counters). Each set is trimmed of members
older than retention when written. Every change of a job record is also published on the channel
``events:{id}`` (the record's JSON), and ``events:queue`` when a job leaves the queue, so progress
streams wait for messages instead of polling (api/events.py).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

import redis

from topicmap.schemas import TERMINAL_STATES, JobRecord, JobState, MapVersion, TopicMap

PREFIX = "tm:"
QUEUE = f"{PREFIX}queue"
RUNNING = f"{PREFIX}running"
WORKERS = f"{PREFIX}workers"
STATS = f"{PREFIX}stats"
QUEUE_EVENTS = f"{PREFIX}events:queue"
WEBHOOKS = f"{PREFIX}webhooks"

# Atomically take the webhooks due now and push their due time forward by a lease, so a process
# that dies mid-delivery leaves them to another one after the lease.
CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return due
"""
HEARTBEAT_INTERVAL_S = 5.0
RECENT_DURATIONS = 50


class StaleVersion(Exception):
    """An edit was based on a version that is no longer the latest."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"the latest version is {latest}")
        self.latest = latest


@dataclass
class Usage:
    """What one API key's kept jobs hold in Redis."""

    jobs: int = 0
    active: int = 0
    stored_bytes: int = 0
    oldest_created_at: float | None = None


class JobStore:
    """Typed access to topicmap's Redis keys. ``retention_s`` applies to everything a job owns."""

    def __init__(self, client: redis.Redis[bytes], *, retention_s: int = 7 * 24 * 3600) -> None:
        self.redis = client
        self.retention_s = retention_s

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> JobStore:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=25)
        return cls(client, **kwargs)

    # --- corpora -------------------------------------------------------------------------------

    @staticmethod
    def corpus_hash(texts: Sequence[str], ids: Sequence[str]) -> str:
        digest = hashlib.sha256()
        for doc_id, text in zip(ids, texts, strict=True):
            digest.update(doc_id.encode() + b"\x1f" + text.encode() + b"\x1e")
        return digest.hexdigest()

    @classmethod
    def compress_corpus(
        cls, texts: Sequence[str], ids: Sequence[str], metadata: Sequence[dict[str, Any]]
    ) -> tuple[str, bytes]:
        """(content hash, compressed bytes) of a corpus: its size is known before anything is stored."""
        payload = json.dumps({"texts": list(texts), "ids": list(ids), "metadata": list(metadata)})
        return cls.corpus_hash(texts, ids), zlib.compress(payload.encode(), 6)

    def put_corpus_blob(self, sha: str, blob: bytes) -> None:
        key = f"{PREFIX}corpus:{sha}"
        if not self.redis.expire(key, self.retention_s):  # already stored: just keep it longer
            self.redis.set(key, blob, ex=self.retention_s)

    def put_corpus(self, texts: Sequence[str], ids: Sequence[str], metadata: Sequence[dict[str, Any]]) -> str:
        sha, blob = self.compress_corpus(texts, ids, metadata)
        self.put_corpus_blob(sha, blob)
        return sha

    def get_corpus(self, sha: str) -> dict[str, Any] | None:
        data = self.redis.get(f"{PREFIX}corpus:{sha}")
        return json.loads(zlib.decompress(data)) if data else None  # type: ignore[arg-type]

    # --- job records ---------------------------------------------------------------------------

    def create(self, record: JobRecord) -> None:
        oldest = record.created_at - self.retention_s
        pipe = self.redis.pipeline()
        pipe.set(f"{PREFIX}job:{record.id}", record.model_dump_json(), ex=self.retention_s)
        for key in (f"{PREFIX}jobs:{record.owner}", QUEUE):
            pipe.zadd(key, {record.id: record.created_at})
            pipe.zremrangebyscore(key, 0, oldest)  # ids whose records have expired
            pipe.expire(key, self.retention_s)
        pipe.hincrby(STATS, "submitted", 1)
        pipe.execute()

    def get(self, job_id: str) -> JobRecord | None:
        data = self.redis.get(f"{PREFIX}job:{job_id}")
        return JobRecord.model_validate_json(data) if data else None  # type: ignore[arg-type]

    def update(self, job_id: str, **changes: Any) -> JobRecord | None:
        """Change fields of a record atomically (optimistic locking on the record key)."""
        key = f"{PREFIX}job:{job_id}"
        with self.redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)  # type: ignore[no-untyped-call]
                    data = cast(bytes | None, pipe.get(key))  # immediate in WATCH mode
                    if not data:
                        pipe.unwatch()
                        return None
                    before = JobRecord.model_validate_json(data)
                    record = before.model_copy(update=changes)
                    JobRecord.model_validate(record.model_dump())  # changes must keep the record valid
                    payload = record.model_dump_json()
                    pipe.multi()
                    pipe.set(key, payload, ex=self.retention_s)
                    if record.state != "queued":
                        pipe.zrem(QUEUE, job_id)
                    if record.state != before.state:
                        self._count_transition(pipe, job_id, before.state, record.state)
                        if record.callback is not None and record.state in TERMINAL_STATES:
                            pipe.zadd(WEBHOOKS, {job_id: time.time()})  # delivered by the API (api/webhooks.py)
                            pipe.expire(WEBHOOKS, self.retention_s)
                    pipe.publish(f"{PREFIX}events:{job_id}", payload)
                    pipe.execute()
                    return record
                except redis.WatchError:
                    continue

    def _count_transition(self, pipe: Any, job_id: str, before: JobState, after: JobState) -> None:
        if after == "running":
            pipe.zadd(RUNNING, {job_id: time.time()})
            pipe.expire(RUNNING, self.retention_s)
        elif before == "running":
            pipe.zrem(RUNNING, job_id)
        if after in TERMINAL_STATES:
            pipe.hincrby(STATS, after, 1)
        if before == "queued":
            pipe.publish(QUEUE_EVENTS, job_id)  # every queued job's position may have changed

    def list_jobs(self, owner: str, *, offset: int = 0, limit: int = 20) -> tuple[list[JobRecord], int]:
        key = f"{PREFIX}jobs:{owner}"
        total = int(self.redis.zcard(key))
        ids = self.redis.zrevrange(key, offset, offset + limit - 1)
        records = [self.get(i.decode()) for i in ids]  # type: ignore[union-attr]
        return [r for r in records if r is not None], total

    def queue_position(self, job_id: str) -> int | None:
        """1 for the next job to start; None when not queued."""
        rank = self.redis.zrank(QUEUE, job_id)
        return None if rank is None else int(rank) + 1  # type: ignore[arg-type]

    def queue_length(self) -> int:
        return int(self.redis.zcard(QUEUE))

    def owner_usage(self, owner: str) -> Usage:
        """What ``owner``'s kept jobs hold: active (queued or running) jobs and stored bytes."""
        ids = [i.decode() for i in self.redis.zrange(f"{PREFIX}jobs:{owner}", 0, -1)]  # type: ignore[union-attr]
        usage = Usage()
        for start in range(0, len(ids), 500):
            for data in self.redis.mget([f"{PREFIX}job:{i}" for i in ids[start : start + 500]]):
                if data:
                    record = JobRecord.model_validate_json(data)  # type: ignore[arg-type]
                    usage.jobs += 1
                    usage.active += record.state not in TERMINAL_STATES
                    usage.stored_bytes += record.stored_bytes
                    usage.oldest_created_at = min(usage.oldest_created_at or record.created_at, record.created_at)
        return usage

    def counters(self) -> dict[str, int]:
        """Jobs queued and running now, and totals submitted, succeeded, failed and cancelled."""
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(RUNNING, 0, time.time() - self.retention_s)
        pipe.zcard(QUEUE)
        pipe.zcard(RUNNING)
        pipe.hgetall(STATS)
        _, queued, running, totals = pipe.execute()
        counts = {"queued": int(queued), "running": int(running)}
        for name in ("submitted", "succeeded", "failed", "cancelled"):
            counts[name] = int(totals.get(name.encode(), 0))
        return counts

    # --- cancellation --------------------------------------------------------------------------

    def request_cancel(self, job_id: str) -> None:
        self.redis.set(f"{PREFIX}cancel:{job_id}", "1", ex=self.retention_s)

    def cancel_requested(self, job_id: str) -> bool:
        return bool(self.redis.exists(f"{PREFIX}cancel:{job_id}"))

    # --- results -------------------------------------------------------------------------------

    def put_map(self, job_id: str, topic_map: TopicMap) -> int:
        """Stored gzip-framed, so the API can send the bytes as they are (``Content-Encoding: gzip``).

        Returns the bytes stored."""
        data = gzip_bytes(topic_map.model_dump_json().encode())
        self.redis.set(f"{PREFIX}map:{job_id}", data, ex=self.retention_s)
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

    def commit_version(self, job_id: str, expected: int, topic_map: TopicMap, entry: MapVersion) -> JobRecord:
        """Store ``topic_map`` as version ``expected + 1`` if the latest is still ``expected``.

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
                updated = record.model_copy(update={"versions": [*record.versions, entry]})
                pipe.multi()
                pipe.set(self._map_key(job_id, entry.number), data, px=max(ttl_ms, 1000))
                pipe.set(key, updated.model_dump_json(), keepttl=True)
                pipe.publish(f"{PREFIX}events:{job_id}", updated.model_dump_json())
                pipe.execute()
            except redis.WatchError:
                current = self.get(job_id)
                raise StaleVersion(current.latest_version if current else 0) from None
        return updated

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
        return len(data)

    def get_assignments(self, job_id: str) -> bytes | None:
        return self.redis.get(f"{PREFIX}assignments:{job_id}")  # type: ignore[return-value]

    def purge(self, record: JobRecord) -> None:
        """Delete a finished job and what only it holds: record, map, renderings, cancel flag.

        The corpus and its embeddings are shared by every job on the same content (any key's), so
        they stay until they expire; the job's bytes stop counting against its key's quota.
        """
        pipe = self.redis.pipeline()
        for kind in ("job", "map", "artifacts", "assignments", "cancel"):
            pipe.delete(f"{PREFIX}{kind}:{record.id}")
        for version in record.versions:
            pipe.delete(self._map_key(record.id, version.number))
        pipe.zrem(f"{PREFIX}jobs:{record.owner}", record.id)
        pipe.zrem(WEBHOOKS, record.id)
        pipe.execute()

    def put_embeddings(self, corpus: str, model: str, data: bytes) -> int:
        """Store the embeddings; returns the bytes stored."""
        blob = zlib.compress(data, 1)
        self.redis.set(self._embedding_key(corpus, model), blob, ex=self.retention_s)
        return len(blob)

    def get_embeddings(self, corpus: str, model: str) -> bytes | None:
        data = self.redis.get(self._embedding_key(corpus, model))
        return zlib.decompress(data) if data else None  # type: ignore[arg-type]

    @staticmethod
    def _embedding_key(corpus: str, model: str) -> str:
        return f"{PREFIX}embeddings:{corpus}:{hashlib.sha256(model.encode()).hexdigest()[:16]}"

    def put_vectors(self, model: str, texts: Sequence[str], rows: Sequence[bytes]) -> int:
        """Store one embedding (bytes) per text; returns the bytes stored."""
        pipe = self.redis.pipeline(transaction=False)
        for key, row in zip(self._vector_keys(model, texts), rows, strict=True):
            pipe.set(key, row, ex=self.retention_s)
        pipe.execute()
        return sum(len(row) for row in rows)

    def get_vectors(self, model: str, texts: Sequence[str], chunk: int = 2000) -> list[bytes | None]:
        """The stored embedding of each text, or None; their lifetime restarts (they are in use)."""
        keys = self._vector_keys(model, texts)
        found: list[bytes | None] = []
        for start in range(0, len(keys), chunk):
            found.extend(self.redis.mget(keys[start : start + chunk]))
        pipe = self.redis.pipeline(transaction=False)
        for key, row in zip(keys, found, strict=True):
            if row is not None:
                pipe.expire(key, self.retention_s)
        pipe.execute()
        return found

    def _vector_keys(self, model: str, texts: Sequence[str]) -> list[str]:
        prefix = f"{PREFIX}vec:{hashlib.sha256(model.encode()).hexdigest()[:16]}:"
        return [prefix + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest() for text in texts]

    def record_duration(self, seconds: float, documents: int) -> None:
        pipe = self.redis.pipeline()
        pipe.lpush(f"{PREFIX}durations", f"{seconds:.3f} {documents}")
        pipe.ltrim(f"{PREFIX}durations", 0, RECENT_DURATIONS - 1)
        pipe.expire(f"{PREFIX}durations", self.retention_s)
        pipe.execute()

    def recent_durations(self) -> list[tuple[float, int]]:
        values = self.redis.lrange(f"{PREFIX}durations", 0, -1)
        pairs = (v.decode().split() for v in values)  # type: ignore[union-attr]
        return [(float(s), int(n)) for s, n in pairs]

    # --- webhooks ------------------------------------------------------------------------------

    def claim_due_webhooks(self, lease_s: float, limit: int = 20) -> list[str]:
        now = time.time()
        due = self.redis.eval(CLAIM_DUE, 1, WEBHOOKS, now, now + lease_s, limit)  # type: ignore[no-untyped-call]
        return [d.decode() for d in due]

    def schedule_webhook(self, job_id: str, at: float) -> None:
        self.redis.zadd(WEBHOOKS, {job_id: at})

    def drop_webhook(self, job_id: str) -> None:
        self.redis.zrem(WEBHOOKS, job_id)

    # --- workers -------------------------------------------------------------------------------

    def beat(self, name: str, job_id: str | None) -> None:
        now = time.time()
        ttl = int(3 * HEARTBEAT_INTERVAL_S)
        pipe = self.redis.pipeline()
        pipe.set(f"{PREFIX}worker:{name}", json.dumps({"name": name, "at": now, "job": job_id}), ex=ttl)
        pipe.zadd(WORKERS, {name: now})
        pipe.zremrangebyscore(WORKERS, 0, now - ttl)
        pipe.expire(WORKERS, ttl)
        pipe.execute()

    def workers(self) -> list[dict[str, Any]]:
        """Heartbeats of the workers heard from within their key's lifetime (no key scan)."""
        names = [n.decode() for n in self.redis.zrange(WORKERS, 0, -1)]  # type: ignore[union-attr]
        beats = self.redis.mget([f"{PREFIX}worker:{n}" for n in names]) if names else []
        return [json.loads(b) for b in beats if b]  # type: ignore[arg-type]

    # --- idempotency ---------------------------------------------------------------------------

    def remember_idempotency_key(self, owner: str, key: str, job_id: str, request_hash: str) -> tuple[str, str] | None:
        """Store key → job; if the key was used before, return the earlier (job id, request hash)."""
        redis_key = f"{PREFIX}idempotency:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"
        if self.redis.set(redis_key, f"{job_id} {request_hash}", nx=True, ex=24 * 3600):
            return None
        previous = self.redis.get(redis_key)
        earlier_job, earlier_hash = previous.decode().split(" ", 1)  # type: ignore[union-attr]
        return earlier_job, earlier_hash

    def ping(self) -> bool:
        return bool(self.redis.ping())


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """gzip with a fixed timestamp: the same content always gives the same bytes (and ETag)."""
    return gzip.compress(data, compresslevel=level, mtime=0)


def gzip_written(write: Callable[[BinaryIO], object], level: int = 6) -> bytes:
    """gzip bytes of what ``write`` writes to the stream it is given (fixed timestamp, as
    :func:`gzip_bytes`): a large rendering is compressed as it is made, never held uncompressed."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=level, mtime=0) as stream:
        write(cast(BinaryIO, stream))
    return buffer.getvalue()


def inflate(data: bytes) -> bytes:
    """Decompress gzip- or zlib-framed bytes (wbits 47 detects the header)."""
    return zlib.decompress(data, 47)


def is_terminal(state: JobState) -> bool:
    return state in TERMINAL_STATES
