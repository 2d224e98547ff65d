"""The hierarchy through the real API: the tree, a level's themes, the tree figure, the map by level."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Api, Worker

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def mapped(api: Api, worker: Worker) -> Iterator[str]:
    with api.client() as client:
        job_id = mapped_job(client, sample_documents(300, offset=1100), min_topic_size=5)
        yield job_id


def test_the_tree_and_its_levels(client: httpx.Client, mapped: str) -> None:
    hierarchy = client.get(f"/api/jobs/{mapped}/hierarchy").json()
    topics = client.get(f"/api/jobs/{mapped}/topics").json()
    assert hierarchy["levels"][0] == "coarse" and hierarchy["levels"][-1] == "fine"
    nodes = {n["id"]: n for n in hierarchy["nodes"]}
    assert nodes["root"]["size"] == 300 and nodes["root"]["parent"] is None
    coarse = client.get(f"/api/jobs/{mapped}/topics", params={"level": "coarse"}).json()
    assert 2 <= len(coarse) < len(topics) and all(n["level"] == "coarse" for n in coarse)
    assert sorted(t for n in coarse for t in n["topics"]) == sorted(t["id"] for t in topics)
    assert sum(n["size"] for n in coarse) == 300 and all(n["label"] and n["terms"] for n in coarse)
    fine = client.get(f"/api/jobs/{mapped}/topics", params={"level": "fine"}).json()
    assert {n["label"] for n in fine} == {t["label"] for t in topics}


def test_figures_of_the_tree_and_of_a_level(client: httpx.Client, mapped: str) -> None:
    tree = client.get(f"/api/jobs/{mapped}/figure", params={"kind": "tree"}).json()
    [sunburst] = tree["data"]
    assert sunburst["type"] == "sunburst" and "root" in sunburst["ids"]
    coarse = client.get(f"/api/jobs/{mapped}/topics", params={"level": "coarse"}).json()
    by_level = client.get(f"/api/jobs/{mapped}/figure", params={"kind": "map", "level": "coarse"}).json()
    candidates = by_level["layout"]["meta"]["labels"]  # the page places those that fit (topicmap/render/labels.js)
    assert set(candidates["text"]) == {n["label"] for n in coarse} and set(candidates["tier"]) == {1}
    point_traces = [t for t in by_level["data"] if t["type"] == "scattergl" and t["meta"]["topic"] >= 0]
    assert len(point_traces) <= len(coarse)
    page = client.get(f"/api/jobs/{mapped}/figure", params={"kind": "tree", "format": "html"})
    assert page.status_code == 200 and "sunburst" in page.text


def test_bad_levels_are_refused(client: httpx.Client, api: Api, mapped: str) -> None:
    response = client.get(f"/api/jobs/{mapped}/topics", params={"level": "tiny"})
    assert response.status_code == 422 and "its levels are coarse" in response.json()["detail"]
    assert client.get(f"/api/jobs/{mapped}/figure", params={"kind": "map", "level": "tiny"}).status_code == 422
    with api.client("bob") as bob:
        assert bob.get(f"/api/jobs/{mapped}/hierarchy").status_code == 404
