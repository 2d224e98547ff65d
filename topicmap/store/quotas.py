"""What one owner's jobs hold in Redis, for the per-key limits."""

from __future__ import annotations

from dataclasses import dataclass

from topicmap.schemas import TERMINAL_STATES, JobRecord
from topicmap.store.base import (
    PREFIX,
    StoreBase,
)


@dataclass
class Usage:
    """What one API key's kept jobs hold in Redis."""

    jobs: int = 0
    active: int = 0
    stored_bytes: int = 0
    oldest_created_at: float | None = None


class Quotas(StoreBase):
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
