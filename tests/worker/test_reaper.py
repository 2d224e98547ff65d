"""Which running jobs have lost their worker (worker/reaper.py), on a fake store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worker.reaper import orphaned_jobs, reap


@dataclass
class Record:
    state: str
    worker: str
    heartbeat_at: float
    started_at: float = 0.0


@dataclass
class FakeStore:
    records: dict[str, Record]
    beats: list[dict[str, Any]]
    claimed: set[str] = field(default_factory=set)

    def workers(self) -> list[dict[str, Any]]:
        return self.beats

    def running_ids(self) -> list[str]:
        return list(self.records)

    def get(self, job_id: str) -> Record | None:
        return self.records.get(job_id)

    def claim_reap(self, job_id: str, ttl_s: float) -> bool:
        first = job_id not in self.claimed
        self.claimed.add(job_id)
        return first


def test_only_silent_jobs_that_no_live_worker_runs_are_orphans() -> None:
    now = 1000.0
    store = FakeStore(
        records={
            "fresh": Record("running", "w1", heartbeat_at=now - 5),
            "silent-but-reported": Record("running", "w2", heartbeat_at=now - 100),  # w2 says it runs it
            "orphan": Record("running", "gone", heartbeat_at=now - 100),
            "finished": Record("succeeded", "gone", heartbeat_at=now - 100),
        },
        beats=[{"name": "w1", "job": "fresh"}, {"name": "w2", "job": "silent-but-reported"}],
    )
    assert orphaned_jobs(store, 30, now=now) == ["orphan"]  # type: ignore[arg-type]


def test_an_orphan_is_requeued_once_across_workers() -> None:
    store = FakeStore(records={"orphan": Record("running", "gone", heartbeat_at=0.0)}, beats=[])
    sent: list[str] = []
    assert reap(store, 30, sent.append) == ["orphan"]  # type: ignore[arg-type]
    assert reap(store, 30, sent.append) == []  # type: ignore[arg-type]  # another worker, same minute
    assert sent == ["orphan"]
