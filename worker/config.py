"""Worker settings, from the environment (``TOPICMAP_*``) or ``.env``."""

from __future__ import annotations

import functools
import socket
from typing import Literal

from pydantic import Field

from topicmap.settings import SharedSettings


class WorkerSettings(SharedSettings):
    """The shared settings (topicmap/settings.py) and the worker's own."""

    job_deadline_s: int = Field(default=3600, ge=10, description="A job running longer is stopped and failed.")
    visibility_timeout_s: int | None = Field(
        default=None, description="Seconds before an unacknowledged job is redelivered; default 2 × deadline."
    )
    restore_interval_s: int = Field(default=10, ge=1, description="How often workers look for jobs to redeliver.")
    heartbeat_timeout_s: float = Field(default=30, description="A running job silent this long has lost its worker.")
    worker_name: str = Field(default_factory=socket.gethostname)
    warm_up: bool = Field(default=True, description="Load the model and compile UMAP's JIT at start.")
    role: Literal["jobs", "queries", "webhooks"] = Field(
        default="jobs",
        description="jobs: map jobs and shards (the default queue); queries: a worker for the `queries` queue "
        "(search queries), which only loads the model at start and sends no job heartbeat; webhooks: the "
        "worker for the `webhooks` queue (deliveries, with an embedded beat that relays due ones), no model.",
    )
    webhook_relay_s: float = Field(default=2, gt=0, description="How often the webhook worker relays due webhooks.")
    archive_retry_s: float = Field(
        default=60, gt=0, description="How often the webhook worker archives again kept maps whose archiving failed."
    )
    shard_threshold: int = Field(
        default=20_000, ge=1, description="Jobs with more distinct documents have their embedding spread over workers."
    )
    shard_size: int = Field(default=5_000, ge=1, description="Distinct documents per shard of a spread job.")

    @property
    def visibility_timeout(self) -> int:
        return self.visibility_timeout_s or 2 * self.job_deadline_s


@functools.cache
def get_settings() -> WorkerSettings:
    return WorkerSettings()
