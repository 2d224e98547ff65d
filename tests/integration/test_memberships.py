"""Several topics per document through the service: the map, the documents' topics, the filter, the CSV."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Worker

pytestmark = pytest.mark.integration


def test_documents_have_up_to_three_topics_and_can_be_filtered_by_the_second(
    client: httpx.Client, worker: Worker
) -> None:
    job_id = mapped_job(client, sample_documents(200, offset=200), min_topic_size=5)
    base = f"/api/jobs/{job_id}"
    docs = client.get(f"{base}/map").json()["documents"]
    assert len(docs["top_topics"]) == len(docs["id"]) == len(docs["top_strengths"])
    assert all(row[0] == own for row, own in zip(docs["top_topics"], docs["topic"], strict=True) if own >= 0)
    assert all(0 <= s <= 1 for row in docs["top_strengths"] for s in row)
    first, second = docs["top_topics"][0][:2]
    listed = client.get(f"{base}/topics/{first}/documents", params={"also": second, "limit": 500}).json()
    assert listed["total"] >= 1
    for doc in listed["documents"]:
        assert doc["topic"] == first and second in [t["topic"] for t in doc["topics"][1:]]
    strengths = [next(t["strength"] for t in d["topics"] if t["topic"] == second) for d in listed["documents"]]
    assert strengths == sorted(strengths, reverse=True)  # strongest first
    assert client.get(f"{base}/topics/{first}/documents", params={"also": 999}).status_code == 404

    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/export.csv").content.decode("utf-8-sig"))))
    assert {"strength", "topic_2", "strength_2", "topic_3", "strength_3", "duplicate_group"} <= set(rows[0])
    assert rows[0]["topic_2"] == str(docs["top_topics"][0][1])
