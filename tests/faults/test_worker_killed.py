"""A worker SIGKILLed at each stage of a job (embed, reduce, cluster, label, store): the job is taken
over by the next worker and succeeds on its second attempt; the slot is freed; nothing else moves."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.conftest import assert_undisturbed, final_state, log_has, running_worker, submit, wait_exit
from tests.integration.servers import Api, Redis

pytestmark = pytest.mark.integration
KILLED_AT = ("embed", "reduce", "cluster", "label", "store")


def test_a_worker_killed_at_each_stage_leaves_a_job_that_the_next_worker_finishes(
    fault_api: Api, fault_redis: Redis, fault_dir: Path, bystander: tuple[str, bytes]
) -> None:
    # Each worker dies at its stage on a job's first attempt and, started, first takes over the job
    # the previous worker died on (its second attempt: no failpoint), then gets the next job.
    outcomes: dict[str, dict[str, object]] = {}
    orphan: tuple[str, str] | None = None
    with fault_api.client() as client:
        for index, stage in enumerate((*KILLED_AT, None)):
            failpoint = {"TOPICMAP_FAILPOINTS": f"{stage}=kill"} if stage else {}
            with running_worker(fault_redis, fault_dir, f"killed-at-{stage or 'none'}", **failpoint) as worker:
                if orphan is not None:
                    killed_stage, job = orphan
                    outcomes[killed_stage] = final_state(client, job)
                if stage is None:
                    break
                job = submit(client, 60, offset=60 * index)
                wait_exit(worker)
                assert log_has(worker, f'"point": "{stage}"')
                assert client.get(f"/api/jobs/{job}").json()["state"] == "running"  # as the worker left it
                orphan = (stage, job)
    for stage in KILLED_AT:
        status = outcomes[stage]
        assert status["state"] == "succeeded", (stage, status)
        assert status["attempts"] == 2, (stage, status)
    assert_undisturbed(fault_api, bystander)
