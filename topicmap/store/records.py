"""Job records and their states: create, read, change atomically, list, queue, cancel."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, cast

import redis

from topicmap.errors import IllegalTransition
from topicmap.schemas import TERMINAL_STATES, JobRecord, JobState
from topicmap.store.base import (
    PREFIX,
    QUEUE,
    QUEUE_EVENTS,
    RECENT_DURATIONS,
    RUNNING,
    STATS,
    WEBHOOKS,
    StoreBase,
)

NEXT_STATES: dict[str, set[str]] = {
    "queued": {"running", "cancelled", "failed"},
    "running": {"succeeded", "failed", "cancelled"},
    "succeeded": set(),
    "failed": set(),
    "cancelled": set(),
}
"""The job state machine, checked inside the same WATCH/MULTI as the write: final states are final,
so a stale cancel cannot flip a job that succeeded, nor a late worker a job that was cancelled."""

# Delete the key only while it still names this job (compare and delete, atomically).
RELEASE_IF_OURS = """
local value = redis.call('GET', KEYS[1])
if value and string.sub(value, 1, string.len(ARGV[1])) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class JobRecords(StoreBase):
    def create(self, record: JobRecord) -> None:
        oldest = record.created_at - self.retention_s
        owned = f"{PREFIX}jobs:{record.owner}"
        pipe = self.redis.pipeline()
        pipe.set(f"{PREFIX}job:{record.id}", record.model_dump_json(), ex=self.retention_s)
        for key in (owned, QUEUE):
            pipe.zadd(key, {record.id: record.created_at})
            pipe.expire(key, self.retention_s)
        pipe.zremrangebyscore(QUEUE, 0, oldest)  # ids whose records have expired
        pipe.zrangebyscore(owned, 0, oldest)
        pipe.hincrby(STATS, "submitted", 1)
        old = [i.decode() for i in pipe.execute()[-2]]
        if old:
            self._forget_expired(owned, old)

    def _forget_expired(self, owned: str, old: list[str]) -> None:
        """Drop from an owner's list those of ``old`` (ids older than the retention) whose records have
        expired; a record kept longer (a kept map whose archive copy is behind, topicmap/store/copies.py)
        stays listed."""
        pipe = self.redis.pipeline()
        for job_id in old:
            pipe.exists(f"{PREFIX}job:{job_id}")
        gone = [job_id for job_id, exists in zip(old, pipe.execute(), strict=True) if not exists]
        if gone:
            self.redis.zrem(owned, *gone)

    def get(self, job_id: str) -> JobRecord | None:
        data = self.redis.get(f"{PREFIX}job:{job_id}")
        return JobRecord.model_validate_json(data) if data else None  # type: ignore[arg-type]

    def update(self, job_id: str, **changes: Any) -> JobRecord | None:
        """Change fields of a record atomically (optimistic locking on the record key)."""
        return self.change(job_id, lambda _: changes)

    def add_stored_bytes(self, job_id: str, stored: int) -> JobRecord | None:
        """Count ``stored`` more bytes toward the job's (and so its owner's) quota, atomically."""
        return self.change(job_id, lambda record: {"stored_bytes": record.stored_bytes + stored})

    def change(
        self, job_id: str, changes_of: Callable[[JobRecord], dict[str, Any]], *, keep_ttl: bool = False
    ) -> JobRecord | None:
        """Change fields of a record atomically: ``changes_of`` gets the record as it is and says what
        changes (retried when another writer came first). A state change the machine does not allow
        (:data:`NEXT_STATES`) raises :class:`IllegalTransition` and writes nothing. ``keep_ttl``: the
        record expires when it would have (a change that must not outlive the job's map: a new name)."""
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
                    record = before.model_copy(update=changes_of(before))
                    if record.state != before.state and record.state not in NEXT_STATES[before.state]:
                        pipe.unwatch()
                        raise IllegalTransition(before.state, record.state)
                    JobRecord.model_validate(record.model_dump())  # changes must keep the record valid
                    payload = record.model_dump_json()
                    pipe.multi()
                    if keep_ttl:
                        pipe.set(key, payload, keepttl=True)
                    else:
                        pipe.set(key, payload, ex=self.retention_s)
                    if record.state != "queued":
                        pipe.zrem(QUEUE, job_id)
                    if record.state != before.state:
                        self._count_transition(pipe, job_id, before.state, record.state)
                        if record.callback is not None and record.state in TERMINAL_STATES:
                            pipe.zadd(WEBHOOKS, {job_id: time.time()})  # the outbox (worker/webhooks.py)
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

    def request_cancel(self, job_id: str) -> None:
        self.redis.set(f"{PREFIX}cancel:{job_id}", "1", ex=self.retention_s)

    def cancel_requested(self, job_id: str) -> bool:
        return bool(self.redis.exists(f"{PREFIX}cancel:{job_id}"))

    def remember_idempotency_key(self, owner: str, key: str, job_id: str, request_hash: str) -> tuple[str, str] | None:
        """Store key → job; if the key was used before, return the earlier (job id, request hash)."""
        redis_key = f"{PREFIX}idempotency:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"
        if self.redis.set(redis_key, f"{job_id} {request_hash}", nx=True, ex=24 * 3600):
            return None
        previous = self.redis.get(redis_key)
        earlier_job, earlier_hash = previous.decode().split(" ", 1)  # type: ignore[union-attr]
        return earlier_job, earlier_hash

    def running_ids(self) -> list[str]:
        """The jobs that are running now (or were, when their worker died)."""
        return [i.decode() for i in self.redis.zrange(RUNNING, 0, -1)]  # type: ignore[union-attr]

    def claim_reap(self, job_id: str, ttl_s: float) -> bool:
        """One worker requeues an orphaned job: the first to claim it for ``ttl_s`` seconds."""
        return bool(self.redis.set(f"{PREFIX}reap:{job_id}", "1", nx=True, ex=max(1, int(ttl_s))))

    def forget_idempotency_key(self, owner: str, key: str, job_id: str) -> None:
        """Release a key claimed for ``job_id`` (the request was refused: a retry may use it again)."""
        redis_key = f"{PREFIX}idempotency:{owner}:{hashlib.sha256(key.encode()).hexdigest()}"
        self.redis.eval(RELEASE_IF_OURS, 1, redis_key, job_id + " ")  # type: ignore[no-untyped-call]

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


def is_terminal(state: JobState) -> bool:
    return state in TERMINAL_STATES
