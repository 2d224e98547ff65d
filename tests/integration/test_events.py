"""Open progress streams wait on Redis pub/sub: idle streams cost no Redis command, changes arrive."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
import redis

from tests.integration.conftest import unqueued_job
from tests.integration.servers import Api, Redis
from topicmap.schemas import Progress
from topicmap.store import JobStore

pytestmark = pytest.mark.integration
STREAMS = 40


def reads(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{c}", {}).get("calls", 0)) for c in ("get", "mget", "zrank", "exists"))


def running_job(store: JobStore) -> str:
    """A running job that no worker will touch, its heartbeat far ahead."""
    now = time.time()
    return unqueued_job(store, state="running", started_at=now, heartbeat_at=now + 3600, stage="embed")


async def follow(url: str, key: str, job_id: str, events: list[dict[str, Any]], first: asyncio.Event) -> None:
    async with (
        httpx.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=60) as client,
        client.stream("GET", f"/api/jobs/{job_id}/events") as stream,
    ):
        name = None
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append({"event": name, **json.loads(line.removeprefix("data: "))})
                first.set()
                if name == "end":
                    return


def test_idle_streams_do_not_poll_and_changes_reach_every_stream(api: Api, redis_server: Redis) -> None:
    raw = redis.Redis.from_url(redis_server.url)
    store = JobStore(raw)
    job_id = running_job(store)
    events: list[list[dict[str, Any]]] = [[] for _ in range(STREAMS)]
    measured: dict[str, int] = {}

    async def main() -> None:
        firsts = [asyncio.Event() for _ in range(STREAMS)]
        tasks = [
            asyncio.create_task(follow(api.url, api.keys["alice"], job_id, events[i], firsts[i]))
            for i in range(STREAMS)
        ]
        await asyncio.wait_for(asyncio.gather(*(f.wait() for f in firsts)), 60)
        before = reads(raw)
        await asyncio.sleep(3)  # three keep-alive periods of the test API (1 s)
        measured["idle_reads"] = reads(raw) - before
        await asyncio.to_thread(store.update, job_id, progress=Progress(done=5, total=10, fraction=0.5))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(store.update, job_id, state="succeeded", finished_at=time.time())
        await asyncio.wait_for(asyncio.gather(*tasks), 60)

    thread = threading.Thread(target=lambda: asyncio.run(main()))
    thread.start()
    thread.join(timeout=180)
    assert not thread.is_alive()
    # Polling each stream even once a second would be over a hundred reads here (0 measured); the
    # margin is for background traffic on the shared Redis (the worker's bookkeeping).
    assert measured["idle_reads"] < STREAMS // 4
    for stream in events:
        assert stream[0]["event"] == "progress" and stream[0]["state"] == "running"
        assert any(e["progress"]["fraction"] == 0.5 for e in stream)
        assert stream[-1]["event"] == "end" and stream[-1]["state"] == "succeeded"


def test_a_stream_sees_its_worker_go_silent(api: Api, redis_server: Redis) -> None:
    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = running_job(store)
    # Silent for 25 s (the test API's worker timeout is 30 s). Its worker still beats as a process,
    # naming this job, so the real worker's reaper (silent 4 s) leaves it alone.
    store.update(job_id, heartbeat_at=time.time() - 25, worker="phantom")
    store.beat("phantom", job_id)
    with (
        api.client() as client,
        client.stream("GET", f"/api/jobs/{job_id}/events", timeout=60) as stream,
    ):
        alive = []
        for line in stream.iter_lines():
            if line.startswith("data: "):
                alive.append(json.loads(line.removeprefix("data: "))["worker_alive"])
                if alive[-1] is False:
                    break
    assert alive[0] is True and alive[-1] is False  # no record change: recomputed on a keep-alive tick
    store.update(job_id, state="failed", finished_at=time.time())
