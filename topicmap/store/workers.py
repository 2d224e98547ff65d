"""Worker heartbeats and due webhooks: who is alive, what is to be delivered."""

from __future__ import annotations

import json
import time
from typing import Any

from topicmap.store.base import (
    CLAIM_DUE,
    HEARTBEAT_INTERVAL_S,
    PREFIX,
    WEBHOOKS,
    WORKERS,
    StoreBase,
)


class Workers(StoreBase):
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

    def claim_due_webhooks(self, lease_s: float, limit: int = 20) -> list[str]:
        now = time.time()
        due = self.redis.eval(CLAIM_DUE, 1, WEBHOOKS, now, now + lease_s, limit)  # type: ignore[no-untyped-call]
        return [d.decode() for d in due]

    def schedule_webhook(self, job_id: str, at: float) -> None:
        self.redis.zadd(WEBHOOKS, {job_id: at})

    def claim_webhook_attempt(self, job_id: str, number: int, lease_s: float) -> bool:
        """The one delivery task that makes attempt ``number`` (duplicates of its message get False)."""
        key = f"{PREFIX}webhook-attempt:{job_id}:{number}"
        return bool(self.redis.set(key, "1", nx=True, ex=max(int(lease_s * 4), 60)))

    def drop_webhook(self, job_id: str) -> None:
        self.redis.zrem(WEBHOOKS, job_id)

    def ping(self) -> bool:
        return bool(self.redis.ping())
