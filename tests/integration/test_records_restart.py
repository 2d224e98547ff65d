"""People, keys and shares are records: they survive a redis-server restart (AOF, as configured) —
a clean one, and a SIGKILL one second after the last write (appendfsync everysec)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import redis

from tests.integration.servers import Redis
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("how", ["shutdown", "sigkill"])
def test_records_survive_a_restart(tmp_path: Path, how: str) -> None:
    server = Redis(tmp_path / "redis")
    server.start()
    try:
        store = JobStore(redis.Redis.from_url(server.url))
        store.add_user("ana", "member")
        key = store.add_key("ana", "a" * 64)
        share = store.share_with("job-1", "ana", "editor", by="admin")
        link = store.add_link("job-1", "b" * 64, by="admin", expires_at=None)
        if how == "shutdown":
            server.restart()
        else:
            time.sleep(1.5)  # appendfsync everysec: a second later the writes are on disk
            assert server.process is not None
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
            server.start()
        store = JobStore(redis.Redis.from_url(server.url))
        assert store.get_user("ana") is not None
        found = store.key_of_hash("a" * 64)
        assert found is not None and found.id == key.id
        assert store.share_of("job-1", "ana") == share
        found_link = store.link_of_token("b" * 64)  # (its last use is recorded as it is read)
        assert found_link is not None and found_link.id == link.id and found_link.job == "job-1"
    finally:
        server.stop()
