"""Webhooks through real servers: a receiving HTTP server verifies signatures; retries, timeouts, SSRF."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import API_ENV, sample_documents, wait_state
from tests.integration.servers import Api, Redis, Worker, free_port, wait_for

pytestmark = pytest.mark.integration


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A real HTTP server: /ok answers 200, /flaky 503 twice then 200, /hang never answers in time."""

    port: int = field(default_factory=free_port)
    calls: list[Received] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)

    def serve(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append(Received(self.path, dict(self.headers), body))
                receiver.hits[self.path] += 1
                if self.path == "/hang":
                    time.sleep(5)
                status = 503 if self.path == "/flaky" and receiver.hits[self.path] <= 2 else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = receiver.serve()
    yield receiver
    server.shutdown()


def webhook_env(receiver: Receiver) -> dict[str, str]:
    return {
        "TOPICMAP_WEBHOOK_SECRET": "integration-master-secret",
        "TOPICMAP_WEBHOOK_ALLOWED_HOSTS": f"127.0.0.1:{receiver.port}",
        "TOPICMAP_WEBHOOK_TIMEOUT_S": "1",
        "TOPICMAP_WEBHOOK_BACKOFF_S": "0.3",
        "TOPICMAP_WEBHOOK_MAX_ATTEMPTS": "3",
        "TOPICMAP_WEBHOOK_RELAY_S": "0.5",
    }


@pytest.fixture(scope="module")
def webhook_worker(redis_server: Redis, servers_dir: Path, receiver: Receiver) -> Iterator[Worker]:
    """The webhook worker (queue ``webhooks``): deliveries are Celery tasks, retries Celery retries."""
    process = Worker(redis_server.url, servers_dir / "webhook-worker.log", "webhooks-1", webhook_env(receiver))
    process.webhooks = True
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def hooks_api(
    redis_server: Redis, servers_dir: Path, receiver: Receiver, worker: Worker, webhook_worker: Worker
) -> Iterator[Api]:
    env = {**API_ENV, **webhook_env(receiver), "TOPICMAP_MAX_ACTIVE_JOBS_PER_KEY": "10"}
    server = Api(redis_server.url, servers_dir / "hooks-api.log", extra_env=env)
    server.start()
    yield server
    server.stop()


def submit_with_callback(client: httpx.Client, url: str, offset: int) -> str:
    body = {"documents": sample_documents(40, offset=offset), "params": {"min_topic_size": 5}, "callback_url": url}
    response = client.post("/api/jobs", json=body)
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


def callback_of(client: httpx.Client, job_id: str, states: set[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def settled() -> bool:
        nonlocal found
        found = client.get(f"/api/jobs/{job_id}").json()["callback"]
        return found["state"] in states

    wait_for(settled, 120, f"the webhook of {job_id} to be {'/'.join(states)}", interval=0.2)
    return found


def verify_as_documented(secret: str, received: Received) -> bool:
    """The receiver's side, as docs/api.md shows it."""
    timestamp = received.headers["X-Topicmap-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + received.body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(f"v1={expected}", received.headers["X-Topicmap-Signature"])


def test_a_finished_job_calls_back_signed(hooks_api: Api, receiver: Receiver) -> None:
    with hooks_api.client() as client:
        job_id = submit_with_callback(client, receiver.url("/ok"), offset=600)
        assert wait_state(client, job_id, {"succeeded", "failed"})["state"] == "succeeded"
        callback = callback_of(client, job_id, {"delivered", "failed"})
        secret = client.get("/api/webhooks/secret").json()["secret"]
    with hooks_api.client("bob") as bob:
        bobs_secret = bob.get("/api/webhooks/secret").json()["secret"]
    assert callback["state"] == "delivered" and len(callback["attempts"]) == 1
    assert callback["attempts"][0]["status"] == 200
    [call] = [c for c in receiver.calls if f'"job_id":"{job_id}"' in c.body.decode()]
    assert call.headers["X-Topicmap-Event"] == "job.succeeded" and call.headers["Content-Type"] == "application/json"
    assert verify_as_documented(secret, call) and not verify_as_documented(bobs_secret, call)
    tampered = Received(call.path, call.headers, call.body.replace(b"succeeded", b"failed"))
    assert not verify_as_documented(secret, tampered)


def test_failures_are_retried_with_every_attempt_recorded(hooks_api: Api, receiver: Receiver) -> None:
    with hooks_api.client() as client:
        flaky = submit_with_callback(client, receiver.url("/flaky"), offset=640)
        hanging = submit_with_callback(client, receiver.url("/hang"), offset=680)
        # The worker never waits on a callback: both jobs finish whatever their receivers do.
        assert wait_state(client, flaky, {"succeeded", "failed"})["state"] == "succeeded"
        assert wait_state(client, hanging, {"succeeded", "failed"})["state"] == "succeeded"
        retried = callback_of(client, flaky, {"delivered", "failed"})
        timed_out = callback_of(client, hanging, {"delivered", "failed"})
        assert client.get("/api/health").status_code == 200
    assert retried["state"] == "delivered"
    assert [a["status"] for a in retried["attempts"]] == [503, 503, 200]
    assert retried["attempts"][0]["error"] == "HTTP 503"
    starts = [a["at"] for a in retried["attempts"]]
    assert starts == sorted(starts) and len(set(starts)) == 3
    assert timed_out["state"] == "failed" and len(timed_out["attempts"]) == 3  # TOPICMAP_WEBHOOK_MAX_ATTEMPTS
    assert all(a["error"].startswith("timeout") and a["status"] is None for a in timed_out["attempts"])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:1/hook", "loopback"),
        ("http://localhost:{port}/ok", "loopback"),  # the allowlist names 127.0.0.1:port, not localhost
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.11.12.13/hook", "private"),
        ("http://[::1]:8080/hook", "loopback"),
        ("file:///etc/passwd", "http:// or https://"),
        ("ftp://127.0.0.1/x", "http:// or https://"),
        ("http://user:secret@127.0.0.1:{port}/ok", "credentials"),
    ],
)
def test_unsafe_callback_urls_are_refused(hooks_api: Api, receiver: Receiver, url: str, reason: str) -> None:
    with hooks_api.client() as client:
        body = {"documents": sample_documents(20), "callback_url": url.format(port=receiver.port)}
        response = client.post("/api/jobs", json=body)
    assert response.status_code == 422 and reason in response.json()["detail"]


def test_an_idempotency_key_reused_with_another_callback_is_refused(hooks_api: Api, receiver: Receiver) -> None:
    body = {"documents": sample_documents(40, offset=700), "params": {"min_topic_size": 5}}
    headers = {"Idempotency-Key": "with-a-webhook"}
    with hooks_api.client() as client:
        first = client.post("/api/jobs", json={**body, "callback_url": receiver.url("/a")}, headers=headers)
        same = client.post("/api/jobs", json={**body, "callback_url": receiver.url("/a")}, headers=headers)
        other = client.post("/api/jobs", json={**body, "callback_url": receiver.url("/b")}, headers=headers)
        assert first.status_code == same.status_code == 202 and first.json()["job_id"] == same.json()["job_id"]
        assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
        wait_state(client, first.json()["job_id"], {"succeeded", "failed"})


def test_without_a_secret_webhooks_are_off(client: httpx.Client, receiver: Receiver) -> None:
    response = client.post("/api/jobs", json={"documents": sample_documents(20), "callback_url": receiver.url("/ok")})
    assert response.status_code == 422 and "not enabled" in response.json()["detail"]
    assert client.get("/api/webhooks/secret").status_code == 404
