"""Container healthcheck: healthy while this worker's heartbeat is fresh in Redis (exit 0), else 1."""

from __future__ import annotations

import sys

from topicmap.store import JobStore
from worker.config import get_settings


def main() -> int:
    settings = get_settings()
    try:
        beats = JobStore.from_url(settings.redis_url).workers()
    except Exception as exc:
        print(f"unhealthy: redis: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    if any(beat["name"] == settings.worker_name for beat in beats):
        return 0
    print(f"unhealthy: no recent heartbeat from {settings.worker_name}", file=sys.stderr)  # noqa: T201
    return 1


if __name__ == "__main__":
    sys.exit(main())
