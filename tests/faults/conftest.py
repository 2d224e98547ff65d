"""The fault suite's servers: a redis-server, an API and workers of its own (faults here restart,
pause and fill Redis, and kill workers: nothing of the rest of the suite may feel it)."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.integration.conftest import API_ENV, WORKER_ENV, sample_documents

__all__ = ["API_ENV"]
from tests.integration.servers import Api, Redis, Worker, free_port, wait_for

FINAL = {"succeeded", "failed", "cancelled"}
BOUND_S = 180
"""Every fault must end its job in a final state within this (a liveness bound, not a speed test)."""


@pytest.fixture(scope="module")
def fault_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="module")
def fault_redis(fault_dir: Path) -> Iterator[Redis]:
    server = Redis(fault_dir / "redis")
    server.start()
    yield server
    server.stop()


class Receiver:
    """A webhook receiver that misbehaves by path: /ok 200, /hang never answers in time, /reset
    closes the connection with a TCP reset, /500 always fails."""

    def __init__(self) -> None:
        self.port = free_port()
        self.hits: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hits[self.path] += 1
                if self.path == "/hang":
                    time.sleep(10)
                if self.path == "/reset":  # SO_LINGER 0: close() sends RST instead of FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                self.send_response(500 if self.path == "/500" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


def webhook_env(receiver: Receiver) -> dict[str, str]:
    return {
        "TOPICMAP_WEBHOOK_SECRET": "fault-suite-secret",
        "TOPICMAP_WEBHOOK_ALLOWED_HOSTS": f"127.0.0.1:{receiver.port}",
        "TOPICMAP_WEBHOOK_TIMEOUT_S": "1",
        "TOPICMAP_WEBHOOK_BACKOFF_S": "0.3",
        "TOPICMAP_WEBHOOK_MAX_ATTEMPTS": "3",
        "TOPICMAP_WEBHOOK_RELAY_S": "0.5",
    }


@pytest.fixture(scope="module")
def fault_api(fault_redis: Redis, fault_dir: Path, receiver: Receiver) -> Iterator[Api]:
    env = {**API_ENV, **webhook_env(receiver), "TOPICMAP_MAX_ACTIVE_JOBS_PER_KEY": "4"}
    server = Api(fault_redis.url, fault_dir / "api.log", extra_env=env)
    server.start()
    yield server
    server.stop()


@contextmanager
def running_worker(fault_redis: Redis, fault_dir: Path, name: str, **env: str) -> Iterator[Worker]:
    process = Worker(fault_redis.url, fault_dir / f"{name}.log", name, {**WORKER_ENV, **env})
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def bystander(fault_api: Api, fault_redis: Redis, fault_dir: Path) -> Iterator[tuple[str, bytes]]:
    """Bob's finished map, made before any fault: every fault test checks it is still there, unchanged."""
    with running_worker(fault_redis, fault_dir, "bystander-worker"), fault_api.client("bob") as bob:
        job = submit(bob, 60, offset=1400)
        assert final_state(bob, job)["state"] == "succeeded"
        made = job, map_bytes(bob, job)
    yield made  # its worker is gone: each test starts the workers it needs


def submit(client: httpx.Client, n: int, offset: int, **body: Any) -> str:
    payload = {"documents": sample_documents(n, offset=offset), "params": {"min_topic_size": 5}, **body}
    response = client.post("/api/jobs", json=payload)
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


def final_state(client: httpx.Client, job_id: str, bound_s: float = BOUND_S) -> dict[str, Any]:
    status: dict[str, Any] = {}

    def done() -> bool:
        nonlocal status
        status = client.get(f"/api/jobs/{job_id}").json()
        return status["state"] in FINAL

    wait_for(done, bound_s, f"job {job_id} to reach a final state", interval=0.2)
    return status


def map_bytes(client: httpx.Client, job_id: str) -> bytes:
    response = client.get(f"/api/jobs/{job_id}/map")
    assert response.status_code == 200
    return response.content


def assert_undisturbed(api: Api, bystander: tuple[str, bytes], who: str = "alice") -> None:
    """The caller's slots are free, the service answers, and bob's earlier map is intact."""
    job, body = bystander
    with api.client(who) as client:
        jobs = client.get("/api/jobs", params={"limit": 100}).json()["jobs"]
        assert [j["id"] for j in jobs if j["state"] not in FINAL] == []  # no slot held
    with api.client("bob") as bob:
        assert map_bytes(bob, job) == body
    assert httpx.get(f"{api.url}/api/health").status_code == 200


def wait_exit(worker: Worker, bound_s: float = 120) -> None:
    assert worker.process is not None
    wait_for(lambda: worker.process is not None and worker.process.poll() is not None, bound_s, "the worker to die")


def raw(server: Redis) -> redis.Redis[bytes]:
    return redis.Redis.from_url(server.url)


def log_has(worker: Worker, text: str) -> bool:
    return text.encode() in worker.log.read_bytes()
