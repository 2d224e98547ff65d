"""The job life cycle through the real API, Redis and a Celery worker running the real model."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.conftest import sample_csv, sample_documents, submit, unqueued_job, wait_state, wait_until_idle
from tests.integration.servers import Api, Redis, Worker
from topicmap.schemas import TopicMap
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


def test_json_job_life_cycle(client: httpx.Client, worker: Worker) -> None:
    documents = sample_documents(1500)
    response = client.post("/api/jobs", json={"documents": documents, "params": {"seed": 1}})
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    assert response.headers["Location"] == f"/api/jobs/{job_id}"
    assert response.json()["state"] == "queued"

    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}").json()
        seen.append(status)
        if status["state"] in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(0.05)
    assert seen[-1]["state"] == "succeeded", seen[-1]
    running = [s for s in seen if s["state"] == "running" and s["stage"]]
    assert running, "never saw the job running"
    assert {s["stage"] for s in running} & {"embed", "reduce", "layout"}
    fractions = [s["progress"]["fraction"] for s in running]
    assert any(0 < f < 1 for f in fractions) and fractions == sorted(fractions)
    final = seen[-1]
    long_documents = sum(len(d["text"]) > 2000 for d in documents)  # the test API truncates at 2000
    assert final["attempts"] == 1
    counts = {"received": 1500, "dropped": 0, "truncated": long_documents, "used": 1500, "text_column": None}
    assert final["documents"] == counts  # no column: the texts were sent as such
    assert final["timings_s"]["embed"] > 0 and not final["embeddings_cached"]

    topic_map = TopicMap.model_validate(client.get(f"/api/jobs/{job_id}/map").json())
    assert topic_map.meta.n_documents == 1500 and topic_map.meta.quality.n_topics >= 5
    assert topic_map.documents.text is None
    with_text = client.get(f"/api/jobs/{job_id}/map", params={"include": "text"}).json()
    assert with_text["documents"]["text"][0] == documents[0]["text"]

    figure = client.get(f"/api/jobs/{job_id}/figure", params={"kind": "map"})
    assert figure.headers["content-type"] == "application/json"
    assert any(trace["type"] == "scattergl" for trace in figure.json()["data"])
    for kind in ("sizes", "terms"):
        assert client.get(f"/api/jobs/{job_id}/figure", params={"kind": kind}).json()["data"]
    page = client.get(f"/api/jobs/{job_id}/figure", params={"kind": "map", "format": "html"})
    assert page.headers["content-type"].startswith("text/html") and "<script src=" not in page.text

    export = client.get(f"/api/jobs/{job_id}/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 1500 and rows[0]["id"] == documents[0]["id"] and rows[0]["section"]

    topics = client.get(f"/api/jobs/{job_id}/topics").json()
    assert sum(t["size"] for t in topics) == 1500
    members = client.get(f"/api/jobs/{job_id}/topics/{topics[0]['id']}/documents", params={"limit": 5}).json()
    assert members["total"] == topics[0]["size"] and len(members["documents"]) == 5
    found = client.get(f"/api/jobs/{job_id}/documents", params={"q": "FONT", "limit": 3}).json()
    assert found["total"] > 0 and all("font" in d["text"].lower() for d in found["documents"])

    listed = client.get("/api/jobs").json()
    assert listed["jobs"][0]["job_id"] == job_id


def test_csv_upload(client: httpx.Client, worker: Worker) -> None:
    files = {"file": ("packages.csv", sample_csv(300, offset=100), "text/csv")}
    data = {"text_column": "description", "params": json.dumps({"min_topic_size": 5})}
    response = client.post("/api/jobs", files=files, data=data)
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    assert wait_state(client, job_id, {"succeeded", "failed"})["state"] == "succeeded"
    topic_map = client.get(f"/api/jobs/{job_id}/map").json()
    assert topic_map["meta"]["params"]["min_topic_size"] == 5
    assert topic_map["documents"]["id"][0] == sample_documents(1, offset=100)[0]["id"]
    assert client.get(f"/api/jobs/{job_id}").json()["name"] == "packages.csv"  # named by its file
    assert response.json()["documents"]["text_column"] == "description"
    rerun = client.post(f"/api/jobs/{job_id}/rerun", json={"min_topic_size": 6})  # the same texts, from the same column
    assert rerun.status_code == 202 and rerun.json()["documents"]["text_column"] == "description"
    client.delete(f"/api/jobs/{rerun.json()['job_id']}")


def test_an_upload_says_which_column_its_texts_are(client: httpx.Client) -> None:
    """Without text_column, of a package's name and its description the description is the text (it
    was refused: two columns of text), and the answer says so."""
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["title", "description"])
    writer.writerows((" ".join(d["text"].split()[:3]), d["text"]) for d in sample_documents(40, offset=400))
    response = client.post("/api/jobs", files={"file": ("packages.csv", table.getvalue().encode(), "text/csv")})
    assert response.status_code == 202, response.text
    assert response.json()["documents"]["text_column"] == "description"
    assert client.delete(f"/api/jobs/{response.json()['job_id']}").status_code in (200, 202)


def test_an_upload_without_a_header_line_has_every_line_as_a_document(client: httpx.Client) -> None:
    """header=false: the first line is a document too (with a header it names the column and is lost),
    and the columns are named by their place; any other value of the field is a 422."""
    texts = [d["text"].replace("\n", " ") for d in sample_documents(30, offset=900)]
    table = io.StringIO()
    csv.writer(table).writerows([text, f"team {i % 3}"] for i, text in enumerate(texts))
    upload = {"file": ("answers.csv", table.getvalue().encode(), "text/csv")}
    given = client.post("/api/jobs", files=upload, data={"params": json.dumps({"class_column": "column 2"})})
    assert given.status_code == 422 and "no column 'column 2'" in given.json()["detail"]  # read with a header
    response = client.post(
        "/api/jobs", files=upload, data={"header": "false", "params": json.dumps({"class_column": "column 2"})}
    )
    assert response.status_code == 202, response.text
    counts = response.json()["documents"]
    assert counts["used"] == len(texts) and counts["text_column"] == "column 1"
    bad = client.post("/api/jobs", files=upload, data={"header": "no"})
    assert bad.status_code == 422 and "header: 'true'" in bad.json()["detail"]
    assert client.delete(f"/api/jobs/{response.json()['job_id']}").status_code in (200, 202)


def test_an_upload_in_the_windows_code_page_is_read_in_the_encoding_named(client: httpx.Client) -> None:
    """Excel's plain "CSV" on Windows is cp1252: a 422 that says to name the encoding, then accepted."""
    texts = [f"caf\u00e9 \u2013 {d['text']}" for d in sample_documents(30, offset=950)]
    table = io.StringIO()
    csv.writer(table).writerows([["r\u00e9ponse"], *([text] for text in texts)])
    upload = {"file": ("r\u00e9ponses.csv", table.getvalue().encode("cp1252"), "text/csv")}
    refused = client.post("/api/jobs", files=upload)
    assert refused.status_code == 422 and "or name its encoding (encoding in the API" in refused.json()["detail"]
    unknown = client.post("/api/jobs", files=upload, data={"encoding": "klingon"})
    assert unknown.status_code == 422 and "unknown text encoding 'klingon'" in unknown.json()["detail"]
    response = client.post("/api/jobs", files=upload, data={"encoding": "cp1252"})
    assert response.status_code == 202, response.text
    counts = response.json()["documents"]
    assert counts["used"] == len(texts) and counts["text_column"] == "r\u00e9ponse"
    assert client.delete(f"/api/jobs/{response.json()['job_id']}").status_code in (200, 202)


def test_a_map_named_by_its_submitter_keeps_the_name_when_run_again(client: httpx.Client, worker: Worker) -> None:
    texts = [d["text"] for d in sample_documents(30, offset=700)]
    too_long = client.post("/api/jobs", json={"documents": texts, "name": "x" * 201})
    assert too_long.status_code == 422 and too_long.json()["detail"].startswith("name:")
    files = {"file": ("C:\\exports\\tickets.txt", "\n".join(texts).encode(), "text/plain")}
    assert client.post("/api/jobs", files=files, data={"name": "y" * 201}).status_code == 422
    named = client.post("/api/jobs", files=files, data={"name": "  Support   tickets, March "})
    assert named.status_code == 202, named.text
    job_id = named.json()["job_id"]
    assert client.get(f"/api/jobs/{job_id}").json()["name"] == "Support tickets, March"  # given, not the file's
    rerun = client.post(f"/api/jobs/{job_id}/rerun", json={"min_topic_size": 6})
    assert rerun.status_code == 202, rerun.text
    listed = {job["job_id"]: job["name"] for job in client.get("/api/jobs").json()["jobs"]}
    assert listed[job_id] == listed[rerun.json()["job_id"]] == "Support tickets, March"
    for job in (job_id, rerun.json()["job_id"]):  # within the key's active-job limit
        wait_state(client, job, {"succeeded", "failed"})
    page = client.get(f"/api/jobs/{job_id}/figure", params={"format": "html"}).text  # a download: titled
    assert "<title>Support tickets, March</title>" in page
    assert json.dumps("Topic map · Support tickets, March")[1:-1] in page  # as the figure's JSON writes it
    assert client.patch(f"/api/jobs/{job_id}", json={"name": "Tickets & <b>more</b>"}).status_code == 200
    page = client.get(f"/api/jobs/{job_id}/figure", params={"format": "html"}).text  # drawn again, escaped
    assert "<title>Tickets &amp; &lt;b&gt;more&lt;/b&gt;</title>" in page and "Support tickets" not in page
    unnamed = client.post("/api/jobs", files={"file": files["file"]})  # a Windows path: its last part
    assert client.get(f"/api/jobs/{unnamed.json()['job_id']}").json()["name"] == "tickets.txt"
    pasted = client.post("/api/jobs", json={"documents": texts})
    first = " ".join(texts[0].split())
    named_by_text = client.get(f"/api/jobs/{pasted.json()['job_id']}").json()["name"]
    assert named_by_text.startswith("“" + first[:20]) and named_by_text.endswith(f"” and {len(texts) - 1} more")
    for job in (unnamed.json()["job_id"], pasted.json()["job_id"]):
        wait_state(client, job, {"succeeded", "failed"})


def test_events_stream_progress_then_the_end(client: httpx.Client, worker: Worker) -> None:
    job_id = submit(client, sample_documents(900, offset=300), seed=2)
    events: list[tuple[str, dict[str, Any]]] = []
    pings = 0
    with client.stream("GET", f"/api/jobs/{job_id}/events", timeout=300) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines():
            if line.startswith(": ping"):
                pings += 1
            elif line.startswith("event: "):
                event = line[len("event: ") :]
            elif line.startswith("data: ") and event:
                events.append((event, json.loads(line[len("data: ") :])))
                if event == "end":
                    break
    assert events[-1][0] == "end" and events[-1][1]["state"] == "succeeded"
    progress = [data for name, data in events if name == "progress"]
    assert any(d["state"] == "running" and d["stage"] for d in progress)
    assert len({d["progress"]["fraction"] for d in progress}) > 2


def test_cancel_a_queued_and_a_running_job(client: httpx.Client, worker: Worker) -> None:
    wait_until_idle(client)
    running = submit(client, sample_documents(1500), seed=3)
    wait_state(client, running, {"running"})
    queued = submit(client, sample_documents(200), seed=4)
    status = client.get(f"/api/jobs/{queued}").json()
    assert status["state"] == "queued" and status["queue_position"] >= 1

    cancelled = client.delete(f"/api/jobs/{queued}")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    stopping = client.delete(f"/api/jobs/{running}")
    assert stopping.status_code == 202
    assert wait_state(client, running, {"cancelled", "succeeded", "failed"}, timeout=120)["state"] == "cancelled"
    wait_until_idle(client)
    assert client.get(f"/api/jobs/{queued}").json()["attempts"] == 0
    assert client.get(f"/api/jobs/{running}/map").status_code == 409
    assert client.delete(f"/api/jobs/{queued}").status_code == 200


def test_second_job_on_the_same_corpus_skips_embedding(client: httpx.Client, worker: Worker) -> None:
    documents = sample_documents(400, offset=1000)
    first = submit(client, documents, min_topic_size=8)
    assert wait_state(client, first, {"succeeded", "failed"})["state"] == "succeeded"
    second = submit(client, documents, min_topic_size=15, n_topics=5)
    status = wait_state(client, second, {"succeeded", "failed"})
    assert status["state"] == "succeeded" and status["embeddings_cached"]
    topic_map = client.get(f"/api/jobs/{second}/map").json()
    assert topic_map["meta"]["embedding"]["cached"] and topic_map["meta"]["quality"]["n_topics"] <= 5


def test_jobs_are_private_to_their_key(api: Api, client: httpx.Client, worker: Worker) -> None:
    job_id = submit(client, sample_documents(50), min_topic_size=5)
    with api.client("bob") as bob:
        for method, path in [
            ("GET", ""),
            ("DELETE", ""),
            ("GET", "/map"),
            ("GET", "/events"),
            ("GET", "/export.csv"),
            ("GET", "/figure"),
        ]:
            response = bob.request(method, f"/api/jobs/{job_id}{path}")
            assert response.status_code == 404, (method, path)
            assert response.headers["content-type"] == "application/problem+json"
        assert job_id not in {j["job_id"] for j in bob.get("/api/jobs").json()["jobs"]}
    assert httpx.get(f"{api.url}/api/jobs/{job_id}").status_code == 401
    assert httpx.get(f"{api.url}/api/jobs", headers={"X-API-Key": "tm_wrong"}).status_code == 401
    wait_state(client, job_id, {"succeeded", "failed"})


def test_idempotency_key_returns_the_same_job(client: httpx.Client, worker: Worker) -> None:
    body = {"documents": [d["text"] for d in sample_documents(30, offset=40)], "params": {"min_topic_size": 5}}
    headers = {"Idempotency-Key": "order-42"}
    first = client.post("/api/jobs", json=body, headers=headers)
    again = client.post("/api/jobs", json=body, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["job_id"] == again.json()["job_id"]
    other = client.post("/api/jobs", json={**body, "params": {"min_topic_size": 6}}, headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    renamed = client.post("/api/jobs", json={**body, "name": "another map"}, headers=headers)
    assert renamed.status_code == 422 and "Idempotency-Key" in renamed.json()["detail"]
    wait_state(client, first.json()["job_id"], {"succeeded", "failed"})


def test_active_job_limit_per_key(api: Api, worker: Worker) -> None:
    with api.client("bob") as bob:
        wait_until_idle(bob)
        documents = sample_documents(1500)
        accepted = [submit(bob, documents, seed=10 + i) for i in range(4)]
        refused = bob.post("/api/jobs", json={"documents": documents, "params": {"seed": 99}})
        assert refused.status_code == 429 and "queued or running" in refused.json()["detail"]
        for job_id in accepted:
            bob.delete(f"/api/jobs/{job_id}")
        wait_until_idle(bob)


def test_a_job_names_a_configured_model(client: httpx.Client, worker: Worker) -> None:
    """TOPICMAP_MODELS offers models by name (here a second name for the shipped one): the job runs
    with it, and the map says which."""
    job_id = submit(client, sample_documents(60, offset=900), min_topic_size=5, model="minilm-copy")
    status = wait_state(client, job_id, {"succeeded", "failed"})
    assert status["state"] == "succeeded", status["error"]
    assert client.get(f"/api/jobs/{job_id}/map").json()["meta"]["params"]["model"] == "minilm-copy"


def test_an_idempotency_key_is_kept_only_when_the_request_is_accepted(api: Api, redis_server: Redis) -> None:
    """A retry after a 429 with the same Idempotency-Key is a new attempt, not a 409 for a day."""
    store = JobStore.from_url(redis_server.url)
    name = f"idem-{uuid.uuid4().hex[:6]}"
    with api.client("admin") as admin:
        key = admin.post("/api/users", json={"name": name}).json()["key"]["key"]
    busy = [unqueued_job(store, owner=name, state="queued") for _ in range(4)]  # the key's 4 active slots
    body = {"documents": [d["text"] for d in sample_documents(20, offset=60)]}
    with httpx.Client(base_url=api.url, headers={"X-API-Key": key, "Idempotency-Key": "retry-me"}) as client:
        assert client.post("/api/jobs", json=body).status_code == 429
        for job_id in busy:
            store.update(job_id, state="cancelled")
        accepted = client.post("/api/jobs", json=body)
        assert accepted.status_code == 202, accepted.text
        again = client.post("/api/jobs", json=body)
        assert again.status_code == 202 and again.json()["job_id"] == accepted.json()["job_id"]
        client.delete(accepted.headers["location"])
