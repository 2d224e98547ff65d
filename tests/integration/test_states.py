"""The job state machine, enforced in Redis (topicmap/store/records.py): final states are final."""

from __future__ import annotations

import time

import httpx
import pytest
import redis

from tests.integration.conftest import unqueued_job
from tests.integration.servers import Redis
from topicmap.errors import IllegalTransition
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


def test_final_states_are_final(redis_server: Redis) -> None:
    store = JobStore.from_url(redis_server.url)
    done = unqueued_job(store, state="succeeded", finished_at=time.time())
    for later in ("cancelled", "failed", "running", "queued"):
        with pytest.raises(IllegalTransition, match="the job is succeeded"):
            store.update(done, state=later)
    record = store.get(done)
    assert record is not None and record.state == "succeeded"
    store.update(done, stored_bytes=record.stored_bytes + 10)  # other fields still change
    cancelled = unqueued_job(store, state="cancelled")
    with pytest.raises(IllegalTransition):
        store.update(cancelled, state="succeeded")  # a late worker cannot revive it
    queued = unqueued_job(store)
    with pytest.raises(IllegalTransition):
        store.update(queued, state="succeeded")  # a job runs before it succeeds


def test_a_stale_cancel_of_a_job_that_succeeded_is_a_409_and_changes_nothing(
    client: httpx.Client, redis_server: Redis
) -> None:
    store = JobStore.from_url(redis_server.url)
    job_id = unqueued_job(store, state="running")
    store.update(job_id, state="succeeded", finished_at=time.time())
    answer = client.delete(f"/api/jobs/{job_id}")
    assert answer.status_code == 409 and "already succeeded" in answer.json()["detail"]
    record = store.get(job_id)
    assert record is not None and record.state == "succeeded"


def test_a_map_that_cannot_be_stored_fails_the_job_as_store_full(redis_server: Redis) -> None:
    """Storing the map is inside the failure handling: a refusal from a full Redis ends the job
    (failed, store_full) instead of leaving it running for good."""
    from redis.exceptions import OutOfMemoryError  # type: ignore[attr-defined]

    from tests.api.maps import small_map
    from topicmap.schemas import TopicMap
    from worker.jobs import execute_job

    class FullStore(JobStore):
        def put_map(self, job_id: str, topic_map: TopicMap) -> int:
            raise OutOfMemoryError("OOM command not allowed when used memory > 'maxmemory'")

    store = FullStore(redis.Redis.from_url(redis_server.url))
    sha = store.put_corpus([f"text {i}" for i in range(9)], [str(i) for i in range(9)], [{} for _ in range(9)])
    job_id = unqueued_job(store, corpus=sha)
    outcome = execute_job(
        store, job_id, worker_name="w", deadline_s=60, heartbeat_timeout_s=30, run=lambda *_, **__: small_map()[0]
    )
    record = store.get(job_id)
    assert outcome["outcome"] == "failed" and record is not None and record.state == "failed"
    assert record.error is not None and record.error.code == "store_full" and "full" in record.error.detail


def test_a_job_that_stopped_its_worker_every_time_fails_as_worker_lost(redis_server: Redis) -> None:
    from topicmap.schemas import MAX_ATTEMPTS
    from worker.jobs import execute_job

    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = unqueued_job(store, state="running", attempts=MAX_ATTEMPTS, heartbeat_at=time.time() - 600)
    outcome = execute_job(store, job_id, worker_name="w2", deadline_s=60, heartbeat_timeout_s=30)
    record = store.get(job_id)
    assert outcome["outcome"] == "failed" and record is not None and record.state == "failed"
    assert record.error is not None and record.error.code == "worker_lost"


def test_a_second_delivery_of_a_running_job_does_nothing(redis_server: Redis) -> None:
    from worker.jobs import execute_job

    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = unqueued_job(store, state="running", attempts=1, worker="w1", heartbeat_at=time.time())
    before = store.get(job_id)
    outcome = execute_job(store, job_id, worker_name="w2", deadline_s=60, heartbeat_timeout_s=30)
    assert outcome["outcome"] == "running elsewhere" and store.get(job_id) == before
