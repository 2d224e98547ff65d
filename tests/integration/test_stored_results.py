"""Maps and exports are sent from the bytes stored in Redis: gzip passed through, ETag and 304."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator

import httpx
import pytest
import redis

from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Api, Redis, Worker
from topicmap.render.pages import figure_artifact
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def finished_job(api: Api, worker: Worker) -> Iterator[str]:
    with api.client() as client:
        job_id = mapped_job(client, sample_documents(80, offset=500), min_topic_size=5)
        yield job_id


def raw_get(client: httpx.Client, url: str, **headers: str) -> tuple[httpx.Response, bytes]:
    with client.stream("GET", url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def test_the_map_is_sent_as_stored(client: httpx.Client, finished_job: str, redis_server: Redis) -> None:
    stored = redis.Redis.from_url(redis_server.url).get(f"tm:map:{finished_job}")
    assert stored is not None
    response, body = raw_get(client, f"/api/jobs/{finished_job}/map", **{"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip" and body == stored
    assert json.loads(gzip.decompress(body))["meta"]["n_documents"] == 80

    plain, plain_body = raw_get(client, f"/api/jobs/{finished_job}/map", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain_body == gzip.decompress(stored)
    assert plain.headers["etag"] == response.headers["etag"]

    again = client.get(f"/api/jobs/{finished_job}/map", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    stale = client.get(f"/api/jobs/{finished_job}/map", headers={"If-None-Match": 'W/"0000"'})
    assert stale.status_code == 200


def test_texts_and_exports_are_built_once_then_stored(
    client: httpx.Client, finished_job: str, redis_server: Redis
) -> None:
    store = redis.Redis.from_url(redis_server.url)
    first = client.get(f"/api/jobs/{finished_job}/map", params={"include": "text"})
    texts = first.json()["documents"]["text"]
    assert texts == [d["text"] for d in sample_documents(80, offset=500)]
    artifacts = f"tm:artifacts:{finished_job}"
    assert store.hexists(artifacts, "v1/map-text.json")  # renderings are kept per map version
    assert 0 < store.ttl(artifacts) <= store.ttl(f"tm:map:{finished_job}")  # expires with the map
    second = client.get(f"/api/jobs/{finished_job}/map", params={"include": "text"})
    assert second.headers["etag"] == first.headers["etag"] and second.json() == first.json()

    export = client.get(f"/api/jobs/{finished_job}/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 80 and export.headers["content-disposition"].startswith("attachment")
    assert store.hexists(artifacts, "v1/documents.csv")
    unchanged = client.get(f"/api/jobs/{finished_job}/export.csv", headers={"If-None-Match": export.headers["etag"]})
    assert unchanged.status_code == 304

    table = client.get(f"/api/jobs/{finished_job}/topics.csv")  # one row per topic: the report's table
    topics = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    stored_topics = client.get(f"/api/jobs/{finished_job}/topics").json()
    assert [(int(t["topic"]), t["label"]) for t in topics] == [(t["id"], t["label"]) for t in stored_topics]
    assert sum(int(t["size"]) for t in topics) == 80 and topics[0]["representative_1"] in texts
    assert table.headers["content-disposition"].startswith("attachment") and store.hexists(artifacts, "v1/topics.csv")

    name = client.get(f"/api/jobs/{finished_job}").json()["name"]  # named by its first text: in the downloads' titles
    picture = client.get(f"/api/jobs/{finished_job}/figure", params={"kind": "map", "format": "png"})
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    stored_as = "v1/" + figure_artifact("map", "png", titled=name)
    assert picture.content.startswith(b"\x89PNG") and store.hexists(artifacts, stored_as)
    vector = client.get(f"/api/jobs/{finished_job}/figure", params={"kind": "map", "format": "svg"})
    assert vector.headers["content-type"].startswith("image/svg+xml") and vector.text.lstrip().startswith("<svg")

    figure = client.get(f"/api/jobs/{finished_job}/figure", params={"kind": "sizes", "format": "html"})
    assert figure.headers["content-type"].startswith("text/html") and "<html" in figure.text
    assert store.hexists(artifacts, "v1/" + figure_artifact("sizes", "html", titled=name))


def test_the_pages_map_is_rendered_by_the_worker(client: httpx.Client, finished_job: str, redis_server: Redis) -> None:
    prerendered = redis.Redis.from_url(redis_server.url).hget(
        f"tm:artifacts:{finished_job}", "v1/" + figure_artifact("map", "json", texts=False)
    )
    assert prerendered is not None  # stored as the job ended, before anyone asked
    url = f"/api/jobs/{finished_job}/figure?kind=map&texts=false"
    response, body = raw_get(client, url, **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and body == prerendered
    figure = json.loads(gzip.decompress(body))
    assert figure["layout"]["meta"]["labels"]["text"] and "hovertext" not in figure["data"][0]


def test_a_rendering_of_an_earlier_drawing_is_drawn_again(
    client: httpx.Client, finished_job: str, redis_server: Redis
) -> None:
    """A deploy that draws a chart differently: a map made before it gets the new drawing."""
    raw = redis.Redis.from_url(redis_server.url)
    store = JobStore(raw)
    before = "v1/figure-terms.json"  # the first drawing's name
    assert "v1/" + figure_artifact("terms", "json") != before
    store.put_artifact(finished_job, before, gzip.compress(b'{"data": [], "layout": {"title": "old"}}'))
    record = store.get(finished_job)
    assert record is not None and f"tm:artifacts:{finished_job}#{before}" in store.held_names(record.owner)
    figure = client.get(f"/api/jobs/{finished_job}/figure", params={"kind": "terms"}).json()
    assert figure["data"] and figure["layout"]["title"] != "old"
    assert raw.hexists(f"tm:artifacts:{finished_job}", "v1/" + figure_artifact("terms", "json"))
    assert not raw.hexists(f"tm:artifacts:{finished_job}", before)  # the old drawing is deleted
    assert f"tm:artifacts:{finished_job}#{before}" not in store.held_names(record.owner)  # and no longer counted


def test_nginx_passes_the_stored_gzip_through(edge: str, api: Api, finished_job: str, redis_server: Redis) -> None:
    stored = redis.Redis.from_url(redis_server.url).get(f"tm:map:{finished_job}")
    with httpx.Client(base_url=edge, headers={"X-API-Key": api.keys["alice"]}) as via_nginx:
        response, body = raw_get(via_nginx, f"/api/jobs/{finished_job}/map", **{"Accept-Encoding": "gzip"})
        assert response.headers["content-encoding"] == "gzip" and body == stored  # not compressed twice
        unchanged = via_nginx.get(f"/api/jobs/{finished_job}/map", headers={"If-None-Match": response.headers["etag"]})
        assert unchanged.status_code == 304


def test_another_keys_job_stays_hidden(api: Api, finished_job: str) -> None:
    with api.client("bob") as bob:
        assert bob.get(f"/api/jobs/{finished_job}/map").status_code == 404
        assert bob.get(f"/api/jobs/{finished_job}/export.csv").status_code == 404
        refused = bob.post(f"/api/jobs/{finished_job}/documents/by-ids", json={"ids": ["d0"]})
        assert refused.status_code == 404


def test_documents_are_fetched_by_id_a_page_at_a_time(client: httpx.Client, finished_job: str) -> None:
    topic_map = client.get(f"/api/jobs/{finished_job}/map").json()
    assert topic_map["documents"]["text"] is None  # the map itself carries no texts
    ids = topic_map["documents"]["id"]
    wanted = [ids[7], ids[0], "no-such-id", ids[41]]
    found = client.post(f"/api/jobs/{finished_job}/documents/by-ids", json={"ids": wanted})
    assert found.status_code == 200, found.text
    body = found.json()
    assert [d["id"] for d in body["documents"]] == [ids[7], ids[0], ids[41]] and body["missing"] == ["no-such-id"]
    texts = {d["id"]: d["text"] for d in sample_documents(80, offset=500)}
    first = body["documents"][0]
    assert first["text"] == texts[ids[7]] and first["topic"] == topic_map["documents"]["topic"][7]
    assert first["x"] == pytest.approx(topic_map["documents"]["x"][7])

    too_many = client.post(f"/api/jobs/{finished_job}/documents/by-ids", json={"ids": ["a"] * 501})
    assert too_many.status_code == 422 and "500" in too_many.text
    no_version = client.post(f"/api/jobs/{finished_job}/documents/by-ids?version=9", json={"ids": ids[:1]})
    assert no_version.status_code == 404 and "version" in no_version.json()["detail"]
