"""What one owner's jobs hold in Redis, for the per-key limits."""

from __future__ import annotations

from dataclasses import dataclass

from topicmap.schemas import TERMINAL_STATES, JobRecord
from topicmap.store.base import PREFIX
from topicmap.store.ledger import Ledger


@dataclass
class Usage:
    """What one owner has in Redis: jobs kept, jobs queued or running, and every byte they hold
    (their ledger, topicmap/store/ledger.py)."""

    jobs: int = 0
    active: int = 0
    stored_bytes: int = 0


class Quotas(Ledger):
    def owner_usage(self, owner: str) -> Usage:
        """``owner``'s kept jobs, active (queued or running) jobs, and the bytes their ledger holds."""
        ids = [i.decode() for i in self.redis.zrange(f"{PREFIX}jobs:{owner}", 0, -1)]  # type: ignore[union-attr]
        usage = Usage()
        for start in range(0, len(ids), 500):
            for data in self.redis.mget([f"{PREFIX}job:{i}" for i in ids[start : start + 500]]):
                if data:
                    record = JobRecord.model_validate_json(data)  # type: ignore[arg-type]
                    usage.jobs += 1
                    usage.active += record.state not in TERMINAL_STATES
        usage.stored_bytes = self.held(owner).bytes
        return usage
