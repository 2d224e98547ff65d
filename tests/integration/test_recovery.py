"""Failures of the parts around a job: a worker killed mid-job, Redis restarted with a job queued."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import WORKER_ENV, sample_documents, submit, wait_state, wait_until_idle
from tests.integration.servers import Redis, Worker

pytestmark = pytest.mark.integration


@pytest.fixture
def replacement(worker: Worker) -> Iterator[list[Worker]]:
    """Workers a test starts in place of the session's; the session worker is back afterwards."""
    started: list[Worker] = []
    yield started
    for process in started:
        process.stop()
    if worker.process is None or worker.process.poll() is not None:
        worker.start()


def test_job_survives_its_worker_being_killed(client: httpx.Client, worker: Worker, replacement: list[Worker]) -> None:
    wait_until_idle(client)
    job_id = submit(client, sample_documents(1500), seed=21)
    status = wait_state(client, job_id, {"running"})
    assert status["attempts"] == 1
    worker.kill()
    assert client.get(f"/api/jobs/{job_id}").json()["state"] == "running"
    second = Worker(worker.redis_url, worker.log, "worker-2", WORKER_ENV)
    second.start()
    replacement.append(second)
    final = wait_state(client, job_id, {"succeeded", "failed", "cancelled"}, timeout=300)
    assert final["state"] == "succeeded" and final["attempts"] == 2


def test_queued_job_survives_a_redis_restart(
    client: httpx.Client, worker: Worker, redis_server: Redis, replacement: list[Worker]
) -> None:
    wait_until_idle(client)
    worker.stop()
    job_id = submit(client, sample_documents(100, offset=700), min_topic_size=5)
    assert client.get(f"/api/jobs/{job_id}").json()["state"] == "queued"
    redis_server.restart()
    restarted = Worker(worker.redis_url, worker.log, "worker-3", WORKER_ENV)
    restarted.start()
    replacement.append(restarted)
    final = wait_state(client, job_id, {"succeeded", "failed", "cancelled"}, timeout=300)
    assert final["state"] == "succeeded" and final["attempts"] == 1
