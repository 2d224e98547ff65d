"""Sharing a map through the API: with a person (viewer, then editor), by a link, and revoking."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
import redis

from tests.integration.servers import Api, Redis
from tests.integration.synthetic import store_finished_job
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


def member(api: Api, name: str) -> httpx.Client:
    with api.client("admin") as admin:
        made = admin.post("/api/users", json={"name": name})
        assert made.status_code == 201, made.text
    return httpx.Client(base_url=api.url, headers={"X-API-Key": made.json()["key"]["key"]}, timeout=60)


def test_a_viewer_reads_an_editor_edits_a_revoked_share_ends_at_once(api: Api, redis_server: Redis) -> None:
    suffix = uuid.uuid4().hex[:6]
    a_name, b_name = f"a-{suffix}", f"b-{suffix}"
    with member(api, a_name) as a, member(api, b_name) as b:
        store = JobStore(redis.Redis.from_url(redis_server.url))
        job_id = store_finished_job(store, a_name, 200, n_topics=8, with_terms=True)
        private = store_finished_job(store, a_name, 60, n_topics=3)
        assert b.get(f"/api/jobs/{job_id}/map").status_code == 404
        shared = a.post(f"/api/jobs/{job_id}/shares", json={"user": b_name, "role": "viewer"})
        assert shared.status_code == 201 and shared.json()["role"] == "viewer"
        listing = b.get("/api/jobs", params={"shared": "true"}).json()["jobs"]
        assert [(j["job_id"], j["owner"], j["role"]) for j in listing] == [(job_id, a_name, "viewer")]
        assert b.get("/api/jobs").json()["total"] == 0  # my jobs: none of my own
        assert b.get(f"/api/jobs/{job_id}/map").status_code == 200
        assert b.get(f"/api/jobs/{job_id}/export.csv").status_code == 200
        rename = {"operations": [{"op": "rename", "topic": 0, "label": "By B"}]}
        refused = b.post(f"/api/jobs/{job_id}/edits", json=rename)
        assert refused.status_code == 403 and "viewer" in refused.json()["detail"]
        assert b.get(f"/api/jobs/{private}/map").status_code == 404  # A's other map stays unseen
        assert b.post(f"/api/jobs/{job_id}/shares", json={"role": "viewer"}).status_code == 403  # no re-sharing
        again = a.post(f"/api/jobs/{job_id}/shares", json={"user": b_name, "role": "editor"})
        assert again.json()["id"] == shared.json()["id"] and again.json()["role"] == "editor"
        edited = b.post(f"/api/jobs/{job_id}/edits", json=rename)
        assert edited.status_code == 201 and edited.json()["author"] == b_name
        assert b.delete(f"/api/jobs/{job_id}").status_code == 403  # an editor does not cancel or purge
        shares = a.get(f"/api/jobs/{job_id}/shares").json()
        assert [(s["user"], s["role"]) for s in shares] == [(b_name, "editor")]
        assert a.delete(f"/api/jobs/{job_id}/shares/{shares[0]['id']}").status_code == 200
        assert b.get(f"/api/jobs/{job_id}/map").status_code == 404
        assert b.get("/api/jobs", params={"shared": "true"}).json()["jobs"] == []


def test_a_link_opens_one_map_until_it_is_revoked_or_expires(api: Api, redis_server: Redis) -> None:
    suffix = uuid.uuid4().hex[:6]
    with member(api, f"l-{suffix}") as owner:
        store = JobStore(redis.Redis.from_url(redis_server.url))
        job_id = store_finished_job(store, f"l-{suffix}", 100, n_topics=5)
        made = owner.post(f"/api/jobs/{job_id}/shares", json={"role": "viewer", "expires_in_s": 3600})
        assert made.status_code == 201
        token, url = made.json()["token"], made.json()["url"]
        assert url == f"/s/{token}" and len(token) > 40 and made.json()["share"]["user"] is None
        assert token not in str(store.redis.hgetall(f"tm:shares:{job_id}"))  # stored hashed
        page = httpx.get(f"{api.url}{url}")
        assert page.status_code == 200 and "<html" in page.text.lower()
        with httpx.Client(base_url=api.url, headers={"X-Share-Token": token}) as by_link:
            assert by_link.get(f"/api/jobs/{job_id}/topics").status_code == 200
            listed = owner.get(f"/api/jobs/{job_id}/shares").json()[0]
            assert listed["expires_at"] > time.time() and listed["last_used_at"] is not None
            assert owner.delete(f"/api/jobs/{job_id}/shares/{listed['id']}").status_code == 200
            gone = by_link.get(f"/api/jobs/{job_id}/topics")
            assert gone.status_code == 404 and "revoked" in gone.json()["detail"]
        bad = [
            owner.post(f"/api/jobs/{job_id}/shares", json={"role": "editor"}),
            owner.post(f"/api/jobs/{job_id}/shares", json={"user": "no-such-user", "role": "viewer"}),
            owner.post(f"/api/jobs/{job_id}/shares", json={"role": "owner"}),
            owner.post(f"/api/jobs/{job_id}/shares", json={"role": "viewer", "expires_in_s": 5}),
            owner.post(f"/api/jobs/{job_id}/shares", json={"user": f"l-{suffix}", "role": "viewer"}),
        ]
        assert [r.status_code for r in bad] == [422] * 5, [r.text for r in bad]
        assert owner.delete(f"/api/jobs/{job_id}/shares/nope").status_code == 404
        expiring = owner.post(f"/api/jobs/{job_id}/shares", json={"role": "viewer", "expires_in_s": 60}).json()
        share = json.loads(store.redis.hget(f"tm:shares:{job_id}", expiring["share"]["id"]))
        share["expires_at"] = time.time() - 1  # as it will be in a minute
        store.redis.hset(f"tm:shares:{job_id}", share["id"], json.dumps(share))
        with httpx.Client(base_url=api.url, headers={"X-Share-Token": expiring["token"]}) as by_link:
            assert by_link.get(f"/api/jobs/{job_id}/map").status_code == 404
            assert by_link.get("/api/link").status_code == 404
        metrics = httpx.get(f"{api.url}/metrics").text
        assert "topicmap_share_token_failures_total" in metrics
