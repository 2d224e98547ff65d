"""Queueing jobs by task name: the API never imports the worker's task or pipeline."""

from __future__ import annotations

import functools

from celery import Celery

from api.config import get_settings
from topicmap.schemas import QUERY_QUEUE, TASK_EMBED_QUERY, TASK_RUN_JOB


@functools.cache
def get_celery() -> Celery:
    settings = get_settings()
    app = Celery("topicmap-api", broker=settings.redis_url, backend=settings.redis_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        broker_connection_timeout=5,
        broker_transport_options={"socket_connect_timeout": 5, "socket_timeout": 30},
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
    )
    return app


def enqueue(job_id: str) -> None:
    """Send the job by name; the message carries only the job id (the corpus stays in Redis)."""
    get_celery().send_task(TASK_RUN_JOB, kwargs={"job_id": job_id}, task_id=job_id)


class ModelNotOffered(ValueError):
    """The query worker does not have the map's embedding model (a 409: the map cannot be queried)."""


class QueryWorkerUnavailable(RuntimeError):
    """The query worker did not embed the query in time (or failed to)."""


def embed_texts(model: str, texts: list[str], timeout_s: float) -> list[list[float]]:
    """A few short texts' embeddings (queries, the poles of an axis) from the query worker."""
    from celery.exceptions import TimeoutError as CeleryTimeout

    result = get_celery().send_task(
        TASK_EMBED_QUERY, kwargs={"model": model, "texts": texts}, queue=QUERY_QUEUE, expires=timeout_s
    )
    try:
        vectors = result.get(timeout=timeout_s, propagate=True)
    except CeleryTimeout:
        result.forget()
        raise QueryWorkerUnavailable(
            f"the query worker (queue {QUERY_QUEUE!r}) did not answer within {timeout_s:g} s; is it running?"
        ) from None
    except Exception as exc:  # the worker's error, e.g. a model it does not have
        if "is not offered here" in str(exc) or type(exc).__name__ == "ModelNotFoundError":
            raise ModelNotOffered(f"the query worker does not have this map's model: {exc}") from None
        raise QueryWorkerUnavailable(f"the query worker could not embed the query: {exc}") from None
    result.forget()
    return [list(vector) for vector in vectors]
