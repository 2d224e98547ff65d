"""The Celery tasks, thin shells around :func:`worker.jobs.execute_job` and :func:`worker.shards.run_shard_task`,
and the worker's start-up hooks."""

from __future__ import annotations

import functools
import logging
from typing import Any

from celery import group, signals

from topicmap.logs import configure_logging
from topicmap.models import configure_models
from topicmap.schemas import (
    DEFAULT_MODEL,
    TASK_DELIVER_WEBHOOK,
    TASK_EMBED_QUERY,
    TASK_EMBED_SHARD,
    TASK_RELAY_WEBHOOKS,
    TASK_RETRY_ARCHIVES,
    TASK_RUN_JOB,
    WEBHOOK_QUEUE,
)
from topicmap.store import JobStore
from worker.celery_app import create_celery
from worker.config import get_settings
from worker.heartbeat import Heartbeat
from worker.jobs import execute_job
from worker.shards import Sharding, run_shard_task

celery = create_celery()
_heartbeat: list[Heartbeat] = []
configure_models(get_settings().models, allow_paths=False)  # jobs name a model; they never give a path


@functools.cache
def get_store() -> JobStore:
    settings = get_settings()
    return JobStore.from_url(settings.redis_url, retention_s=settings.retention_s)


@celery.task(name=TASK_RUN_JOB, ignore_result=True)  # the outcome is the job record
def run_job(job_id: str) -> dict[str, Any]:
    """Run the stored job ``job_id``: the message carries only the id."""
    settings = get_settings()
    sharding = Sharding(
        threshold=settings.shard_threshold,
        size=settings.shard_size,
        stale_s=settings.heartbeat_timeout_s,
        dispatch=dispatch_shards,
    )
    return execute_job(
        get_store(),
        job_id,
        worker_name=settings.worker_name,
        deadline_s=settings.job_deadline_s,
        heartbeat_timeout_s=settings.heartbeat_timeout_s,
        sharding=sharding,
    )


@celery.task(name=TASK_EMBED_SHARD, ignore_result=True)
def embed_shard(job_id: str, index: int) -> dict[str, Any]:
    """Embed shard ``index`` of job ``job_id`` (and any other shard of it left unclaimed)."""
    from topicmap.pipeline.encoders import load_encoder

    settings = get_settings()
    return run_shard_task(
        get_store(),
        job_id,
        index,
        worker=settings.worker_name,
        stale_s=settings.heartbeat_timeout_s,
        load=load_encoder,
    )


@celery.task(name=TASK_EMBED_QUERY)
def embed_query(model: str, texts: list[str]) -> list[list[float]]:
    """Embed a few short texts (search queries) with the model the map was made with; served by the
    query worker (queue ``queries``), which keeps the model loaded. The vectors are also stored per
    text (as a sharded job's are), so a repeated query skips the worker."""
    from worker.queries import embed_texts

    return embed_texts(get_store(), model, texts)


@celery.task(name=TASK_RELAY_WEBHOOKS, ignore_result=True)
def relay_webhooks() -> int:
    """Send a delivery task for each webhook due in the outbox (run by the webhook worker's beat)."""
    from worker.webhooks import relay_due

    return relay_due(get_store(), get_settings(), send_webhook)


@celery.task(name=TASK_RETRY_ARCHIVES, ignore_result=True)
def retry_archives() -> int:
    """Archive again the kept maps whose archiving failed (run by the webhook worker's beat)."""
    from topicmap.kept import retry_archives as archive_again

    settings = get_settings()
    return archive_again(get_store(), settings.archive(), settings.archive_retry_s)


@celery.task(name=TASK_DELIVER_WEBHOOK, bind=True, ignore_result=True, max_retries=None)
def deliver_webhook(self: Any, job_id: str, attempt: int = 1) -> None:
    """Attempt ``attempt`` of a job's webhook; the next one is a Celery retry after a backoff."""
    from worker.webhooks import deliver

    delay = deliver(get_store(), get_settings(), job_id, attempt)
    if delay is not None:
        raise self.retry(kwargs={"job_id": job_id, "attempt": attempt + 1}, countdown=delay, queue=WEBHOOK_QUEUE)


def send_webhook(job_id: str, attempt: int) -> None:
    celery.send_task(TASK_DELIVER_WEBHOOK, kwargs={"job_id": job_id, "attempt": attempt}, queue=WEBHOOK_QUEUE)


def dispatch_shards(job_id: str, count: int) -> None:
    """One task per shard, by name, as a Celery group: any worker takes any shard."""
    group(celery.signature(TASK_EMBED_SHARD, kwargs={"job_id": job_id, "index": i}) for i in range(count)).apply_async()


@signals.setup_logging.connect
def _logging(**_: Any) -> None:
    configure_logging()
    if get_settings().role == "webhooks":  # the relay runs every few seconds: log attempts, not tasks
        for name in ("celery.app.trace", "celery.worker.strategy", "celery.beat"):
            logging.getLogger(name).setLevel(logging.WARNING)


@signals.worker_init.connect
def _warm_up(**_: Any) -> None:
    settings = get_settings()
    if settings.role == "webhooks":
        return  # no model: it only makes HTTP calls
    from topicmap.pipeline.cores import use_cores

    logging.getLogger("topicmap").info(f"using {use_cores()} CPU cores", extra={"role": settings.role})
    if settings.warm_up and settings.role == "queries":
        from worker.queries import loaded_encoder

        loaded_encoder(DEFAULT_MODEL).encode(["warm up"])
    elif settings.warm_up:
        from topicmap.pipeline.warmup import warm_up

        warm_up()
    if settings.warm_up:
        from topicmap.pipeline.encoders import load_encoder

        choice = load_encoder(DEFAULT_MODEL).choice  # chosen once per machine (topicmap/pipeline/backends.py)
        if choice is not None:
            logging.getLogger("topicmap").info(
                f"embedding backend {choice.backend}: {choice.reason}",
                extra={"backend": choice.backend, "reason": choice.reason, "docs_per_s": choice.docs_per_s},
            )


@signals.worker_ready.connect
def _start_heartbeat(**_: Any) -> None:
    if get_settings().role != "jobs":
        return  # readiness counts workers that run jobs
    settings = get_settings()
    heartbeat = Heartbeat(
        get_store(),
        settings.worker_name,
        requeue=lambda job_id: celery.send_task(TASK_RUN_JOB, kwargs={"job_id": job_id}),
        heartbeat_timeout_s=settings.heartbeat_timeout_s,
    )
    heartbeat.start()
    _heartbeat.append(heartbeat)


@signals.worker_shutdown.connect
def _stop_heartbeat(**_: Any) -> None:
    for heartbeat in _heartbeat:
        heartbeat.stop()
