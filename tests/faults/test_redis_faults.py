"""Redis misbehaving under a running job: restarted, paused (a network partition between the
worker and Redis), full at the moment the map is stored. Each job ends in a final state, the
person's slots are freed, and what was stored before (another person's map) is intact."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.faults.conftest import (
    assert_undisturbed,
    final_state,
    log_has,
    raw,
    running_worker,
    submit,
)
from tests.integration.servers import Api, Redis, wait_for

pytestmark = pytest.mark.integration


def wait_stage(client, job: str, stages: set[str]) -> None:  # type: ignore[no-untyped-def]
    wait_for(lambda: client.get(f"/api/jobs/{job}").json().get("stage") in stages, 120, f"job {job} in {stages}")


def test_redis_restarted_during_a_job(
    fault_api: Api, fault_redis: Redis, fault_dir: Path, bystander: tuple[str, bytes]
) -> None:
    with running_worker(fault_redis, fault_dir, "restart-worker", TOPICMAP_FAILPOINTS="reduce=sleep:3"):
        with fault_api.client() as client:
            job = submit(client, 60, offset=400)
            wait_stage(client, job, {"reduce"})
            fault_redis.restart()  # a clean restart: the AOF brings every key back
            status = final_state(client, job)
            assert status["state"] == "succeeded", status
    assert_undisturbed(fault_api, bystander)


def test_a_partition_between_worker_and_redis(
    fault_api: Api, fault_redis: Redis, fault_dir: Path, bystander: tuple[str, bytes]
) -> None:
    """redis-server stopped (SIGSTOP) for 8 s mid-job: every client's calls hang, then resume."""
    assert fault_redis.process is not None
    with running_worker(fault_redis, fault_dir, "partition-worker", TOPICMAP_FAILPOINTS="reduce=sleep:2"):
        with fault_api.client() as client:
            job = submit(client, 60, offset=460)
            wait_stage(client, job, {"reduce"})
            os.kill(fault_redis.process.pid, signal.SIGSTOP)
            try:
                time.sleep(8)
            finally:
                os.kill(fault_redis.process.pid, signal.SIGCONT)
            status = final_state(client, job)
            assert status["state"] == "succeeded", status
    assert_undisturbed(fault_api, bystander)


def test_redis_full_when_the_map_is_stored(
    fault_api: Api, fault_redis: Redis, fault_dir: Path, bystander: tuple[str, bytes]
) -> None:
    """maxmemory reached just as the worker stores the map (noeviction refuses every write): the job
    is failed as store_full once Redis takes writes again, and a new job then runs normally."""
    store = raw(fault_redis)
    with running_worker(fault_redis, fault_dir, "full-worker", TOPICMAP_FAILPOINTS="store=sleep:3") as worker:
        with fault_api.client() as client:
            job = submit(client, 60, offset=520)
            wait_for(lambda: log_has(worker, '"point": "store"'), 120, "the worker to reach the store failpoint")
            store.config_set("maxmemory", "1")
            try:
                time.sleep(6)  # the store, and the failure record, are refused meanwhile
            finally:
                store.config_set("maxmemory", "0")
            status = final_state(client, job)
            assert status["state"] in {"failed", "succeeded"}, status
            if status["state"] == "failed":
                assert status["error"]["code"] == "store_full", status
            again = submit(client, 60, offset=580)
            assert final_state(client, again)["state"] == "succeeded"
    assert_undisturbed(fault_api, bystander)
