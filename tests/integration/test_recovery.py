"""Failures of the parts around a job: a worker killed mid-job, Redis restarted with a job queued."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import WORKER_ENV, sample_documents, submit, unqueued_job, wait_state, wait_until_idle
from tests.integration.servers import Redis, Worker
from topicmap.schemas import PipelineParams
from topicmap.store import JobStore

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


def test_a_job_whose_worker_died_is_reaped_and_run_again(
    client: httpx.Client, worker: Worker, redis_server: Redis
) -> None:
    """A job left running by a worker that is gone (no message will come back for it: here there
    never was one) is found by a live worker's heartbeat and run again (worker/reaper.py)."""
    wait_until_idle(client)
    store = JobStore.from_url(redis_server.url)
    documents = sample_documents(60, offset=700)
    sha = store.put_corpus([d["text"] for d in documents], [d["id"] for d in documents], [{} for _ in documents])
    job_id = unqueued_job(store, corpus=sha, params=PipelineParams(min_topic_size=5))
    store.update(job_id, state="running", worker="ghost-worker", attempts=1, heartbeat_at=time.time() - 600)
    final = wait_state(client, job_id, {"succeeded", "failed", "cancelled"}, timeout=120)
    assert final["state"] == "succeeded" and final["attempts"] == 2 and final["worker"] == "worker-1"
