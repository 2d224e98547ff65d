"""Tags on documents through the API and the CLI: an edit like any other, undone by a revert."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Worker

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_tags_through_the_api(client: httpx.Client, worker: Worker) -> None:
    job_id = mapped_job(client, sample_documents(80, offset=900), min_topic_size=5)
    base = f"/api/jobs/{job_id}"
    ids = client.get(f"{base}/map").json()["documents"]["id"]
    edit = client.post(f"{base}/edits", json={"operations": [{"op": "tag", "ids": ids[:3], "tag": "refund"}]})
    assert edit.status_code == 201, edit.text
    tags = client.get(f"{base}/map").json()["documents"]["tags"]
    assert tags[:4] == [["refund"], ["refund"], ["refund"], []]
    listed = client.post(f"{base}/documents/by-ids", json={"ids": ids[:1]}).json()["documents"]
    assert listed[0]["tags"] == ["refund"]
    for bad, status in [
        ({"op": "tag", "ids": ids[:1], "tag": "  "}, 422),
        ({"op": "tag", "ids": [], "tag": "x"}, 422),
        ({"op": "tag", "ids": ["no-such-document"], "tag": "x"}, 404),
    ]:
        refused = client.post(f"{base}/edits", json={"operations": [bad]})
        assert refused.status_code == status, refused.text
    client.post(f"{base}/edits", json={"operations": [{"op": "revert", "version": 1}]})
    assert client.get(f"{base}/map").json()["documents"].get("tags") is None


def test_tags_from_the_cli(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": d["id"], "text": d["text"]}) for d in sample_documents(60)))
    out = tmp_path / "map"
    run = [sys.executable, "-m", "cli.main"]
    subprocess.run(
        [*run, "fit", str(corpus), "--out", str(out), "--min-topic-size", "5", "--quiet"], check=True, cwd=ROOT
    )
    first = sample_documents(1)[0]["id"]
    done = subprocess.run(
        [*run, "edit", str(out), "--tag", f"to review={first}"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    with (out / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert rows[str(first)]["tags"] == "to review"
    bad = subprocess.run([*run, "edit", str(out), "--tag", "=x"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode != 0 and "--tag wants" in bad.stderr
