"""make backup → wipe everything (Redis flushed, archive deleted) → make restore: people and their keys
work again, the library lists the kept map, and it opens with all its versions and tags. Its own
redis-server and API: the wipe must not touch the session's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.integration.servers import Api, Redis
from tests.integration.synthetic import store_finished_job
from topicmap.store import JobStore

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[Redis, Api, Path]]:
    server = Redis(tmp_path / "redis")
    server.start()
    archive = tmp_path / "archive"
    api = Api(server.url, tmp_path / "api.log", extra_env={"TOPICMAP_ARCHIVE_DIR": str(archive)})
    api.start()
    yield server, api, archive
    api.stop()
    server.stop()


def make(target: str, backup: Path, redis_url: str, archive: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TOPICMAP_REDIS_URL": redis_url, "TOPICMAP_ARCHIVE_DIR": str(archive)}
    # -o: the virtual environment counts as installed (make test has just made it)
    command = ["make", "-s", "-o", ".venv/.installed", target, f"BACKUP_DIR={backup}"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_backup_wipe_restore(service: tuple[Redis, Api, Path], tmp_path: Path) -> None:
    server, api, archive = service
    store = JobStore(redis.Redis.from_url(server.url))
    job_id = store_finished_job(store, "alice", 300, n_topics=6, with_terms=True)
    base = f"/api/jobs/{job_id}"
    with api.client("alice") as alice:
        ids = alice.get(f"{base}/map").json()["documents"]["id"]
        for operations in (
            [{"op": "tag", "ids": ids[:5], "tag": "to review"}],
            [{"op": "rename", "topic": 0, "label": "Kept label"}],
        ):
            assert alice.post(f"{base}/edits", json={"operations": operations}).status_code == 201
        assert alice.post(f"{base}/keep", json={"name": "Backed up", "tags": ["ops"]}).status_code == 200
        shared = alice.post(f"{base}/shares", json={"user": "bob", "role": "viewer"})
        assert shared.status_code == 201
        before = alice.get(f"{base}/map").json()

    backup = tmp_path / "backup"
    done = make("backup", backup, server.url, archive)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (backup / "archive" / f"{job_id}.topicmap").is_file()

    redis.Redis.from_url(server.url).flushall()  # the wipe: every record and working copy
    shutil.rmtree(archive)
    with api.client("alice") as alice:
        assert alice.get("/api/maps").status_code == 401  # alice's key went with Redis

    done = make("restore", backup, server.url, archive)
    assert done.returncode == 0, done.stdout + done.stderr
    with api.client("alice") as alice, api.client("bob") as bob:
        library = alice.get("/api/maps").json()
        assert [m["job"] for m in library["maps"]] == [job_id] and library["maps"][0]["tags"] == ["ops"]
        after = alice.get(f"{base}/map")
        assert after.status_code == 200, after.text
        assert after.json()["topics"] == before["topics"]
        assert after.json()["documents"]["tags"][:5] == [["to review"]] * 5
        assert [v["number"] for v in alice.get(f"{base}/versions").json()] == [1, 2, 3]
        assert bob.get(f"{base}/map").status_code == 200  # the share came back too

    client = redis.Redis.from_url(server.url)  # the index lost alone: rebuilt from the archive
    client.delete(*client.scan_iter(match="tm:kept:*"), *client.scan_iter(match="tm:library*"))
    env = {**os.environ, "TOPICMAP_REDIS_URL": server.url, "TOPICMAP_ARCHIVE_DIR": str(archive)}
    command = [sys.executable, "-m", "cli.main", "library", "rebuild"]
    rebuilt = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert rebuilt.returncode == 0 and "lists 1 kept maps" in rebuilt.stderr, rebuilt.stderr
    with api.client("alice") as alice:
        assert alice.get("/api/maps").json()["maps"][0]["name"] == "Backed up"


def test_restore_refuses_an_altered_backup(service: tuple[Redis, Api, Path], tmp_path: Path) -> None:
    server, api, archive = service
    store = JobStore(redis.Redis.from_url(server.url))
    job_id = store_finished_job(store, "alice", 100, n_topics=3)
    with api.client("alice") as alice:
        assert alice.post(f"/api/jobs/{job_id}/keep", json={"name": "x"}).status_code == 200
    backup = tmp_path / "backup"
    assert make("backup", backup, server.url, archive).returncode == 0
    bundle = backup / "archive" / f"{job_id}.topicmap"
    bundle.write_bytes(bundle.read_bytes()[:-10])
    done = make("restore", backup, server.url, archive)
    assert done.returncode != 0 and "does not match the backup's digest" in done.stderr
    refused = make("restore", tmp_path / "backup-missing", server.url, archive)
    assert refused.returncode != 0 and "not a topicmap backup" in refused.stderr
