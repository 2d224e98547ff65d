"""Hostile uploads against a real API process with the production body cap (50 MB), its memory
watched: a file of 25 million lines (also in another encoding, rewritten as UTF-8 first), a CSV of 200
columns and a JSON body of a million documents are refused at the first document (or column) past the
cap, and the API keeps answering."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import Api, Redis

pytestmark = pytest.mark.integration
MB = 1024 * 1024


@pytest.fixture(scope="module")
def big_api(redis_server: Redis, servers_dir: Path) -> Iterator[Api]:
    env = {"TOPICMAP_MAX_UPLOAD_BYTES": str(50 * MB), "TOPICMAP_MAX_DOCUMENTS": "200000"}
    server = Api(redis_server.url.removesuffix("/0") + "/2", servers_dir / "big-api.log", extra_env=env)
    server.start()
    yield server
    server.stop()


def memory_mb(api: Api, field: str) -> float:
    """VmRSS (now) or VmHWM (the peak so far) of the API process, in MB."""
    assert api.process is not None
    status = Path(f"/proc/{api.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def upload(api: Api, name: str, data: bytes, fields: dict[str, str] | None = None) -> httpx.Response:
    with api.client("alice") as client:
        return client.post("/api/jobs", files={"file": (name, data)}, data=fields or {}, timeout=120)


def test_hostile_files_are_refused_at_the_cap_with_little_memory(big_api: Api) -> None:
    before = memory_mb(big_api, "VmRSS")
    lines = b"a\n" * 25_000_000  # 50 MB: 25 million documents
    refused = upload(big_api, "lines.txt", lines)
    assert refused.status_code == 413, refused.text
    assert "too many documents: more than 200000" in refused.json()["detail"]
    del lines
    latin = b"caf\xe9\n" * 10_000_000  # 50 MB in the Windows code page: rewritten as UTF-8 (on disk past 8 MiB)
    refused = upload(big_api, "lines.txt", latin, {"encoding": "cp1252"})
    assert refused.status_code == 413 and "too many documents: more than 200000" in refused.json()["detail"]
    del latin
    header = ",".join(f"c{i}" for i in range(200)).encode() + b"\n"
    wide = header + (b"x," * 199 + b"some text here\n") * 120_000  # 200 columns, ~48 MB
    refused = upload(big_api, "wide.csv", wide)
    assert refused.status_code == 413 and "too many columns: 200, at most 100" in refused.json()["detail"]
    del wide
    body = b'{"documents": [' + b'"a",' * 1_000_000 + b'"a"]}'  # a million documents, 4 MB
    with big_api.client("alice") as client:
        refused = client.post("/api/jobs", content=body, headers={"Content-Type": "application/json"}, timeout=60)
        assert refused.status_code == 413 and "more than 200000" in refused.json()["detail"]
        assert client.get("/api/health").status_code == 200  # still answering
    peak = memory_mb(big_api, "VmHWM")
    assert peak - before < 400, f"the API grew from {before:.0f} MB to a peak of {peak:.0f} MB"


def test_a_valid_upload_still_parses(big_api: Api) -> None:
    rows = "".join(f"{i},package number {i} does useful things\n" for i in range(20_000))
    accepted = upload(big_api, "ok.csv", ("id,text\n" + rows).encode())
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["documents"]["used"] == 20_000
    with big_api.client("alice") as client:
        client.delete(accepted.headers["location"])  # no worker on this database: never runs
