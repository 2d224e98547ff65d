"""Queueing jobs by task name: the API never imports the worker's task or pipeline."""

from __future__ import annotations

import functools

from celery import Celery

from api.config import get_settings
from worker.contracts import TASK_RUN_JOB


@functools.cache
def get_celery() -> Celery:
    settings = get_settings()
    app = Celery("topicmap-api", broker=settings.redis_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        broker_connection_timeout=5,
        broker_transport_options={"socket_connect_timeout": 5, "socket_timeout": 30},
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
    )
    return app


def enqueue(job_id: str) -> None:
    """Send the job by name; the message carries only the job id (the corpus stays in Redis)."""
    get_celery().send_task(TASK_RUN_JOB, kwargs={"job_id": job_id}, task_id=job_id)
