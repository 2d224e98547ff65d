"""Semantic axes through the real API, the job worker and the query worker (it embeds the poles)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.integration.conftest import mapped_job, sample_documents, submit, wait_state
from tests.integration.servers import Api, Redis, Worker

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_axes_place_documents_and_topics_between_poles_while_a_job_runs(
    client: httpx.Client, api: Api, worker: Worker, query_worker: Worker
) -> None:
    documents = sample_documents(300, offset=300)
    section = {str(d["id"]): d["meta"]["section"] for d in documents}  # type: ignore[index]
    job_id = mapped_job(client, documents, min_topic_size=5)
    base = f"/api/jobs/{job_id}"
    busy = submit(client, [f"busy: {d['text']}" for d in sample_documents(1500)])
    wait_state(client, busy, {"running"})

    params = {"x": "fonts and typefaces,games to play", "y": ["sending e-mail", "music and audio"]}
    answer = client.get(f"{base}/axes", params=params)
    assert answer.status_code == 200, answer.text
    assert client.get(f"/api/jobs/{busy}").json()["state"] == "running"  # answered while the job ran
    body = answer.json()
    assert body["x"] == {"negative": "fonts and typefaces", "positive": "games to play"}
    assert body["scale"].startswith("cos(document, positive)")
    docs = body["documents"]
    assert len(docs["id"]) == len(docs["x"]) == len(docs["y"]) == 300

    def mean(axis: str, of: str) -> float:
        return float(np.mean([v for i, v in zip(docs["id"], docs[axis], strict=True) if section[i] == of]))

    assert mean("x", "games") > 0 > mean("x", "fonts")  # games toward "games", fonts toward "fonts"
    assert mean("y", "sound") > mean("y", "mail")
    topics = body["topics"]
    assert topics and all({"topic", "label", "size", "x", "y"} <= set(t) for t in topics)
    sizes = {t["topic"]: t["size"] for t in topics}
    assert sum(sizes.values()) <= 300

    figure = client.get(f"{base}/figure", params={"kind": "axes", **params})
    assert figure.status_code == 200, figure.text
    plotted = figure.json()
    assert plotted["data"][0]["type"] == "scattergl" and plotted["layout"]["meta"]["kind"] == "axes"
    one = client.get(f"{base}/figure", params={"kind": "axes", "x": "price", "format": "html"})
    assert one.status_code == 200 and "Semantic axes" in one.text

    for bad, message in [
        ({"x": "problem"}, "two poles"),
        ({"x": ",praise"}, "empty"),
        ({"x": "a" * 201 + ",b"}, "at most 200"),
        ({"x": "a,b", "y": "c"}, "y: give two poles"),
    ]:
        refused = client.get(f"{base}/axes", params=bad)
        assert refused.status_code == 422 and message in refused.json()["detail"], refused.text
    assert client.get(f"{base}/axes").status_code == 422  # no x
    assert client.get(f"{base}/figure", params={"kind": "axes"}).status_code == 422
    assert client.delete(f"/api/jobs/{busy}").status_code in (200, 202)


def test_the_cli_writes_axes_for_a_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "\n".join(json.dumps({"id": d["id"], "text": d["text"]}) for d in sample_documents(200, offset=600))
    )
    run = [sys.executable, "-m", "cli.main"]
    subprocess.run(
        [*run, "fit", str(corpus), "--out", str(tmp_path / "map"), "--min-topic-size", "5"], check=True, cwd=ROOT
    )
    done = subprocess.run(
        [*run, "axes", str(tmp_path / "map"), "--x", "fonts,games", "--y", "price"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "x: fonts ← → games" in done.stdout and (tmp_path / "map" / "axes.html").is_file()
    rows = (tmp_path / "map" / "axes.csv").read_text().splitlines()
    assert rows[0] == "id,topic,x,y" and len(rows) == 201
    bad = subprocess.run(
        [*run, "axes", str(tmp_path / "map"), "--x", "fonts"], capture_output=True, text=True, cwd=ROOT
    )
    assert bad.returncode != 0 and "two poles" in bad.stderr


def test_an_axis_on_a_map_whose_model_the_query_worker_lacks_is_a_409(
    client: httpx.Client, api: Api, query_worker: Worker, redis_server: Redis
) -> None:
    from tests.integration.synthetic import store_finished_job, synthetic_embeddings
    from topicmap.store import JobStore
    from topicmap.vectors import dump_array

    store = JobStore.from_url(redis_server.url)
    job_id = store_finished_job(store, "alice", 200, n_topics=5)
    record = store.get(job_id)
    assert record is not None
    retired = record.params.model_copy(update={"model": "retired-model"})  # no longer offered anywhere
    store.update(job_id, params=retired)
    topic_map = store.get_map(job_id)
    assert topic_map is not None
    store.put_embeddings(record.corpus, "retired-model", dump_array(synthetic_embeddings(topic_map)))
    refused = client.get(f"/api/jobs/{job_id}/axes", params={"x": "old,new"})
    assert refused.status_code == 409 and "does not have this map's model" in refused.json()["detail"], refused.text
