"""The webhook task's pure parts: backoff with jitter, and what the next state is after an attempt."""

from __future__ import annotations

import pytest

from topicmap.delivery import next_state
from topicmap.schemas import CallbackAttempt
from topicmap.settings import SharedSettings
from worker.webhooks import backoff_s


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    for attempt, full in ((1, 10), (2, 20), (3, 40), (4, 80), (30, 600)):
        delays = [backoff_s(attempt, 10) for _ in range(200)]
        assert all(full / 2 <= d <= full for d in delays)
        assert max(delays) - min(delays) > full / 10  # jittered, not all the same


SETTINGS = SharedSettings(webhook_max_attempts=3, webhook_retry_s=100)


@pytest.mark.parametrize(
    ("status", "error", "number", "age", "expected"),
    [
        (204, None, 1, 0, "delivered"),
        (500, "HTTP 500", 1, 0, "pending"),
        (500, "HTTP 500", 3, 0, "failed"),  # out of attempts
        (None, "timeout after 5 s", 1, 95, "failed"),  # the next attempt would come too late
        (None, "dns: no such host", 1, 0, "pending"),  # DNS is retried like the network
        (None, "refused: private address", 1, 0, "failed"),  # never retried
    ],
)
def test_next_state(status: int | None, error: str | None, number: int, age: float, expected: str) -> None:
    attempt = CallbackAttempt(at=0, status=status, error=error, duration_ms=1)
    assert next_state(attempt, number, age, 10, SETTINGS) == expected
