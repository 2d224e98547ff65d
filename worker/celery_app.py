"""The Celery application: JSON only, late acks, one job at a time, a visibility timeout above the deadline.

Ref: docs.celeryq.dev configuration guide; the reasons are in docs/architecture.md.
"""

from __future__ import annotations

from celery import Celery

from topicmap.schemas import TASK_DELIVER_WEBHOOK, TASK_RELAY_WEBHOOKS, TASK_RETRY_ARCHIVES, WEBHOOK_QUEUE
from worker.config import WorkerSettings, get_settings


def create_celery(settings: WorkerSettings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery("topicmap", broker=settings.redis_url, backend=settings.redis_url, include=["worker.tasks"])
    transport = {
        "visibility_timeout": settings.visibility_timeout,  # > longest job, else it runs twice
        "unacked_restore_interval": settings.restore_interval_s,
        "unacked_restore_throttle": 1,  # redelivery ≈ visibility timeout + interval, not + 10 × interval
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
        "socket_keepalive": True,
        "retry_on_timeout": True,
        "health_check_interval": 25,
    }
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],  # never pickle: whoever can write to Redis could run code
        result_accept_content=["json"],
        task_acks_late=True,  # a worker killed mid-job leaves the message to be redelivered
        task_acks_on_failure_or_timeout=True,  # a failed job is final, not a redelivery loop
        task_reject_on_worker_lost=False,
        worker_prefetch_multiplier=1,  # never hold a second job whose visibility clock ticks
        worker_concurrency=1,
        broker_transport_options=transport,
        result_backend_transport_options={"visibility_timeout": settings.visibility_timeout},
        result_expires=24 * 3600,  # results are tiny; maps live in our own keys
        broker_connection_retry_on_startup=True,
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        worker_send_task_events=False,
        task_send_sent_event=False,
        worker_hijack_root_logger=False,
        task_routes={
            name: {"queue": WEBHOOK_QUEUE} for name in (TASK_DELIVER_WEBHOOK, TASK_RELAY_WEBHOOKS, TASK_RETRY_ARCHIVES)
        },
        # The webhook worker runs this beat (celery worker -B): due webhooks are relayed from the
        # outbox, and kept maps whose archiving failed are archived again.
        beat_schedule={
            "relay-webhooks": {
                "task": TASK_RELAY_WEBHOOKS,
                "schedule": settings.webhook_relay_s,
                "options": {"queue": WEBHOOK_QUEUE, "expires": settings.webhook_relay_s * 5},
            },
            "retry-archives": {
                "task": TASK_RETRY_ARCHIVES,
                "schedule": settings.archive_retry_s,
                "options": {"queue": WEBHOOK_QUEUE, "expires": settings.archive_retry_s},
            },
        },
    )
    return app
