"""Topics per class and over time through the real API and worker: params, map, figures, edits, errors."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Api, Worker
from topicmap.render.charts import MAX_TOPICS

pytestmark = pytest.mark.integration


def dated_documents(n: int, offset: int) -> list[dict[str, object]]:
    documents = sample_documents(n, offset)
    for i, document in enumerate(documents):
        meta = document["meta"]
        assert isinstance(meta, dict)
        meta["date"] = "unknown" if i % 40 == 0 else f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    return documents  # type: ignore[return-value]


def test_topics_per_class_and_over_time(client: httpx.Client, api: Api, worker: Worker) -> None:
    documents = dated_documents(200, offset=1300)
    job_id = mapped_job(client, documents, min_topic_size=5, class_column="section", time_column="date")
    base = f"/api/jobs/{job_id}"
    status = client.get(base).json()
    assert status["warnings"] == [
        "time column 'date': 5 of 200 values are missing or not dates (ISO 8601, e-mail dates, day/month/year "
        "numbers, years, quarters, month names, Unix seconds or milliseconds); over_time leaves them out"
    ]
    topic_map = client.get(f"{base}/map").json()
    per_class, over_time = topic_map["per_class"], topic_map["over_time"]
    sections = {d["meta"]["section"] for d in documents}  # type: ignore[index]
    assert per_class["column"] == "section" and set(per_class["classes"]) == sections
    assert sum(map(sum, per_class["counts"])) == 200 and per_class["topics"] == [t["id"] for t in topic_map["topics"]]
    for j in range(len(per_class["classes"])):
        assert abs(sum(row[j] for row in per_class["shares"]) - 1) < 0.01
    assert over_time["unit"] == "month" and over_time["bins"][0] == "2024-01" and over_time["unparsed"] == 5
    assert sum(map(sum, over_time["counts"])) == 195
    assert topic_map["meta"]["warnings"] == status["warnings"]

    chart = client.get(f"{base}/figure", params={"kind": "per_class"}).json()
    if len(per_class["topics"]) <= MAX_TOPICS:  # a colour each: stacked bars, else a heatmap of every topic
        assert {trace["type"] for trace in chart["data"]} == {"bar"} and chart["layout"]["barmode"] == "stack"
        assert chart["data"][0]["name"] == topic_map["topics"][0]["label"]
    else:
        assert [trace["type"] for trace in chart["data"]] == ["heatmap"]
        assert chart["data"][0]["y"] == [topic["label"] for topic in topic_map["topics"]]
    lines = client.get(f"{base}/figure", params={"kind": "over_time"}).json()
    assert lines["data"][0]["type"] == "scatter" and len(lines["data"][0]["x"]) == len(over_time["bins"])
    page = client.get(f"{base}/figure", params={"kind": "over_time", "format": "html"})
    assert page.status_code == 200 and "Topics over time" in page.text

    # An edit moves documents between topics: the views follow the new version.
    first, second = topic_map["topics"][0]["id"], topic_map["topics"][1]["id"]
    merged = client.post(f"{base}/edits", json={"operations": [{"op": "merge", "topics": [first, second]}]})
    assert merged.status_code == 201, merged.text
    after = client.get(f"{base}/map").json()
    assert second not in after["per_class"]["topics"] and sum(map(sum, after["over_time"]["counts"])) == 195
    row = after["per_class"]["topics"].index(first)
    before = [a + b for a, b in zip(per_class["counts"][0], per_class["counts"][1], strict=True)]
    assert after["per_class"]["counts"][row] == before


def test_bad_columns(client: httpx.Client, api: Api, worker: Worker) -> None:
    documents = dated_documents(60, offset=1300)
    response = client.post("/api/jobs", json={"documents": documents, "params": {"class_column": "team"}})
    assert response.status_code == 422
    assert (
        response.json()["detail"]
        == "class_column: the documents have no column 'team'; their columns are: section, date"
    )
    # A time column with no date at all: the map is made, with a warning, without over_time.
    job_id = mapped_job(client, documents, time_column="section")
    status = client.get(f"/api/jobs/{job_id}").json()
    assert "has no value that is a date" in status["warnings"][0]
    assert client.get(f"/api/jobs/{job_id}/map").json()["over_time"] is None
    missing = client.get(f"/api/jobs/{job_id}/figure", params={"kind": "per_class"})
    assert missing.status_code == 404 and "params.class_column" in missing.json()["detail"]
    unit = client.post("/api/jobs", json={"documents": documents, "params": {"time_bins": "fortnight"}})
    assert unit.status_code == 422
