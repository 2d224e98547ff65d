"""The API process killed in the middle of an upload, and webhook receivers that hang, reset the
connection or answer 500 forever: nothing half-stored, every job final, everyone else unaffected."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.faults.conftest import (
    API_ENV,
    Receiver,
    assert_undisturbed,
    final_state,
    raw,
    running_worker,
    submit,
    webhook_env,
)
from tests.integration.servers import Api, Redis, Worker, wait_for

pytestmark = pytest.mark.integration


BOUNDARY = "fault-suite-boundary"


def slow_csv(rows: int, sent: list[int]) -> Iterator[bytes]:
    """A multipart upload of a CSV file, sent a little at a time (chunked)."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nid,text\n"
    ).encode()
    for i in range(rows):
        line = f"u{i},an uploaded description number {i} about packages and libraries\n".encode()
        sent[0] += len(line)
        if i % 2000 == 0:
            time.sleep(0.05)
        yield line
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_the_api_killed_during_an_upload_leaves_nothing_half_stored(
    fault_redis: Redis, fault_dir: Path, bystander: tuple[str, bytes], fault_api: Api
) -> None:
    store = raw(fault_redis)
    before = set(store.scan_iter("tm:corpus:*"))
    env = {**API_ENV, "TOPICMAP_MAX_DOCUMENTS": "100000", "TOPICMAP_MAX_UPLOAD_BYTES": "50000000"}
    victim = Api(fault_redis.url, fault_dir / "victim-api.log", extra_env=env)
    victim.start()
    victim.keys = fault_api.keys  # the same people
    sent = [0]
    errors: list[BaseException] = []

    def upload() -> None:
        try:
            with victim.client() as client:
                content_type = f"multipart/form-data; boundary={BOUNDARY}"
                client.post("/api/jobs", content=slow_csv(90_000, sent), headers={"Content-Type": content_type})
        except BaseException as exc:  # the connection dies with the process
            errors.append(exc)

    thread = threading.Thread(target=upload)
    thread.start()
    wait_for(lambda: sent[0] > 1_000_000, 60, "a megabyte of the upload to be sent")
    assert victim.process is not None
    victim.process.kill()  # SIGKILL mid-upload
    victim.process.wait(timeout=20)
    thread.join(timeout=60)
    assert errors and isinstance(errors[0], httpx.TransportError)
    assert set(store.scan_iter("tm:corpus:*")) == before  # no corpus half-stored
    with fault_api.client() as client:  # the service (its other API process) never noticed
        jobs = client.get("/api/jobs", params={"limit": 100}).json()["jobs"]
        assert all(j["documents"]["received"] < 90_000 for j in jobs)
    assert_undisturbed(fault_api, bystander)


@pytest.fixture(scope="module")
def webhook_worker(fault_redis: Redis, fault_dir: Path, receiver: Receiver) -> Iterator[Worker]:
    process = Worker(fault_redis.url, fault_dir / "webhook-worker.log", "webhooks-faults", webhook_env(receiver))
    process.webhooks = True
    process.start()
    yield process
    process.stop()


def test_webhook_receivers_that_hang_reset_or_fail_forever(
    fault_api: Api,
    fault_redis: Redis,
    fault_dir: Path,
    receiver: Receiver,
    webhook_worker: Worker,
    bystander: tuple[str, bytes],
) -> None:
    with running_worker(fault_redis, fault_dir, "webhook-jobs-worker"), fault_api.client() as client:
        jobs = {
            path: submit(client, 60, offset=700 + 60 * i, callback_url=receiver.url(path))
            for i, path in enumerate(("/hang", "/reset", "/500", "/ok"))
        }
        for job in jobs.values():
            assert final_state(client, job)["state"] == "succeeded"  # a job never waits on its receiver
        callbacks = {}
        for path, job in jobs.items():
            wait_for(
                lambda job=job: client.get(f"/api/jobs/{job}").json()["callback"]["state"] != "pending",
                120,
                f"the webhook to {path} to settle",
            )
            callbacks[path] = client.get(f"/api/jobs/{job}").json()["callback"]
    assert callbacks["/ok"]["state"] == "delivered"
    for path in ("/hang", "/reset", "/500"):  # bounded: TOPICMAP_WEBHOOK_MAX_ATTEMPTS=3, then failed
        assert callbacks[path]["state"] == "failed" and len(callbacks[path]["attempts"]) == 3, callbacks[path]
        assert receiver.hits[path] == 3  # numbered attempts: never a duplicate call
    assert all(a["error"].startswith("timeout") for a in callbacks["/hang"]["attempts"])
    assert all(a["status"] is None and a["error"] for a in callbacks["/reset"]["attempts"])
    assert all(a["status"] == 500 for a in callbacks["/500"]["attempts"])
    assert_undisturbed(fault_api, bystander)
