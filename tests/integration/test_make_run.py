"""`make run` as a newcomer runs it: Redis, a worker, the API and nginx in front, one command."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.security import new_key
from tests.integration.conftest import sample_documents
from tests.integration.servers import free_port, wait_for

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def make_run(tmp_path: Path) -> Iterator[tuple[str, str, dict[str, int]]]:
    """`make run` on free ports; yields (printed URL, API key, ports) and stops it with Ctrl-C (SIGINT)."""
    key, digest = new_key()
    ports = {"api": free_port(), "http": free_port(), "redis": free_port()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOPICMAP_")}
    env.update(
        TOPICMAP_API_PORT=str(ports["api"]),
        TOPICMAP_HTTP_PORT=str(ports["http"]),
        TOPICMAP_REDIS_PORT=str(ports["redis"]),
        TOPICMAP_RUN_DIR=str(tmp_path / "run"),
        TOPICMAP_API_KEYS=f"dev:{digest}",
        TOPICMAP_WEBHOOK_SECRET="make-run-test",  # so make run writes nothing into the checkout's .env
        TOPICMAP_WARM_UP="false",
    )
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    printed = []
    for line in process.stdout:
        printed.append(line)
        if "Ctrl-C stops everything" in line:
            break
    output = "".join(printed)
    match = re.search(r"Web page:\s+(http://\S+)/", output)
    assert match, output
    try:
        yield match.group(1), key, ports
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)


def test_make_run_puts_nginx_in_front_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    with make_run(tmp_path) as (url, key, ports):
        assert url == f"http://127.0.0.1:{ports['http']}"  # the URL printed is nginx's, not the bare API's
        health = httpx.get(f"{url}/api/health")
        assert health.json() == {"status": "ok"} and health.headers["x-frame-options"] == "DENY"
        assert "swagger" in httpx.get(f"{url}/api/docs").text.lower()
        with httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=60) as client:
            response = client.post("/api/jobs", json={"documents": sample_documents(60, offset=300)})
            assert response.status_code == 202, response.text
            job = response.json()["job_id"]

            def finished() -> bool:
                return client.get(f"/api/jobs/{job}").json()["state"] in ("succeeded", "failed")

            wait_for(finished, 240, "the job started through make run", interval=0.5)
            assert client.get(f"/api/jobs/{job}").json()["state"] == "succeeded"
    wait_for(lambda: not any(port_open(p) for p in ports.values()), 30, "every port of make run to close")
