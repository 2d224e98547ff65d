"""Search by meaning through the real API, the job worker and the query worker (queue ``queries``)."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.conftest import mapped_job, sample_documents, submit, wait_state
from tests.integration.servers import Api, Worker

pytestmark = pytest.mark.integration


def test_search_by_meaning_finds_documents_and_topics_while_a_job_runs(
    client: httpx.Client, api: Api, worker: Worker, query_worker: Worker
) -> None:
    documents = sample_documents(300, offset=0)
    section = {str(d["id"]): d["meta"]["section"] for d in documents}  # type: ignore[index]
    job_id = mapped_job(client, documents, min_topic_size=5)
    base = f"/api/jobs/{job_id}"

    # The job worker busy with a long job: a search does not wait for it.
    busy = submit(client, [f"busy: {d['text']}" for d in sample_documents(1500)])
    wait_state(client, busy, {"running"})
    found = client.get(f"{base}/search", params={"q": "typefaces for printing and the screen", "limit": 10})
    assert found.status_code == 200, found.text
    assert client.get(f"/api/jobs/{busy}").json()["state"] == "running"  # answered while the job ran
    hits = found.json()["documents"]
    assert len(hits) == 10 and [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert sum(section[h["id"]] == "fonts" for h in hits) >= 8, [(section[h["id"]], h["text"][:60]) for h in hits]
    assert {"text", "topic", "label", "x", "y", "score"} <= set(hits[0])
    topics = client.get(f"{base}/topics/search", params={"q": "e-mail servers and mailing lists"}).json()["topics"]
    assert "mail" in topics[0]["label"] and topics[0]["score"] > topics[-1]["score"]
    keyword = client.get(f"{base}/documents", params={"q": "font"}).json()  # the keyword search stays
    assert keyword["total"] > 0
    assert client.delete(f"/api/jobs/{busy}").status_code in (200, 202)

    assert client.get(f"{base}/search", params={"q": "x" * 1001}).status_code == 422
    assert client.get(f"{base}/search", params={"q": "   "}).status_code == 422
    assert client.get(f"{base}/search").status_code == 422
    with api.client("bob") as bob:
        assert bob.get(f"{base}/search", params={"q": "fonts"}).status_code == 404

    # Without a query worker, a new query is a 503 that says so, and a repeated one still answers.
    query_worker.stop()
    try:
        again = client.get(f"{base}/search", params={"q": "typefaces for printing and the screen"})
        assert again.status_code == 200  # its embedding was kept
        down = client.get(f"{base}/topics/search", params={"q": "something never asked before"})
        assert down.status_code == 503 and "query worker" in down.json()["detail"]
    finally:
        query_worker.start()
    assert wait_state(client, busy, {"cancelled", "succeeded", "failed"})["state"] == "cancelled"
