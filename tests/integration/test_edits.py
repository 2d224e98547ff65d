"""Edits make versions, through the real API: rename, revert, If-Match, history, every view by version."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.integration.conftest import mapped_job, sample_documents, unqueued_job
from tests.integration.servers import Api, Redis, Worker
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mapped(api: Api, worker: Worker) -> Iterator[str]:
    with api.client() as client:
        job_id = mapped_job(client, sample_documents(200, offset=400), min_topic_size=5)
        yield job_id


def edit(
    client: httpx.Client, job_id: str, *operations: dict[str, object], version: str | None = None
) -> httpx.Response:
    headers = {"If-Match": version} if version is not None else {}
    return client.post(f"/api/jobs/{job_id}/edits", json={"operations": list(operations)}, headers=headers)


def labels(client: httpx.Client, job_id: str, **params: object) -> dict[int, str]:
    return {t["id"]: t["label"] for t in client.get(f"/api/jobs/{job_id}/topics", params=params).json()}


def test_rename_revert_and_history(client: httpx.Client, mapped: str, redis_server: Redis) -> None:
    base = f"/api/jobs/{mapped}"
    original = labels(client, mapped)
    assert client.get(f"{base}/map").headers["x-topicmap-version"] == "1"
    assert [v["number"] for v in client.get(f"{base}/versions").json()] == [1]

    renamed = edit(client, mapped, {"op": "rename", "topic": 0, "label": "Networking"}, version='"1"')
    assert renamed.status_code == 201, renamed.text
    assert renamed.json()["number"] == 2 and renamed.json()["author"] == "alice"
    assert renamed.headers["location"] == f"{base}/map?version=2"

    # Every view shows the latest version; ?version=1 still shows the pipeline's.
    latest = client.get(f"{base}/map")
    assert latest.headers["x-topicmap-version"] == "2"
    topic = next(t for t in latest.json()["topics"] if t["id"] == 0)
    assert topic["label"] == "Networking" and topic["named_by"] == "person"
    assert labels(client, mapped)[0] == "Networking" and labels(client, mapped, version=1) == original
    leaf = next(n for n in client.get(f"{base}/hierarchy").json()["nodes"] if n["id"] == "t0")
    assert leaf["label"] == "Networking"
    assert "Networking" in client.get(f"{base}/figure", params={"kind": "sizes"}).text
    assert "Networking" not in client.get(f"{base}/figure", params={"kind": "sizes", "version": 1}).text
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/export.csv").content.decode("utf-8-sig"))))
    assert {r["label"] for r in rows if r["topic"] == "0"} == {"Networking"}
    table = client.get(f"{base}/topics.csv").content.decode("utf-8-sig")
    assert next(r for r in csv.DictReader(io.StringIO(table)) if r["topic"] == "0")["label"] == "Networking"
    first_table = client.get(f"{base}/topics.csv", params={"version": 1}).content.decode("utf-8-sig")
    assert "Networking" not in first_table  # each version its own table

    # Two clients that both saw version 2: the first edit wins, the second is told (412), not lost.
    theme = next(n for n in client.get(f"{base}/hierarchy").json()["nodes"] if n["level"] == "coarse")
    first = edit(client, mapped, {"op": "rename", "node": theme["id"], "label": "Servers"}, version='"2"')
    second = edit(client, mapped, {"op": "rename", "topic": 1, "label": "Late"}, version='"2"')
    assert first.status_code == 201 and second.status_code == 412 and "version 3" in second.json()["detail"]
    # The person's label of topic 0 survived the edit of another node.
    assert labels(client, mapped)[0] == "Networking"

    # Undo = revert to the version before: version 4 has the pipeline's labels again.
    reverted = edit(client, mapped, {"op": "revert", "version": 1})
    assert reverted.status_code == 201 and reverted.json()["number"] == 4
    assert labels(client, mapped) == original
    history = client.get(f"{base}/versions").json()
    assert [(v["number"], v["author"], v["based_on"]) for v in history] == [
        (1, "pipeline", None), (2, "alice", 1), (3, "alice", 2), (4, "alice", 3)
    ]  # fmt: skip
    assert history[1]["operations"] == [{"op": "rename", "topic": 0, "label": "Networking"}]
    store = redis.Redis.from_url(redis_server.url)
    assert 0 < store.ttl(f"tm:map:{mapped}:v4") <= store.ttl(f"tm:map:{mapped}")  # expires with the job


def test_bad_edits_are_4xx(client: httpx.Client, api: Api, mapped: str, redis_server: Redis) -> None:
    base = f"/api/jobs/{mapped}"

    assert edit(client, mapped, {"op": "rename", "topic": 999, "label": "x"}).status_code == 404
    assert edit(client, mapped, {"op": "rename", "node": "zz", "label": "x"}).status_code == 404
    assert edit(client, mapped, {"op": "revert", "version": 99}).status_code == 404
    assert edit(client, mapped, {"op": "rename", "topic": 0, "node": "c0", "label": "x"}).status_code == 422
    assert edit(client, mapped, {"op": "rename", "topic": 0, "label": "x"}, version="nonsense").status_code == 412
    assert client.get(f"{base}/map", params={"version": 99}).status_code == 404
    with api.client("bob") as bob:
        assert bob.post(f"{base}/edits", json={"operations": [{"op": "revert", "version": 1}]}).status_code == 404
        assert bob.get(f"{base}/versions").status_code == 404

    # A job that has not finished cannot be edited.
    store = JobStore(redis.Redis.from_url(redis_server.url))
    running = unqueued_job(store)
    response = client.post(f"/api/jobs/{running}/edits", json={"operations": [{"op": "revert", "version": 1}]})
    assert response.status_code == 409
    store.update(running, state="cancelled", finished_at=time.time())


def test_merge_and_reduce_make_versions_from_the_stored_term_counts(
    client: httpx.Client, api: Api, worker: Worker
) -> None:
    job_id = mapped_job(client, sample_documents(240, offset=700), min_topic_size=5)
    base = f"/api/jobs/{job_id}"
    topics = client.get(f"{base}/topics").json()
    assert len(topics) >= 3
    first, second = topics[0], topics[1]  # the largest first
    latest = client.get(f"{base}/versions").json()[-1]["number"]
    merged = edit(client, job_id, {"op": "merge", "topics": [second["id"], first["id"]]}, version=f'"{latest}"')
    assert merged.status_code == 201, merged.text
    after = {t["id"]: t for t in client.get(f"{base}/topics").json()}
    assert second["id"] not in after and after[first["id"]]["size"] == first["size"] + second["size"]
    assert after[first["id"]]["terms"] and after[first["id"]]["label"]
    documents = client.get(f"{base}/map").json()["documents"]
    assert documents["topic"].count(first["id"]) == first["size"] + second["size"]
    assert {n["level"] for n in client.get(f"{base}/hierarchy").json()["nodes"]} >= {"root", "fine"}

    named = edit(client, job_id, {"op": "rename", "topic": first["id"], "label": "Both together"})
    assert named.status_code == 201  # a rename keeps the term counts: the next merge still works
    reduced = edit(client, job_id, {"op": "reduce", "n_topics": 2})
    assert reduced.status_code == 201, reduced.text
    assert len(client.get(f"{base}/topics").json()) <= 2
    versions = client.get(f"{base}/versions").json()
    assert [v["operations"][0]["op"] for v in versions[-3:]] == ["merge", "rename", "reduce"]
    back = edit(client, job_id, {"op": "revert", "version": 1})
    assert back.status_code == 201 and len(client.get(f"{base}/topics").json()) == len(topics)

    unknown = edit(client, job_id, {"op": "merge", "topics": [first["id"], 999]})
    assert unknown.status_code == 404 and "no topic 999" in unknown.json()["detail"]
    itself = edit(client, job_id, {"op": "merge", "topics": [first["id"], first["id"]]})
    assert itself.status_code == 422 and "listed twice" in itself.text
    with api.client("bob") as bob:
        assert edit(bob, job_id, {"op": "merge", "topics": [first["id"], second["id"]]}).status_code == 404

    # Move a few documents of the second topic into the first: sizes and terms follow.
    page = client.get(f"{base}/topics/{second['id']}/documents", params={"limit": 4}).json()
    ids = [d["id"] for d in page["documents"]]
    moved = edit(client, job_id, {"op": "move", "documents": ids, "topic": first["id"]})
    assert moved.status_code == 201, moved.text
    after_move = {t["id"]: t["size"] for t in client.get(f"{base}/topics").json()}
    assert after_move[first["id"]] == first["size"] + 4 and after_move[second["id"]] == second["size"] - 4
    found = client.post(f"{base}/documents/by-ids", json={"ids": ids}).json()["documents"]
    assert {d["topic"] for d in found} == {first["id"]}
    nowhere = edit(client, job_id, {"op": "move", "documents": ["no-such-document"], "topic": first["id"]})
    assert nowhere.status_code == 404 and "no document" in nowhere.json()["detail"]


def test_split_reclusters_a_topic_from_its_stored_embeddings(
    client: httpx.Client, api: Api, worker: Worker, redis_server: Redis
) -> None:
    job_id = mapped_job(client, sample_documents(240, offset=1000), min_topic_size=5)
    base = f"/api/jobs/{job_id}"
    # Keep the embeddings per text, as a sharded job does (not once per corpus): a split reads those.
    store = JobStore(redis.Redis.from_url(redis_server.url))
    record = store.get(job_id)
    assert record is not None
    corpus = store.get_corpus(record.corpus)
    vectors = store.get_embeddings(record.corpus, record.params.model)
    assert corpus is not None and vectors is not None
    from topicmap.vectors import encode_rows, load_array

    store.put_vectors(record.params.model, corpus["texts"], encode_rows(load_array(vectors)))
    store.redis.delete(store._embedding_key(record.corpus, record.params.model))

    topics = client.get(f"{base}/topics").json()
    first, second = topics[0], topics[1]
    assert edit(client, job_id, {"op": "merge", "topics": [first["id"], second["id"]]}).status_code == 201
    split = edit(client, job_id, {"op": "split", "topic": first["id"], "k": 2})
    assert split.status_code == 201, split.text
    after = {t["id"]: t for t in client.get(f"{base}/topics").json()}
    new_ids = set(after) - {t["id"] for t in topics}
    assert len(after) == len(topics) and len(new_ids) == 1  # one topic became two again
    new_id = new_ids.pop()
    assert after[first["id"]]["size"] + after[new_id]["size"] == first["size"] + second["size"]
    assert after[new_id]["label"] and after[new_id]["terms"] and after[new_id]["representative_documents"]
    leaves = {n["id"] for n in client.get(f"{base}/hierarchy").json()["nodes"] if n["level"] == "fine"}
    assert f"t{new_id}" in leaves
    assert client.get(f"{base}/versions").json()[-1]["operations"] == [{"op": "split", "topic": first["id"], "k": 2}]

    smallest = min(after.values(), key=lambda t: t["size"])
    small = edit(client, job_id, {"op": "split", "topic": smallest["id"], "k": 20})
    assert small.status_code == 422 and "needs at least 20 x 5" in small.json()["detail"]
    assert edit(client, job_id, {"op": "split", "topic": 999}).status_code == 404
    with api.client("bob") as bob:
        assert edit(bob, job_id, {"op": "split", "topic": first["id"]}).status_code == 404
    # (Expired embeddings answer 409: tests/core/test_regroup.py; the API keeps read ones parsed.)
