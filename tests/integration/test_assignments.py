"""Assigning new documents to a finished map through the real API and worker."""

from __future__ import annotations

import io
import time

import httpx
import pytest
import redis

from tests.integration.conftest import mapped_job, sample_csv, sample_documents, unqueued_job, wait_state
from tests.integration.servers import Api, Redis, Worker
from tests.integration.synthetic import store_finished_job
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


def test_assign_documents_to_a_map(client: httpx.Client, api: Api, worker: Worker, redis_server: Redis) -> None:
    fitted = sample_documents(200, offset=1100)
    job_id = mapped_job(client, fitted, min_topic_size=5)
    topic_map = client.get(f"/api/jobs/{job_id}/map").json()
    section = {str(d["id"]): d["meta"]["section"] for d in fitted}  # type: ignore[index]
    members: dict[int, list[str]] = {}
    for doc_id, topic in zip(topic_map["documents"]["id"], topic_map["documents"]["topic"], strict=True):
        members.setdefault(topic, []).append(section[doc_id])
    majority = {topic: max(set(s), key=s.count) for topic, s in members.items()}

    new = sample_documents(40, offset=1400)  # the same five sections, documents the map has not seen
    response = client.post(f"/api/jobs/{job_id}/assignments", json={"documents": new})
    assert response.status_code == 202, response.text
    assignment = response.json()["job_id"]
    assert response.headers["location"] == f"/api/jobs/{assignment}"
    status = wait_state(client, assignment, {"succeeded", "failed"})
    assert status["state"] == "succeeded", status
    result = client.get(f"/api/jobs/{assignment}/assignments").json()
    assert result["job_id"] == job_id and result["version"] == 1 and result["model"] == "all-MiniLM-L6-v2"
    rows = result["documents"]
    assert [r["id"] for r in rows] == [d["id"] for d in new]
    agree = sum(majority[r["topic"]] == d["meta"]["section"] for r, d in zip(rows, new, strict=True))  # type: ignore[index]
    assert agree >= 0.8 * len(rows), agree
    assert {"label", "score", "outlier", "x", "y"} <= set(rows[0])
    assert client.get(f"/api/jobs/{job_id}/map").json()["documents"] == topic_map["documents"]  # unchanged

    # A file works as for a new job; an edited map's latest version is the default, ?version= another.
    renamed = client.post(
        f"/api/jobs/{job_id}/edits", json={"operations": [{"op": "rename", "topic": 0, "label": "Renamed"}]}
    )
    assert renamed.status_code == 201
    upload = client.post(
        f"/api/jobs/{job_id}/assignments",
        files={"file": ("new.csv", io.BytesIO(sample_csv(5, offset=1450)), "text/csv")},
        data={"text_column": "description"},
    )
    assert upload.status_code == 202, upload.text
    second = upload.json()["job_id"]
    assert wait_state(client, second, {"succeeded", "failed"})["state"] == "succeeded"
    assert client.get(f"/api/jobs/{second}/assignments").json()["version"] == 2
    old = client.post(f"/api/jobs/{job_id}/assignments", params={"version": 1}, json={"documents": ["a font"]})
    assert old.status_code == 202

    # Bad requests: empty documents, another key's map, an unfinished map, a version it does not have.
    empty = client.post(f"/api/jobs/{job_id}/assignments", json={"documents": ["  "]})
    assert empty.status_code == 422 and "the corpus is empty" in empty.json()["detail"]
    with api.client("bob") as bob:
        assert bob.post(f"/api/jobs/{job_id}/assignments", json={"documents": ["x"]}).status_code == 404
        assert bob.get(f"/api/jobs/{assignment}/assignments").status_code == 404
    store = JobStore(redis.Redis.from_url(redis_server.url))
    running = unqueued_job(store, state="running")
    assert client.post(f"/api/jobs/{running}/assignments", json={"documents": ["x"]}).status_code == 409
    store.update(running, state="cancelled", finished_at=time.time())  # no worker will ever end it
    missing = client.post(f"/api/jobs/{job_id}/assignments", params={"version": 9}, json={"documents": ["x"]})
    assert missing.status_code == 404
    not_assignment = client.get(f"/api/jobs/{job_id}/assignments")
    assert not_assignment.status_code == 404 and "not an assignment" in not_assignment.json()["detail"]
    assert wait_state(client, old.json()["job_id"], {"succeeded", "failed"})["state"] == "succeeded"


def test_adding_documents_makes_the_next_version_of_the_map(client: httpx.Client, worker: Worker) -> None:
    fitted = sample_documents(150, offset=600)
    for i, document in enumerate(fitted):
        document["meta"]["team/area"] = f"team {i % 3}"  # type: ignore[index]  # a "/" in a column's name
    job_id = mapped_job(client, fitted, min_topic_size=5, class_column="section")
    first = client.get(f"/api/jobs/{job_id}/map").json()
    new = sample_documents(20, offset=800)
    anonymous = [{"text": d["text"], "meta": d["meta"]} for d in new[:5]]  # numbered after the map's
    response = client.post(
        f"/api/jobs/{job_id}/assignments", params={"add": "true"}, json={"documents": anonymous + new[5:]}
    )
    assert response.status_code == 202, response.text
    assignment = response.json()["job_id"]
    assert wait_state(client, assignment, {"succeeded", "failed"})["state"] == "succeeded"
    result = client.get(f"/api/jobs/{assignment}/assignments").json()
    assert result["version"] == 1 and result["added_version"] == 2
    new_ids = [row["id"] for row in result["documents"]]
    assert new_ids[5:] == [d["id"] for d in new[5:]] and not set(new_ids) & set(first["documents"]["id"])

    versions = client.get(f"/api/jobs/{job_id}/versions").json()
    assert versions[-1]["number"] == 2 and versions[-1]["operations"] == [
        {"op": "add", "assignment": assignment, "documents": 20}
    ]
    added = client.get(f"/api/jobs/{job_id}/map", params={"include": "text"}).json()
    docs = added["documents"]
    assert docs["id"] == first["documents"]["id"] + new_ids and len(docs["text"]) == 170
    assert docs["text"][150:] == [d["text"] for d in new]
    assert docs["topic"][150:] == [row["topic"] for row in result["documents"]]
    assert sum(t["size"] for t in added["topics"]) == 170 and added["meta"]["n_documents"] == 170
    assert sum(map(sum, added["per_class"]["counts"])) == 170  # the views count the new documents too
    assert client.get(f"/api/jobs/{job_id}/map", params={"version": 1}).json()["documents"] == first["documents"]

    # The new documents are there for every route of the version: search, columns, figures, export.
    word = new[7]["text"].split()[0]
    found = client.get(f"/api/jobs/{job_id}/documents", params={"q": word, "limit": 500}).json()
    assert new[7]["id"] in {d["id"] for d in found["documents"]}
    column = client.get(f"/api/jobs/{job_id}/columns/section").json()
    assert len(column["codes"]) == 170
    assert len(client.get(f"/api/jobs/{job_id}/columns/section", params={"version": 1}).json()["codes"]) == 150
    slashed = client.get(f"/api/jobs/{job_id}/columns/team%2Farea").json()
    assert slashed["categories"] == ["team 0", "team 1", "team 2"] and slashed["codes"][150:] == [-1] * 20
    assert client.get(f"/api/jobs/{job_id}/figure", params={"kind": "map"}).status_code == 200
    assert client.get(f"/api/jobs/{job_id}/export.csv").content.decode("utf-8-sig").count(new[7]["id"]) >= 1

    # Edits go on from it (a move needs the new documents' terms), and a revert goes back to 150.
    other = next(t["id"] for t in added["topics"] if t["id"] >= 0 and t["id"] != docs["topic"][160])
    move = client.post(
        f"/api/jobs/{job_id}/edits",
        json={"operations": [{"op": "move", "documents": [docs["id"][160]], "topic": other}]},
    )
    assert move.status_code == 201, move.text
    revert = client.post(f"/api/jobs/{job_id}/edits", json={"operations": [{"op": "revert", "version": 1}]})
    assert revert.status_code == 201, revert.text
    reverted = client.get(f"/api/jobs/{job_id}/map", params={"include": "text"}).json()["documents"]
    assert len(reverted["id"]) == len(reverted["text"]) == 150

    # Adding goes to the latest version only, under ids the map does not have; an assignment has no map.
    stale = client.post(
        f"/api/jobs/{job_id}/assignments", params={"add": "true", "version": 2}, json={"documents": ["a font"]}
    )
    assert stale.status_code == 409 and "latest version" in stale.json()["detail"]
    clash = client.post(f"/api/jobs/{job_id}/assignments", params={"add": "true"}, json={"documents": [fitted[0]]})
    assert clash.status_code == 422 and repr(fitted[0]["id"]) in clash.json()["detail"]
    not_a_map = client.get(f"/api/jobs/{assignment}/map")
    assert not_a_map.status_code == 404 and f"/api/jobs/{assignment}/assignments" in not_a_map.json()["detail"]


def test_a_map_whose_model_the_service_lacks_is_refused_clearly(
    client: httpx.Client, worker: Worker, redis_server: Redis
) -> None:
    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = store_finished_job(store, "alice", 300, with_terms=True)
    record = store.get(job_id)
    assert record is not None
    store.update(job_id, params=record.params.model_copy(update={"model": "/models/retired-encoder"}))
    response = client.post(f"/api/jobs/{job_id}/assignments", json={"documents": ["a font for the console"]})
    assert response.status_code == 409, response.text  # refused before it is queued: the service lacks it
    assert "'/models/retired-encoder', which this service does not offer" in response.json()["detail"]
    # Another assignment to a map the worker can embed for succeeds.
    fine = store_finished_job(store, "alice", 300, with_terms=True)
    again = client.post(f"/api/jobs/{fine}/assignments", json={"documents": ["a font for the console"]})
    assert wait_state(client, again.json()["job_id"], {"succeeded", "failed"})["state"] == "succeeded"
