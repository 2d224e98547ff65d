"""A thread that tells Redis this worker is alive, and which job it runs, every few seconds."""

from __future__ import annotations

import logging
import threading
import time

from topicmap.store import HEARTBEAT_INTERVAL_S, JobStore
from worker.jobs import running_job

logger = logging.getLogger("topicmap.worker")


class Heartbeat(threading.Thread):
    def __init__(self, store: JobStore, name: str, interval_s: float = HEARTBEAT_INTERVAL_S) -> None:
        super().__init__(name="topicmap-heartbeat", daemon=True)
        self.store = store
        self.worker_name = name
        self.interval_s = interval_s
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                job_id = running_job["id"]
                self.store.beat(self.worker_name, job_id)
                if job_id:
                    self.store.update(job_id, heartbeat_at=time.time())
            except Exception:  # Redis briefly away: keep beating, the API reports the gap
                logger.warning("heartbeat failed", exc_info=True)
            self.stopped.wait(self.interval_s)

    def stop(self) -> None:
        self.stopped.set()
