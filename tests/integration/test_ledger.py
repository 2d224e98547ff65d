"""The storage ledger (topicmap/store/ledger.py) against a real redis-server: atomic, all or
nothing, forgets what expired, releases what was deleted, and guards new map versions."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.api.maps import small_map
from tests.integration.conftest import unqueued_job
from tests.integration.servers import Redis
from topicmap.errors import OverQuota
from topicmap.schemas import MapVersion
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


@pytest.fixture
def store(redis_server: Redis) -> JobStore:
    client = redis.Redis.from_url(redis_server.url.removesuffix("/0") + "/3")
    client.flushdb()
    return JobStore(client)


def test_charging_again_replaces_and_release_forgets(store: JobStore) -> None:
    assert store.charge("ann", {"tm:corpus:a": 100, "tm:map:1": 50}).bytes == 150
    assert store.charge("ann", {"tm:corpus:a": 100}).bytes == 150  # the same thing stored again
    assert store.charge("ann", {"tm:map:1": 80}).bytes == 180  # rewritten bigger
    assert store.release("ann", ["tm:map:1", "tm:never-charged"]) == 100
    assert store.held("ann").bytes == 100 and store.held("ben").bytes == 0


def test_what_expired_stops_counting(store: JobStore) -> None:
    store.charge("ann", {"tm:corpus:old": 500}, expires_at=time.time() + 0.5)
    store.charge("ann", {"tm:corpus:new": 70})
    held = store.held("ann")
    assert held.bytes == 570 and held.first_expiry is not None and held.first_expiry < time.time() + 1
    time.sleep(0.7)
    assert store.held("ann").bytes == 70
    assert store.held_names("ann") == {"tm:corpus:new": 70}


def test_a_charge_over_the_quota_counts_nothing(store: JobStore) -> None:
    store.charge("ann", {"tm:corpus:a": 900}, quota=1000)
    with pytest.raises(OverQuota) as refused:
        store.charge("ann", {"tm:corpus:b": 60, "tm:corpus:c": 60}, quota=1000)
    assert not refused.value.never_fits and refused.value.held == 900
    assert "storage quota" in str(refused.value)
    assert store.held_names("ann") == {"tm:corpus:a": 900}
    with pytest.raises(OverQuota) as alone:
        store.charge("ann", {"tm:corpus:huge": 5000}, quota=1000)
    assert alone.value.never_fits


def test_concurrent_charges_never_pass_the_quota(store: JobStore) -> None:
    def attempt(n: int) -> bool:
        try:
            store.charge("ann", {f"tm:corpus:{n}": 10}, quota=100)
        except OverQuota:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        accepted = sum(pool.map(attempt, range(40)))
    assert accepted == 10 and store.held("ann").bytes == 100


def test_a_version_over_the_owners_quota_is_refused_and_not_written(store: JobStore) -> None:
    job = unqueued_job(store, owner="ann", state="succeeded")
    topic_map = small_map()[0]
    first = store.put_map(job, topic_map)
    assert store.held_names("ann")[f"tm:map:{job}"] == first
    entry = MapVersion(number=2, created_at=time.time(), author="ann", based_on=1)
    store.write_version(job, 1, topic_map, entry, quota=first * 3)  # fits
    entry3 = MapVersion(number=3, created_at=time.time(), author="ann", based_on=2)
    with pytest.raises(OverQuota):
        store.write_version(job, 2, topic_map, entry3, quota=first * 2)
    record = store.get(job)
    assert record is not None and record.latest_version == 2 and store.get_map(job, 3) is None
    store.put_artifact(job, "v2/figure.json", b"x" * 40)
    names = store.held_names("ann")
    assert names[f"tm:map:{job}:v2"] == first and names[f"tm:artifacts:{job}#v2/figure.json"] == 40
    store.purge(record)  # everything the job alone held is released
    assert not any(job in name for name in store.held_names("ann"))
