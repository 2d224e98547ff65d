"""Embedding spread over workers (worker/shards.py).

The claim table against a real redis-server; then two real Celery workers sharing one job, one of
them killed mid-shard, and the map compared with the same job on one worker.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import httpx
import numpy as np
import pytest
import redis

from tests.conftest import HashingEncoder
from tests.integration.conftest import WORKER_ENV, sample_documents, submit, wait_state, wait_until_idle
from tests.integration.servers import Redis, Worker, wait_for
from topicmap.store import JobStore
from worker.shards import MAX_SHARD_ATTEMPTS, ShardBoard, ShardFailed, embed_sharded, plan_shards

pytestmark = pytest.mark.integration


@pytest.fixture
def store(redis_server: Redis) -> JobStore:
    return JobStore(redis.Redis.from_url(redis_server.url), retention_s=600)


def test_shards_cover_the_texts_once() -> None:
    ranges = plan_shards(1003, 250)
    assert ranges[0][0] == 0 and ranges[-1][1] == 1003 and len(ranges) == 4
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert plan_shards(5, 250) == [(0, 5)]
    with pytest.raises(ValueError):
        plan_shards(5, 0)


def test_a_claim_is_taken_once_until_its_worker_goes_silent(store: JobStore) -> None:
    board = ShardBoard(store, f"job-{time.time_ns()}")
    assert board.create([["a", "b"], ["c"]])
    assert not board.create([["x"]])  # a resumed job keeps its shards
    assert board.claim("w1", stale_s=60, index=0) == 0
    assert board.claim("w2", stale_s=60, index=0) == -1  # held by a live worker: a duplicate does nothing
    assert board.claim("w2", stale_s=60) == 1  # any other shard
    assert board.set_state(1, "w2", "done")
    assert board.claim("w3", stale_s=60, index=1) == -1  # done stays done
    assert not board.set_state(0, "w2", "done")  # only the holder changes a claim
    time.sleep(0.05)
    assert board.claim("w2", stale_s=0.01, index=0) == 0  # w1 went silent: taken over, attempt 2
    claims = board.claims()
    assert claims[0]["worker"] == "w2" and claims[0]["attempts"] == 2
    board.drop()
    assert board.claims() == [] and board.texts(0) is None


def test_a_shard_that_fails_three_times_fails_the_job(store: JobStore) -> None:
    class BrokenEncoder(HashingEncoder):
        def encode(self, texts: Any) -> Any:
            raise RuntimeError("CUDA error: out of memory")

    texts = [f"text number {i}" for i in range(30)]
    with pytest.raises(ShardFailed, match=r"failed 3 times: RuntimeError: CUDA error: out of memory"):
        embed_sharded(
            store, f"job-{time.time_ns()}", texts, model="broken", encoder=BrokenEncoder(), worker="w1",
            shard_size=10, stale_s=60, dispatch=lambda job, n: None, progress=lambda d, t: None,
            on_shards=lambda s: None,
        )  # fmt: skip
    assert MAX_SHARD_ATTEMPTS == 3


def test_embeddings_are_kept_per_text_so_only_new_texts_are_embedded(store: JobStore) -> None:
    class CountingEncoder(HashingEncoder):
        def __init__(self) -> None:
            super().__init__()
            self.embedded: list[str] = []

        def encode(self, texts: Any) -> Any:
            self.embedded.extend(texts)
            return super().encode(texts)

    encoder, model = CountingEncoder(), f"model-{time.time_ns()}"
    summaries: list[Any] = []
    first = [f"document about topic {i % 7} number {i}" for i in range(40)]

    def run(texts: list[str], job: str) -> np.ndarray[Any, Any]:
        return embed_sharded(
            store, job, texts, model=model, encoder=encoder, worker="w1", shard_size=10, stale_s=60,
            dispatch=lambda job, n: None, progress=lambda d, t: None, on_shards=summaries.append,
        )  # fmt: skip

    vectors = run(first + first[:5], "job-a")  # duplicates embedded once
    assert len(encoder.embedded) == 40 and vectors.shape == (45, 64)
    assert np.allclose(vectors[40:], vectors[:5])
    assert summaries[-1].done == summaries[-1].total == 4 and summaries[-1].workers == {"w1": 4}
    again = run([*first[:20], "a new text", "another new one"], "job-b")
    assert encoder.embedded[40:] == ["a new text", "another new one"]
    assert np.allclose(again[:20], vectors[:20])


# --- two real workers ---------------------------------------------------------------------------

SHARD_ENV = {
    **WORKER_ENV,
    "TOPICMAP_SHARD_THRESHOLD": "500",
    "TOPICMAP_SHARD_SIZE": "100",
    "TOPICMAP_ONNX_THREADS": "1",  # one thread each: two workers on two cores
    "OMP_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}


@pytest.fixture
def own_workers(worker: Worker) -> Iterator[list[Worker]]:
    """Workers this test starts in place of the session's; the session worker is back afterwards."""
    started: list[Worker] = []
    worker.stop()
    yield started
    for process in started:
        process.stop()
    worker.start()


def documents() -> list[dict[str, Any]]:
    """800 Debian descriptions and their first sentences: about 1,500 distinct texts, 16 shards."""
    rows = sample_documents(800)
    firsts = [{"text": r["text"].split(". ")[0], "id": f"{r['id']}-first"} for r in rows]
    return rows + [f for f in firsts if len(f["text"]) > 30]


def forget_embeddings(store: JobStore) -> None:
    for pattern in ("tm:vec:*", "tm:embeddings:*"):
        for key in store.redis.scan_iter(pattern, count=1000):
            store.redis.delete(key)


def claims(store: JobStore, job_id: str) -> list[dict[str, Any]]:
    return ShardBoard(store, job_id).claims()


def test_two_workers_share_a_job_and_survive_one_killed_mid_shard(
    client: httpx.Client, worker: Worker, store: JobStore, own_workers: list[Worker]
) -> None:
    wait_until_idle(client)
    a = Worker(worker.redis_url, worker.log, "shard-a", SHARD_ENV)
    b = Worker(worker.redis_url, worker.log, "shard-b", SHARD_ENV)
    for process in (a, b):
        process.start()
        own_workers.append(process)
    corpus = documents()
    forget_embeddings(store)
    job_id = submit(client, corpus, seed=7)
    running = wait_state(client, job_id, {"running"})
    coordinator = running["worker"]
    other = b if coordinator == a.name else a

    def other_mid_second_shard() -> bool:
        table = claims(store, job_id)
        done_by_other = sum(1 for c in table if c["state"] == "done" and c["worker"] == other.name)
        holding = any(c["state"] == "running" and c["worker"] == other.name for c in table)
        return done_by_other >= 1 and holding

    wait_for(other_mid_second_shard, 240, f"{other.name} to take shards", interval=0.05)
    other.kill()

    def counted() -> dict[str, Any]:
        return client.get(f"/api/jobs/{job_id}").json()  # type: ignore[no-any-return]

    wait_for(
        lambda: counted()["shards"]["done"] > 0, 30, "the job record to count the shards done"
    )  # written in batches
    status = counted()
    assert status["stage"] == "embed" and 0 < status["shards"]["done"] < status["shards"]["total"]
    assert 0 < status["progress"]["fraction"] < 1
    final = wait_state(client, job_id, {"succeeded", "failed", "cancelled"}, timeout=400)
    assert final["state"] == "succeeded", final.get("error")
    shards = final["shards"]
    assert shards["done"] == shards["total"] >= 15
    assert set(shards["workers"]) == {a.name, b.name}  # both workers embedded shards
    assert shards["retried"] >= 1  # the killed worker's shard ran again
    two_workers = client.get(f"/api/jobs/{job_id}/map").json()

    # The same job on one worker, with nothing cached: the same map.
    forget_embeddings(store)
    again = submit(client, corpus, seed=7)
    assert wait_state(client, again, {"succeeded", "failed"}, timeout=400)["state"] == "succeeded"
    one_worker = client.get(f"/api/jobs/{again}/map").json()
    assert one_worker["documents"]["topic"] == two_workers["documents"]["topic"]
    assert [(t["id"], t["label"], t["size"]) for t in one_worker["topics"]] == [
        (t["id"], t["label"], t["size"]) for t in two_workers["topics"]
    ]
