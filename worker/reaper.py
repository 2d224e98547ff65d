"""Jobs whose worker died are run again, without waiting for the broker's visibility timeout.

A running job's record carries a heartbeat (its worker writes it every few seconds). When it is
older than ``heartbeat_timeout_s`` and no live worker reports that job as its own, the worker died
mid-job: any live worker (from its heartbeat thread, worker/heartbeat.py) claims it once and sends
the job's task again, by name. The task's own rules then apply (worker/jobs.py): it counts an attempt
and takes the job over, or fails it as ``worker_lost`` after ``MAX_ATTEMPTS``; the broker's own
redelivery, later, finds it finished or running elsewhere and does nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from topicmap.store import JobStore

logger = logging.getLogger("topicmap.worker")


def orphaned_jobs(store: JobStore, heartbeat_timeout_s: float, now: float | None = None) -> list[str]:
    """Running jobs silent for ``heartbeat_timeout_s`` that no live worker says it runs."""
    now = time.time() if now is None else now
    live = {(beat.get("name"), beat.get("job")) for beat in store.workers()}
    orphans = []
    for job_id in store.running_ids():
        record = store.get(job_id)
        if record is None or record.state != "running":
            continue
        if now - (record.heartbeat_at or record.started_at or 0) < heartbeat_timeout_s:
            continue
        if (record.worker, job_id) in live:
            continue
        orphans.append(job_id)
    return orphans


def reap(store: JobStore, heartbeat_timeout_s: float, requeue: Callable[[str], None]) -> list[str]:
    """Send each orphaned job's task again (once across workers); returns their ids."""
    reaped = []
    for job_id in orphaned_jobs(store, heartbeat_timeout_s):
        if store.claim_reap(job_id, heartbeat_timeout_s):
            logger.warning("job's worker stopped heartbeating: queued again", extra={"job_id": job_id})
            requeue(job_id)
            reaped.append(job_id)
    return reaped
