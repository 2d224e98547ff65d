"""A thread that tells Redis this worker is alive, and which job it runs, every few seconds; every
few beats it also looks for jobs whose worker died (worker/reaper.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from topicmap.store import HEARTBEAT_INTERVAL_S, JobStore
from worker.jobs import running_job
from worker.reaper import reap

logger = logging.getLogger("topicmap.worker")


REAP_EVERY = 3
"""Beats between two looks for orphaned jobs."""


class Heartbeat(threading.Thread):
    def __init__(
        self,
        store: JobStore,
        name: str,
        interval_s: float = HEARTBEAT_INTERVAL_S,
        *,
        requeue: Callable[[str], None] | None = None,
        heartbeat_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(name="topicmap-heartbeat", daemon=True)
        self.store = store
        self.worker_name = name
        self.interval_s = interval_s
        self.requeue = requeue
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.stopped = threading.Event()

    def run(self) -> None:
        beats = 0
        while not self.stopped.is_set():
            try:
                job_id = running_job["id"]
                self.store.beat(self.worker_name, job_id)
                if job_id:
                    self.store.update(job_id, heartbeat_at=time.time())
                beats += 1
                if self.requeue is not None and beats % REAP_EVERY == 0:
                    reap(self.store, self.heartbeat_timeout_s, self.requeue)
            except Exception:  # Redis briefly away: keep beating, the API reports the gap
                logger.warning("heartbeat failed", exc_info=True)
            self.stopped.wait(self.interval_s)

    def stop(self) -> None:
        self.stopped.set()
