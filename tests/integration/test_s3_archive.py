"""The map archive in an S3-compatible bucket: a real S3 server process (moto's server mode), an API
configured for it, a map kept, its working copy expired and restored from the bucket."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import redis

from tests.integration.servers import BIN, Api, Redis, free_port, wait_for
from tests.integration.synthetic import store_finished_job
from topicmap.store import JobStore

pytestmark = pytest.mark.integration
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "topicmap-test",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = BIN / "moto_server"
    if not server.exists() and shutil.which("moto_server") is None:
        pytest.fail("moto_server is not installed (make test installs moto[server])")
    port = free_port()
    log = tmp_path_factory.mktemp("s3") / "moto.log"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=url, **credentials())
    wait_for(lambda: client.list_buckets() is not None, 60, "the S3 server")
    client.create_bucket(Bucket="maps")
    yield url
    process.terminate()
    process.wait(timeout=20)


def credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
    }


@pytest.fixture(scope="module")
def s3_api(redis_server: Redis, s3_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = {
        "TOPICMAP_ARCHIVE_S3_BUCKET": "maps",
        "TOPICMAP_ARCHIVE_S3_ENDPOINT": s3_server,
        "TOPICMAP_ARCHIVE_S3_PREFIX": "kept/",
        "TOPICMAP_ARCHIVE_DIR": "/nonexistent/never-used",
        **CREDENTIALS,
    }
    server = Api(redis_server.url, Path(tmp_path_factory.mktemp("s3-api")) / "api.log", extra_env=settings)
    server.start()
    yield server
    server.stop()


def test_a_map_kept_in_a_bucket_comes_back_from_it(s3_api: Api, s3_server: str, redis_server: Redis) -> None:
    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = store_finished_job(store, "alice", 300, n_topics=6, with_terms=True)
    bucket = boto3.client("s3", endpoint_url=s3_server, **credentials())
    with s3_api.client("alice") as alice:
        kept = alice.post(f"/api/jobs/{job_id}/keep", json={"name": "In a bucket", "tags": ["s3"]})
        assert kept.status_code == 200, kept.text
        stored = bucket.get_object(Bucket="maps", Key=f"kept/{job_id}.topicmap")
        assert stored["ContentLength"] == kept.json()["bytes"]
        before = alice.get(f"/api/jobs/{job_id}/map").json()
        client = redis.Redis.from_url(redis_server.url)
        keys = [k for k in client.scan_iter(match=f"tm:*{job_id}*") if not k.startswith((b"tm:kept:", b"tm:shares"))]
        client.delete(*keys)
        assert alice.get(f"/api/jobs/{job_id}/map").json()["topics"] == before["topics"]
        assert alice.get("/api/maps", params={"tag": "s3"}).json()["maps"][0]["job"] == job_id
        assert alice.delete(f"/api/jobs/{job_id}/keep").status_code == 204
        assert bucket.list_objects_v2(Bucket="maps", Prefix="kept/").get("KeyCount", 0) == 0
