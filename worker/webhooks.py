"""Webhook deliveries as Celery tasks on their own queue (``webhooks``), served by the webhook worker.

When a job with a callback reaches a final state, the job store records it in the ``tm:webhooks``
outbox (a sorted set by due time) in the same transaction as the state change, wherever that change
happened (a worker finishing, the API cancelling a queued job, the reaper failing one). A Celery beat
schedule in the webhook worker runs :func:`relay_due` every few seconds: it claims the due ids
(atomically, pushing them a lease ahead) and sends one delivery task each. :func:`deliver` makes one
attempt and says when the next should be; the task then asks Celery to retry it (exponential backoff
with jitter, bounded by ``webhook_max_attempts`` and ``webhook_retry_s``). Each attempt is numbered:
a duplicate message (a redelivery, a relay racing a retry) finds its number taken and does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable

from topicmap.delivery import attempt_delivery, next_state
from topicmap.settings import SharedSettings
from topicmap.store import JobStore

logger = logging.getLogger("topicmap.worker")
LEASE_GRACE_S = 30.0
"""How long past an attempt's timeout (or its retry's due time) the outbox waits before the relay
decides the task was lost and sends it again."""
MAX_DELAY_S = 600.0


def backoff_s(attempt: int, base_s: float) -> float:
    """The delay after attempt ``attempt``: base × 2^(attempt−1), capped at 10 minutes, with "equal
    jitter" (between half and all of it) so receivers that failed together are not retried together."""
    delay = min(base_s * 2 ** (attempt - 1), MAX_DELAY_S)
    return float(delay / 2 + random.uniform(0, delay / 2))


def relay_due(store: JobStore, settings: SharedSettings, send: Callable[[str, int], None], limit: int = 50) -> int:
    """Send a delivery task for each due webhook in the outbox; how many were sent."""
    lease = settings.webhook_timeout_s + LEASE_GRACE_S
    sent = 0
    for job_id in store.claim_due_webhooks(lease, limit):
        record = store.get(job_id)
        if record is None or record.callback is None or record.callback.state != "pending":
            store.drop_webhook(job_id)
            continue
        send(job_id, len(record.callback.attempts) + 1)
        sent += 1
    return sent


def deliver(store: JobStore, settings: SharedSettings, job_id: str, number: int) -> float | None:
    """Make attempt ``number`` of the job's webhook; the delay before the next one, or None when
    there is none (delivered, failed for good, or this message was a duplicate)."""
    record = store.get(job_id)
    if record is None or record.callback is None or record.callback.state != "pending":
        store.drop_webhook(job_id)
        return None
    if len(record.callback.attempts) + 1 != number:  # an attempt made (or skipped) already
        return None
    lease = settings.webhook_timeout_s + LEASE_GRACE_S
    if not store.claim_webhook_attempt(job_id, number, lease):  # another copy of this message runs it
        return None
    store.schedule_webhook(job_id, time.time() + lease)  # the relay leaves it alone while it runs
    attempt = asyncio.run(attempt_delivery(record, settings))
    delay = backoff_s(number, settings.webhook_backoff_s)
    age = time.time() - (record.finished_at or time.time())
    state = next_state(attempt, number, age, delay, settings)
    current = store.get(job_id)
    if current is None or current.callback is None:  # purged meanwhile
        store.drop_webhook(job_id)
        return None
    callback = current.callback.model_copy(update={"attempts": [*current.callback.attempts, attempt], "state": state})
    store.update(job_id, callback=callback)
    logger.info(
        "webhook attempt",
        extra={"job_id": job_id, "attempt": number, "status": attempt.status, "error": attempt.error, "state": state},
    )
    if state != "pending":
        store.drop_webhook(job_id)
        return None
    store.schedule_webhook(job_id, time.time() + delay + lease)  # the retry's due time, and its lease
    return delay
