"""A job's progress as the pipeline reports it: stage, fraction and ETA written to the record
(throttled), with the cancel flag and the deadline checked on every report (the solo pool enforces neither)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError  # type: ignore[attr-defined]  # missing from types-redis
from redis.exceptions import TimeoutError as RedisTimeoutError

from topicmap.schemas import (
    STAGES,
    Progress,
)
from topicmap.store import JobStore
from worker import failpoints

logger = logging.getLogger("topicmap.worker")


STAGE_WEIGHTS = {
    "load_model": 0.02,
    "embed": 0.62,
    "reduce": 0.2,
    "cluster": 0.02,
    "label": 0.04,
    "layout": 0.09,
    "hierarchy": 0.002,
    "score": 0.01,
}


PROGRESS_WRITE_INTERVAL_S = 0.25


class JobCancelled(Exception):
    """The owner cancelled the job."""


class DeadlineExceeded(Exception):
    """The job ran past its deadline."""


REDIS_AWAY = (RedisConnectionError, RedisTimeoutError, OutOfMemoryError)


@dataclass
class ProgressReporter:
    """The pipeline's progress callback: writes progress (throttled), checks cancel and deadline."""

    store: JobStore
    job_id: str
    deadline: float
    skip_embedding: bool = False
    attempt: int = 1
    clock: Callable[[], float] = time.time
    started: float = field(default_factory=time.time)
    _last_write: float = 0.0
    _stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if now > self.deadline:
            raise DeadlineExceeded
        stage_changed = stage != self._stage
        if not stage_changed and now - self._last_write < PROGRESS_WRITE_INTERVAL_S and done != total:
            return
        if self._cancel_requested():
            raise JobCancelled
        if stage_changed:
            logger.info(
                "stage started", extra={"job_id": self.job_id, "stage": stage, "elapsed": round(now - self.started, 3)}
            )
        self._stage, self._last_write = stage, now
        fraction = self.fraction(stage, done, total)
        elapsed = now - self.started
        eta = round(elapsed / fraction * (1 - fraction), 1) if fraction > 0.05 else None
        try:
            self.store.update(
                self.job_id,
                stage=stage,
                progress=Progress(done=done, total=total, fraction=round(fraction, 4)),
                eta_s=eta,
                heartbeat_at=now,
            )
        except REDIS_AWAY:  # progress is best effort: a Redis restart or a full Redis must not stop the work
            logger.warning("progress not written: Redis refused or is unreachable", extra={"job_id": self.job_id})
        if stage_changed:
            failpoints.reached(stage, self.attempt)  # the stage is recorded: a test can see it

    def _cancel_requested(self) -> bool:
        try:
            return self.store.cancel_requested(self.job_id)
        except REDIS_AWAY:  # asked again at the next report
            return False

    def fraction(self, stage: str, done: int, total: int) -> float:
        weights = dict(STAGE_WEIGHTS)
        if self.skip_embedding:
            weights["embed"] = weights["load_model"] = 0.0
        scale = sum(weights.values())
        before = sum(weights[s] for s in STAGES[: STAGES.index(stage)]) if stage in STAGES else 0.0
        within = weights.get(stage, 0.0) * (done / total if total else 0.0)
        return min(1.0, (before + within) / scale)
