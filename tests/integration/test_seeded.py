"""Seeded topics through the real service and the CLI, with the shipped model."""

from __future__ import annotations

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
SEEDS = [
    {"label": "Fonts", "description": "fonts and typefaces for the screen and printing"},
    {"label": "Tax returns", "description": "filing income tax returns with the revenue office"},
]


def test_seeded_topics_through_the_service(client: httpx.Client, worker: Worker) -> None:
    documents = sample_documents(300, offset=1200)
    section = {str(d["id"]): d["meta"]["section"] for d in documents}  # type: ignore[index]
    job_id = mapped_job(client, documents, min_topic_size=5, seed_topics=SEEDS)
    status = client.get(f"/api/jobs/{job_id}").json()
    assert any("Tax returns" in w and "matched no document" in w for w in status["warnings"]), status["warnings"]
    topics = client.get(f"/api/jobs/{job_id}/topics").json()
    [fonts] = [t for t in topics if t["label"] == "Fonts"]
    assert fonts["named_by"] == "person" and fonts["terms"]
    members = client.get(f"/api/jobs/{job_id}/topics/{fonts['id']}/documents", params={"limit": 500}).json()
    sections = [section[d["id"]] for d in members["documents"]]
    assert sections.count("fonts") / len(sections) > 0.6, sections
    assert not any(t["label"] == "Tax returns" for t in topics)

    for bad, message in [
        ([{"label": f"s{i}"} for i in range(51)], "at most 50"),
        ([{"description": "no label"}], "label"),
        ([{"label": "a"}, {"label": "A"}], "same label"),
    ]:
        body = {"documents": sample_documents(20), "params": {"seed_topics": bad}}
        refused = client.post("/api/jobs", json=body)
        assert refused.status_code == 422 and message in refused.json()["detail"], refused.text


def test_seeded_topics_from_the_cli(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"id": d["id"], "text": d["text"]}) for d in sample_documents(200, offset=100))
    )
    seeds = tmp_path / "seeds.json"
    seeds.write_text(json.dumps(SEEDS))
    out = tmp_path / "map"
    run = [sys.executable, "-m", "cli.main", "fit", str(corpus), "--out", str(out), "--min-topic-size", "5"]
    done = subprocess.run([*run, "--seed-topics", str(seeds)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    topic_map = json.loads((out / "map.json").read_text())
    assert any(t["label"] == "Fonts" and t["named_by"] == "person" for t in topic_map["topics"])
    seeds.write_text(json.dumps([{"description": "no label"}]))
    refused = subprocess.run([*run, "--seed-topics", str(seeds)], capture_output=True, text=True, cwd=ROOT)
    assert refused.returncode != 0 and "--seed-topics" in refused.stderr and "label" in refused.stderr
