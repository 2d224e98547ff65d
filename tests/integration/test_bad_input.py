"""Every kind of bad input gets a 4xx problem with a readable detail, and the service keeps working."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.integration.conftest import sample_csv, sample_documents, submit, wait_state
from tests.integration.servers import Worker

pytestmark = pytest.mark.integration

TEXTS = [f"document {i} about rockets and orbits" for i in range(20)]

JSON_CASES: list[tuple[str, Any, int, str]] = [
    ("empty list", {"documents": []}, 422, "the corpus is empty"),
    ("only empty documents", {"documents": ["", "  ", "\n"] * 5}, 422, "the corpus is empty"),
    ("one document", {"documents": ["just one"]}, 422, "too few documents: 1 non-empty"),
    ("too many documents", {"documents": ["x y"] * 3001}, 413, "too many documents: more than 3000, at most 3000"),
    ("invalid params", {"documents": TEXTS, "params": {"min_topic_size": 1}}, 422, "params.min_topic_size"),
    ("unknown param", {"documents": TEXTS, "params": {"colour": "red"}}, 422, "params.colour"),
    ("not a list", {"documents": "text"}, 422, "documents"),
    ("a number as text", {"documents": [{"text": 3}] * 12}, 422, "documents.0.text: Input should be a valid string"),
    ("a number as a document", {"documents": [*TEXTS, 7]}, 422, "a document is a text, or an object with text"),
    ("a misspelt text key", {"documents": [{"txt": "a"}] * 12}, 422, "text: Field required; documents.0.txt: Extra"),
    ("a model path", {"documents": TEXTS, "params": {"model": "/etc"}}, 422, "'/etc' is not a model of this service"),
    ("an unknown model", {"documents": TEXTS, "params": {"model": "gpt"}}, 422, "use one of: all-MiniLM-L6-v2, minilm"),
    ("an unknown language", {"documents": TEXTS, "params": {"languages": ["klingon"]}}, 422, "params.languages.0"),
]


@pytest.mark.parametrize(("case", "body", "status", "detail"), JSON_CASES, ids=[c[0] for c in JSON_CASES])
def test_bad_json_bodies(client: httpx.Client, case: str, body: Any, status: int, detail: str) -> None:
    response = client.post("/api/jobs", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_malformed_json(client: httpx.Client) -> None:
    response = client.post("/api/jobs", content=b'{"documents": [', headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "json" in response.json()["detail"].lower()


def test_body_over_the_cap(client: httpx.Client) -> None:
    response = client.post("/api/jobs", json={"documents": ["word " * 1000] * 500})
    assert response.status_code == 413 and "over the limit of 2000000 bytes" in response.json()["detail"]

    def chunks():  # no Content-Length: the cap is enforced on the bytes actually received
        for _ in range(300):
            yield b"x" * 10_000

    streamed = client.post("/api/jobs", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413


def test_wrong_content_type(client: httpx.Client) -> None:
    response = client.post("/api/jobs", content=b"a,b", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and "multipart/form-data" in response.json()["detail"]


UPLOAD_CASES = [
    (
        "unknown column",
        sample_csv(20),
        {"text_column": "body"},
        "unknown text column 'body'; the columns are: id, section, description",
    ),
    ("malformed csv", b'id,text\n1,"never closed\n', {}, "malformed CSV at line"),
    ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00", {}, "binary file"),
    ("bad params json", sample_csv(20), {"params": "{nope"}, "params: not valid JSON"),
    ("bad params value", sample_csv(20), {"params": json.dumps({"seed": -1})}, "params.seed"),
]


@pytest.mark.parametrize(("case", "content", "data", "detail"), UPLOAD_CASES, ids=[c[0] for c in UPLOAD_CASES])
def test_bad_uploads(client: httpx.Client, case: str, content: bytes, data: dict[str, str], detail: str) -> None:
    response = client.post("/api/jobs", files={"file": ("corpus.csv", content, "text/csv")}, data=data)
    assert response.status_code == 422, response.text
    assert detail in response.json()["detail"]


def test_upload_without_a_file(client: httpx.Client) -> None:
    response = client.post("/api/jobs", data={"text_column": "text"}, files={"other": ("x.txt", b"x", "text/plain")})
    assert response.status_code == 422 and "field 'file'" in response.json()["detail"]


def test_unknown_job_and_bad_queries(client: httpx.Client) -> None:
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.get("/api/jobs", params={"limit": 0}).status_code == 422
    assert client.get("/api/jobs/x" * 100).status_code == 404


def test_long_documents_are_truncated_and_counted(client: httpx.Client, worker: Worker) -> None:
    documents = [d["text"] for d in sample_documents(40)] + ["long " * 1000]
    job_id = submit(client, documents, min_topic_size=5)
    status = wait_state(client, job_id, {"succeeded", "failed"})
    assert status["documents"]["truncated"] == 1 and status["state"] == "succeeded"


def test_the_next_valid_job_still_succeeds(client: httpx.Client, worker: Worker) -> None:
    job_id = submit(client, sample_documents(60, offset=500), min_topic_size=5)
    assert wait_state(client, job_id, {"succeeded", "failed"})["state"] == "succeeded"
