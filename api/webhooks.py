"""Delivering webhooks from the API processes, never from a worker.

When a job with a ``callback`` reaches a final state, the job store puts its id in the ``tm:webhooks``
sorted set (due now). Every API process runs :class:`WebhookSender`: once a second it claims the due
ids (a Lua script moves them a lease into the future, so two processes never send the same attempt
and a process that dies mid-delivery leaves the job to another after the lease), POSTs the signed
body with a hard timeout, records the attempt in the job record, and either drops the id (delivered,
or out of attempts/time) or schedules the next attempt with exponential backoff.

Why here: delivery is network I/O that can hang; in the solo worker it would hold up the next job,
and behind a long job it would wait. An asyncio task in the API costs nothing while it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator

import httpx
from fastapi.concurrency import run_in_threadpool

from api.callbacks import CallbackRefused, UnresolvedHost, check_callback_url, key_secret, sign
from api.config import ApiSettings
from topicmap.schemas import CallbackAttempt, JobRecord
from topicmap.store import JobStore

logger = logging.getLogger("topicmap.api")
CLAIM_INTERVAL_S = 1.0
USER_AGENT = "topicmap-webhooks/1"


def webhook_body(record: JobRecord) -> bytes:
    base = f"/api/jobs/{record.id}"
    links = {"self": base}
    if record.state == "succeeded":
        links.update(map=f"{base}/map", figure=f"{base}/figure?kind=map", export=f"{base}/export.csv")
    body = {
        "event": f"job.{record.state}",
        "job_id": record.id,
        "state": record.state,
        "finished_at": record.finished_at,
        "documents": record.documents.used,
        "error": record.error.model_dump() if record.error else None,
        "links": links,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def next_attempt_delay(attempt: int, base_s: float) -> float:
    """Seconds before attempt ``attempt + 1``: base, 2 × base, 4 × base … capped at 10 minutes."""
    return float(min(base_s * 2 ** (attempt - 1), 600.0))


class WebhookSender:
    def __init__(self, store: JobStore, settings: ApiSettings) -> None:
        self.store = store
        self.settings = settings
        self.allowed_hosts = {h.strip() for h in settings.webhook_allowed_hosts.split(",") if h.strip()}
        self.in_flight: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        lease = self.settings.webhook_timeout_s + 30
        async with httpx.AsyncClient(follow_redirects=False, headers={"User-Agent": USER_AGENT}) as http:
            while True:
                try:
                    due = await run_in_threadpool(self.store.claim_due_webhooks, lease)
                    for job_id in due:
                        task = asyncio.create_task(self.deliver(http, job_id))
                        self.in_flight.add(task)
                        task.add_done_callback(self.in_flight.discard)
                except Exception as exc:  # Redis away: try again next tick
                    logger.warning("webhook claim failed", extra={"error": str(exc)})
                await asyncio.sleep(CLAIM_INTERVAL_S)

    async def deliver(self, http: httpx.AsyncClient, job_id: str) -> None:
        record = await run_in_threadpool(self.store.get, job_id)
        if record is None or record.callback is None or record.callback.state != "pending":
            await run_in_threadpool(self.store.drop_webhook, job_id)
            return
        attempt = await self.attempt(http, record)
        callback = record.callback.model_copy(update={"attempts": [*record.callback.attempts, attempt]})
        number = len(callback.attempts)
        delivered = attempt.status is not None and 200 <= attempt.status < 300
        elapsed = time.time() - (record.finished_at or time.time())
        delay = next_attempt_delay(number, self.settings.webhook_backoff_s)
        refused = attempt.error is not None and attempt.error.startswith("refused")
        if delivered:
            callback.state = "delivered"
        elif refused or number >= self.settings.webhook_max_attempts or elapsed + delay > self.settings.webhook_retry_s:
            callback.state = "failed"
        await run_in_threadpool(self.store.update, job_id, callback=callback)
        if callback.state == "pending":
            await run_in_threadpool(self.store.schedule_webhook, job_id, time.time() + delay)
        else:
            await run_in_threadpool(self.store.drop_webhook, job_id)
        logger.info(
            "webhook attempt",
            extra={"job_id": job_id, "attempt": number, "status": attempt.status, "error": attempt.error},
        )

    async def attempt(self, http: httpx.AsyncClient, record: JobRecord) -> CallbackAttempt:
        assert record.callback is not None
        started = time.time()
        body = webhook_body(record)
        timestamp = int(started)
        headers = {
            "Content-Type": "application/json",
            "X-Topicmap-Event": f"job.{record.state}",
            "X-Topicmap-Delivery": f"{record.id}.{len(record.callback.attempts) + 1}",
            "X-Topicmap-Timestamp": str(timestamp),
            "X-Topicmap-Signature": sign(key_secret(self.settings.webhook_secret, record.owner), timestamp, body),
        }
        status, error = None, None
        url = record.callback.url

        async def check_and_post() -> httpx.Response:
            await run_in_threadpool(
                check_callback_url,
                url,
                allow_private=self.settings.webhook_allow_private,
                allowed_hosts=self.allowed_hosts,
            )
            return await http.post(url, content=body, headers=headers, timeout=self.settings.webhook_timeout_s)

        try:  # the whole exchange, the address lookup included, even when bytes trickle in
            response = await asyncio.wait_for(check_and_post(), self.settings.webhook_timeout_s)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except UnresolvedHost as exc:  # DNS may be back next time: retried like a network error
            error = f"dns: {exc}"
        except CallbackRefused as exc:
            error = f"refused: {exc}"
        except (TimeoutError, httpx.TimeoutException):
            error = f"timeout after {self.settings.webhook_timeout_s:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        return CallbackAttempt(
            at=started, status=status, error=error, duration_ms=round((time.time() - started) * 1000, 1)
        )


@contextlib.asynccontextmanager
async def running_sender(store: JobStore, settings: ApiSettings) -> AsyncIterator[None]:
    """Run the sender for the lifetime of the app, when webhooks are enabled."""
    if not settings.webhook_secret:
        yield
        return
    task = asyncio.create_task(WebhookSender(store, settings).run(), name="topicmap-webhooks")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
