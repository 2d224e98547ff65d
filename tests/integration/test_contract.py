"""The API against its own OpenAPI schema (schemathesis), and the logs a job leaves behind."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.conftest import sample_documents, submit, wait_state
from tests.integration.servers import Api, Redis, Worker
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


def test_schemathesis_finds_no_server_errors_and_schema_mismatches(
    api: Api, worker: Worker, query_worker: Worker, servers_dir: Path, redis_server: Redis
) -> None:
    """The whole service (a search needs the query worker: without it, 503 by design) under fuzzing,
    as a member of its own: the fuzzer may revoke its key (it finds the id in /api/me), which must
    not lock other tests' users out."""
    name = f"fuzz-{uuid.uuid4().hex[:6]}"
    with api.client("admin") as admin:
        fuzz_key = admin.post("/api/users", json={"name": name}).json()["key"]["key"]
    schemathesis = Path(sys.executable).with_name("schemathesis")
    command = [
        str(schemathesis), "run", f"{api.url}/api/openapi.json",
        "--header", f"X-API-Key: {fuzz_key}",
        "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
        "--max-examples", "15", "--workers", "1", "--request-timeout", "30",
        "--exclude-path", "/api/jobs/{job_id}/events",  # an endless stream by design
        "--report-dir", str(servers_dir / "schemathesis"),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    records, _ = JobStore.from_url(redis_server.url).list_jobs(name, limit=100)  # its key may be revoked by now
    with api.client("admin") as admin:  # an admin may cancel any job: leave no queued work to later tests
        for record in records:
            if record.state in ("queued", "running"):
                admin.delete(f"/api/jobs/{record.id}")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return lines


def test_a_job_leaves_json_logs_with_its_id_and_stage_timings(api: Api, client: httpx.Client, worker: Worker) -> None:
    job_id = submit(client, sample_documents(80, offset=1200), min_topic_size=5)
    assert wait_state(client, job_id, {"succeeded", "failed"})["state"] == "succeeded"
    worker_lines = [line for line in json_lines(worker.log) if line.get("job_id") == job_id]
    assert {"time", "level", "logger", "message"} <= set(worker_lines[0])
    stages = {line["stage"] for line in worker_lines if line["message"] == "stage started"}
    assert {"embed", "reduce", "cluster", "label", "layout"} <= stages
    done = next(line for line in worker_lines if line["message"] == "job succeeded")
    assert done["timings_s"]["embed"] >= 0 and done["duration"] > 0
    api_lines = [line for line in json_lines(api.log) if line.get("job_id") == job_id]
    assert any(line["message"] == "job queued" for line in api_lines)
    for log in (worker.log, api.log):
        text = log.read_text(errors="replace")
        assert all(key not in text for key in api.keys.values()), f"an API key leaked into {log.name}"
