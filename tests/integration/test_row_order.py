"""The same corpus in another row order gives the same map, through the service and the command
line, with the real model on the 1,500 shipped Debian descriptions (topicmap/pipeline/order.py)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.test_cli import run_command
from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Worker

pytestmark = pytest.mark.integration


def by_id(topic_map: dict[str, Any]) -> dict[str, tuple[int, bool, float, float]]:
    docs = topic_map["documents"]
    return {
        doc_id: (docs["topic"][i], docs["outlier"][i], docs["x"][i], docs["y"][i])
        for i, doc_id in enumerate(docs["id"])
    }


def topics_of(topic_map: dict[str, Any]) -> list[tuple[int, str, int]]:
    return [(t["id"], t["label"], t["size"]) for t in topic_map["topics"]]


def shuffled(rows: list[Any], seed: int = 5) -> list[Any]:
    copy = list(rows)
    random.Random(seed).shuffle(copy)
    return copy


def test_the_service_gives_the_same_map_in_any_row_order(client: httpx.Client, worker: Worker) -> None:
    documents = sample_documents(1500)
    maps = []
    for order in (documents, shuffled(documents)):
        job_id = mapped_job(client, order)
        maps.append(client.get(f"/api/jobs/{job_id}/map").json())
    first, second = maps
    assert second["documents"]["id"] == [d["id"] for d in shuffled(documents)]  # the order given
    assert by_id(first) == by_id(second)
    assert topics_of(first) == topics_of(second) and len(topics_of(first)) > 5


def test_the_command_line_gives_the_same_map_in_any_row_order(tmp_path: Path) -> None:
    documents = sample_documents(1500)
    outputs = []
    for name, order in (("given", documents), ("shuffled", shuffled(documents, seed=9))):
        path = tmp_path / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text"])
            writer.writerows([d["id"], d["text"]] for d in order)
        result = run_command("fit", str(path), "--out", str(tmp_path / name))
        assert result.returncode == 0, result.stderr
        outputs.append(json.loads((tmp_path / name / "map.json").read_text(encoding="utf-8")))
    first, second = outputs
    assert by_id(first) == by_id(second)
    assert topics_of(first) == topics_of(second)
