"""Redis stays bounded: every key expires, statistics read counters, a per-key quota, a full Redis is a 503."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.integration.conftest import API_ENV, mapped_job, sample_documents
from tests.integration.servers import Api, Redis, Worker
from topicmap.render.pages import figure_artifact
from topicmap.schemas import DEFAULT_MODEL, QUERY_QUEUE, WEBHOOK_QUEUE
from topicmap.store import JobStore
from topicmap.store.library import ARCHIVE_DUE, LIBRARY_KEYS
from topicmap.store.people import RECORD_KEYS
from topicmap.store.shares import SHARE_KEYS

pytestmark = pytest.mark.integration

# Keys that Celery itself keeps in the broker: its queue list, exchange bindings and the unacked
# bookkeeping of reserved messages. They are bounded by the messages in flight.
CELERY_KEYS = ("celery", "_kombu", "unacked", "unacked_index", "unacked_mutex", QUERY_QUEUE, WEBHOOK_QUEUE)
FIXED_SIZE = {"tm:stats"}  # a handful of counters
BOUNDED_BY_KEPT_MAPS = {ARCHIVE_DUE}  # at most one member per kept map (a record): it never expires


@pytest.fixture(scope="module")
def finished_job(api: Api, worker: Worker) -> Iterator[str]:
    with api.client() as client:
        job_id = mapped_job(client, sample_documents(70, offset=1200), min_topic_size=5)
        client.get(f"/api/jobs/{job_id}/export.csv")  # an artifact too
        yield job_id


def commands(client: redis.Redis, *names: str) -> int:
    stats = client.info("commandstats")
    return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in names)


def test_every_key_the_service_writes_expires(finished_job: str, redis_server: Redis) -> None:
    client = redis.Redis.from_url(redis_server.url)
    unbounded = []
    for raw in client.scan_iter(count=500):
        key = raw.decode()
        if key in FIXED_SIZE | BOUNDED_BY_KEPT_MAPS:
            continue
        if key.startswith(CELERY_KEYS) and not key.startswith("celery-task-meta-"):
            continue
        if key.startswith(RECORD_KEYS + SHARE_KEYS + LIBRARY_KEYS):  # people, keys, shares, library: records
            continue
        if client.ttl(key) < 0:
            unbounded.append(key)
    assert unbounded == []


def test_a_job_counts_what_it_stores(client: httpx.Client, finished_job: str, redis_server: Redis) -> None:
    status = client.get(f"/api/jobs/{finished_job}").json()
    raw = redis.Redis.from_url(redis_server.url)
    record = JobStore(raw).get(finished_job)
    assert record is not None
    expected = raw.strlen(f"tm:corpus:{record.corpus}") + raw.strlen(f"tm:map:{finished_job}")
    expected += raw.strlen(JobStore._embedding_key(record.corpus, DEFAULT_MODEL))
    artifacts = f"tm:artifacts:{finished_job}"
    prerendered = raw.hstrlen(artifacts, "v1/" + figure_artifact("map", "json", texts=False))  # the page's map
    terms = raw.hstrlen(artifacts, "v1/terms.bin")  # what merges relabel from
    presence = raw.hstrlen(artifacts, "doc-terms.bin")  # what moves update the counts from
    assert prerendered > 0 and terms > 0 and presence > 0
    assert status["stored_bytes"] == expected + prerendered + terms + presence > 0
    # The owner's ledger names each of these things with its size.
    ledger = JobStore(raw).held_names("alice")
    assert ledger[f"tm:corpus:{record.corpus}"] == raw.strlen(f"tm:corpus:{record.corpus}")
    assert ledger[f"tm:map:{finished_job}"] == raw.strlen(f"tm:map:{finished_job}")
    assert ledger[f"{artifacts}#v1/terms.bin"] == terms and ledger[f"{artifacts}#doc-terms.bin"] == presence
    assert ledger[f"tm:job:{finished_job}"] > 0


def test_stats_and_metrics_read_counters_not_keys(
    client: httpx.Client, api: Api, finished_job: str, redis_server: Redis
) -> None:
    raw = redis.Redis.from_url(redis_server.url)
    before = commands(raw, "scan", "keys")
    assert client.get("/api/stats").status_code == 403  # a member
    with api.client("admin") as admin:
        stats = admin.get("/api/stats").json()
    metrics = httpx.get(f"{api.url}/metrics").text
    assert commands(raw, "scan", "keys") == before
    assert stats["jobs_submitted"] >= 1 and stats["jobs_by_state"]["succeeded"] >= 1
    assert stats["workers_alive"] >= 1 and "max_stored_bytes_per_key" in stats["limits"]
    assert stats["stored_bytes_by_owner"]["alice"] >= JobStore(raw).held("alice").bytes > 0
    assert f'topicmap_jobs_finished_total{{state="succeeded"}} {float(stats["jobs_by_state"]["succeeded"])}' in metrics


@pytest.fixture(scope="module")
def quota_api(redis_server: Redis, servers_dir: Path) -> Iterator[Api]:
    """An API on its own Redis database (no worker: jobs stay queued) with a 60 kB quota per key."""
    env = {
        **API_ENV,
        "TOPICMAP_MAX_STORED_BYTES_PER_KEY": "60000",
        "TOPICMAP_MAX_ACTIVE_JOBS_PER_KEY": "50",
    }
    server = Api(redis_server.url.removesuffix("/0") + "/1", servers_dir / "quota-api.log", extra_env=env)
    server.start()
    yield server
    server.stop()


def test_a_key_over_its_storage_quota_is_refused(quota_api: Api) -> None:
    with quota_api.client() as client, quota_api.client("bob") as bob:
        first = client.post("/api/jobs", json={"documents": sample_documents(150)})
        assert first.status_code == 202, first.text
        used = client.get(first.headers["location"]).json()["stored_bytes"]
        assert 0 < used < 60000
        statuses = []
        for offset in range(150, 1500, 150):
            response = client.post("/api/jobs", json={"documents": sample_documents(150, offset=offset)})
            statuses.append(response.status_code)
            if response.status_code == 429:
                break
        assert statuses[-1] == 429 and set(statuses[:-1]) <= {202}
        assert "storage quota" in response.json()["detail"] and int(response.headers["retry-after"]) > 0
        # Too big to ever fit: 413, whatever is stored.
        too_big = bob.post("/api/jobs", json={"documents": sample_documents(1500)})
        assert too_big.status_code == 413 and "storage quota" in too_big.json()["detail"]
        # The quota is per key: bob still has room.
        assert bob.post("/api/jobs", json={"documents": sample_documents(100)}).status_code == 202


def test_submit_cancel_purge_in_a_loop_never_holds_more_than_the_quota(quota_api: Api, redis_server: Redis) -> None:
    """Purging a job releases what only it held (its record); its corpus stays in Redis until it
    expires, so it keeps counting: the loop ends in a 429, and Redis never holds more than the quota."""
    raw = redis.Redis.from_url(redis_server.url.removesuffix("/0") + "/1")
    store = JobStore(raw)
    quota = 60000
    corpora: set[str] = set()
    refused = None
    quota_api.add_member("carol")  # a person of their own: nothing stored yet
    with quota_api.client("carol") as client:
        for offset in range(0, 3000, 100):
            response = client.post("/api/jobs", json={"documents": sample_documents(100, offset=offset)})
            if response.status_code == 429:
                refused = response
                break
            assert response.status_code == 202, response.text
            job = response.headers["location"]
            record = store.get(job.rsplit("/", 1)[-1])
            assert record is not None
            corpora.add(record.corpus)
            assert client.delete(job).json()["state"] == "cancelled"
            assert client.delete(job, params={"purge": "true"}).status_code == 204
            held = sum(raw.strlen(f"tm:corpus:{sha}") for sha in corpora)
            assert held <= quota  # what Redis really holds for this person
            assert store.held("carol").bytes >= held  # and all of it is counted
    assert refused is not None, "the loop was never refused"
    assert "storage quota" in refused.json()["detail"] and int(refused.headers["retry-after"]) > 0
    assert "expire" in refused.json()["detail"]


def test_a_full_redis_refuses_submissions_with_503_and_loses_nothing(quota_api: Api, redis_server: Redis) -> None:
    raw = redis.Redis.from_url(redis_server.url)
    with quota_api.client("bob") as client:
        kept = client.post("/api/jobs", json={"documents": sample_documents(40, offset=40)})
        assert kept.status_code == 202
        job = kept.headers["location"]
        try:
            raw.config_set("maxmemory", "1")  # below what is used: noeviction refuses every write
            refused = client.post("/api/jobs", json={"documents": sample_documents(40, offset=80)})
            assert refused.status_code == 503 and refused.headers["content-type"] == "application/problem+json"
            assert "memory limit" in refused.json()["detail"] and refused.headers["retry-after"]
            assert client.get(job).json()["state"] == "queued"  # what was stored is still there
            assert client.get("/api/health").status_code == 200
        finally:
            raw.config_set("maxmemory", "0")
        again = client.post("/api/jobs", json={"documents": sample_documents(40, offset=80)})
        assert again.status_code == 202
