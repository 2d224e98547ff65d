"""Through a real nginx with nginx/topicmap.conf (upstream templated to the test API's port)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import sample_documents, wait_state
from tests.integration.servers import Api, Worker

pytestmark = pytest.mark.integration


@pytest.fixture
def via_nginx(edge: str, api: Api) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=edge, headers={"X-API-Key": api.keys["alice"]}, timeout=120) as client:
        yield client


def test_a_job_end_to_end_through_nginx(via_nginx: httpx.Client, worker: Worker) -> None:
    response = via_nginx.post(
        "/api/jobs", json={"documents": sample_documents(120, offset=900), "params": {"min_topic_size": 5}}
    )
    assert response.status_code == 202 and response.headers["location"].startswith("/api/jobs/")
    job_id = response.json()["job_id"]
    assert wait_state(via_nginx, job_id, {"succeeded", "failed"})["state"] == "succeeded"
    topic_map = via_nginx.get(f"/api/jobs/{job_id}/map", headers={"Accept-Encoding": "gzip"})
    assert topic_map.headers.get("content-encoding") == "gzip" and topic_map.json()["meta"]["n_documents"] == 120
    page = via_nginx.get(f"/api/jobs/{job_id}/figure", params={"format": "html"})
    assert page.status_code == 200 and "'unsafe-inline'" in page.headers["content-security-policy"]


def test_security_headers_and_no_version(via_nginx: httpx.Client) -> None:
    response = via_nginx.get("/api/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["server"] == "nginx"  # server_tokens off: no version


def test_head_answers_as_get_without_the_body(via_nginx: httpx.Client) -> None:
    """Monitors, load balancers, link checkers and chat apps unfurling a shared link ask with HEAD:
    the same status and headers as GET, no body (FastAPI answered 405 but for the health checks)."""
    ready = via_nginx.head("/api/health/ready")  # 200, or 503 while no worker is up: as GET says
    assert ready.status_code == via_nginx.get("/api/health/ready").status_code and ready.content == b""
    for path in ("/api/health", "/", "/s/tms_not-a-real-token", "/api/jobs", "/api/maps"):
        head, get = via_nginx.head(path), via_nginx.get(path)
        assert head.status_code == get.status_code == 200 and head.content == b"", (path, head.status_code)
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
    assert via_nginx.head("/api/jobs", headers={"X-API-Key": "tm_wrong"}).status_code == 401  # checked as GET is


def test_upload_over_the_cap_is_a_json_413(via_nginx: httpx.Client) -> None:
    body = b"x" * (51 * 1024 * 1024)
    response = via_nginx.post("/api/jobs", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "50 MiB" in response.json()["detail"]


def test_events_arrive_while_the_job_runs(via_nginx: httpx.Client, worker: Worker) -> None:
    job_id = via_nginx.post("/api/jobs", json={"documents": sample_documents(1500), "params": {"seed": 31}}).json()[
        "job_id"
    ]
    with via_nginx.stream("GET", f"/api/jobs/{job_id}/events", timeout=300) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: ") and event == "progress" and json.loads(line[6:])["state"] == "running":
                break
            elif event == "end":
                pytest.fail("the first event to arrive was the end: events were buffered")
    # A running event came through while the job was still going: nginx did not hold it back.
    assert via_nginx.get(f"/api/jobs/{job_id}").json()["state"] == "running"
    via_nginx.delete(f"/api/jobs/{job_id}")
    wait_state(via_nginx, job_id, {"cancelled", "succeeded", "failed"})


def test_submissions_over_the_rate_get_429(via_nginx: httpx.Client) -> None:
    statuses = [via_nginx.post("/api/jobs", json={"documents": []}).status_code for _ in range(15)]
    assert 429 in statuses and set(statuses) <= {422, 429}
    limited = via_nginx.post("/api/jobs", json={"documents": []})
    if limited.status_code == 429:
        assert limited.headers["content-type"] == "application/problem+json" and "retry" in limited.json()["detail"]
    assert via_nginx.get("/api/jobs").status_code == 200  # reading is not rate limited


def test_docs_and_schema_load_through_nginx(via_nginx: httpx.Client, edge: str) -> None:
    docs = httpx.get(f"{edge}/api/docs")
    assert docs.status_code == 200 and "/api/static-docs/swagger-ui-bundle.js" in docs.text
    assert httpx.get(f"{edge}/api/static-docs/swagger-ui-bundle.js").status_code == 200
    schema = httpx.get(f"{edge}/api/openapi.json").json()
    assert "/api/jobs" in schema["paths"] and schema["info"]["title"] == "topicmap"


def test_metrics_only_inside(edge: str, api: Api) -> None:
    assert httpx.get(f"{edge}/metrics").status_code == 404
    inside = httpx.get(f"{api.url}/metrics")
    assert inside.status_code == 200
    for name in (
        "topicmap_http_requests_total",
        'topicmap_jobs_finished_total{state="succeeded"}',
        'topicmap_jobs{state="running"}',
        "topicmap_jobs_submitted_total",
        "topicmap_queue_length",
        "topicmap_workers_alive",
    ):
        assert name in inside.text


def test_writes_and_heavy_reads_are_limited_per_key_and_polling_is_not(edge: str, api: Api) -> None:
    """Every write route and the heavy reads have a per-key limit at nginx (docs/operations.md);
    another key is not affected, and job status (polled by clients) is never limited."""
    with api.client("admin") as admin:
        keys = [
            admin.post("/api/users", json={"name": f"rate-{uuid.uuid4().hex[:6]}"}).json()["key"]["key"] for _ in "ab"
        ]
    with httpx.Client(base_url=edge, headers={"X-API-Key": keys[0]}, timeout=30) as first:
        edits = [first.post("/api/jobs/nope/edits", json={"operations": []}).status_code for _ in range(40)]
        assert 429 in edits and set(edits) <= {404, 422, 429}, edits
        reads = [first.get("/api/jobs/nope/documents").status_code for _ in range(80)]
        assert 429 in reads and set(reads) <= {404, 429}
        polls = [first.get("/api/jobs/nope").status_code for _ in range(80)]
        assert set(polls) == {404}  # status is never limited
        limited = first.post("/api/jobs/nope/edits", json={"operations": []})
        if limited.status_code == 429:
            assert limited.headers["content-type"] == "application/problem+json" and "retry" in limited.json()["detail"]
    with httpx.Client(base_url=edge, headers={"X-API-Key": keys[1]}, timeout=30) as second:
        assert second.post("/api/jobs/nope/edits", json={"operations": []}).status_code == 404  # its own budget
