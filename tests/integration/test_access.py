"""Who may do what, on every route of the OpenAPI schema: the owner, an editor and a viewer it was
shared with, a share link, another member, no key, an admin. A route missing from the table below
fails the test, so a new route cannot forget to declare who may call it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import redis

from tests.integration.servers import Api, Redis, Worker
from tests.integration.synthetic import store_finished_job
from topicmap.store import JobStore

pytestmark = pytest.mark.integration

PRINCIPALS = ("owner", "editor", "viewer", "link", "other", "none", "admin")
READ = {"owner", "editor", "viewer", "link", "admin"}
ASSIGN = {"owner", "editor", "viewer", "admin"}  # documents put into the map (not added): any key that reads it
EDIT = {"owner", "editor", "admin"}
OWN = {"owner", "admin"}
JOB_ROUTES: dict[tuple[str, str], set[str]] = {
    ("GET", ""): READ,
    ("DELETE", ""): OWN,
    ("PATCH", ""): OWN,
    ("GET", "/events"): READ,
    ("POST", "/rerun"): OWN,
    ("GET", "/map"): READ,
    ("GET", "/topics"): READ,
    ("GET", "/hierarchy"): READ,
    ("GET", "/topics/{topic_id}/documents"): READ,
    ("GET", "/documents"): READ,
    ("POST", "/documents/by-ids"): READ,
    ("GET", "/figure"): READ,
    ("GET", "/export.csv"): READ,
    ("GET", "/topics.csv"): READ,
    ("GET", "/columns"): READ,
    ("GET", "/columns/{name}"): READ,
    ("GET", "/search"): READ,
    ("GET", "/topics/search"): READ,
    ("GET", "/axes"): READ,
    ("GET", "/versions"): READ,
    ("POST", "/edits"): EDIT,
    ("POST", "/assignments"): ASSIGN,
    ("GET", "/assignments"): READ,
    ("POST", "/shares"): OWN,
    ("GET", "/shares"): OWN,
    ("DELETE", "/shares/{share_id}"): OWN,
    ("POST", "/keep"): OWN,
    ("GET", "/keep"): READ,
    ("PATCH", "/keep"): OWN,
    ("DELETE", "/keep"): OWN,
    ("GET", "/bundle"): READ,
}
# Routes of no job: a key is enough (a share link never reaches them), or an admin's, or nothing.
OTHER_ROUTES: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/jobs"): {"owner", "editor", "viewer", "other", "admin"},
    ("POST", "/api/jobs"): {"owner", "editor", "viewer", "other", "admin"},
    ("GET", "/api/me"): {"owner", "editor", "viewer", "other", "admin"},
    ("GET", "/api/webhooks/secret"): {"owner", "editor", "viewer", "other", "admin"},
    ("POST", "/api/users"): {"admin"},
    ("GET", "/api/users"): {"admin"},
    ("DELETE", "/api/users/{name}"): {"admin"},
    ("POST", "/api/users/{name}/keys"): {"admin", "owner"},  # {name} is the owner's: their own keys
    ("GET", "/api/users/{name}/keys"): {"admin", "owner"},
    ("DELETE", "/api/keys/{key_id}"): {"owner", "editor", "viewer", "other", "admin"},  # 404 unless yours
    ("GET", "/api/stats"): {"admin"},
    ("GET", "/api/maps"): {"owner", "editor", "viewer", "other", "admin"},
    ("POST", "/api/maps/import"): {"owner", "editor", "viewer", "other", "admin"},
    ("GET", "/api/link"): {"link"},  # what a share link opens: for the link only
    ("GET", "/api/health"): set(PRINCIPALS),
    ("GET", "/api/health/ready"): set(PRINCIPALS),
}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/edits"): {"operations": [{"op": "rename", "topic": 0, "label": "Renamed by a test"}]},
    ("POST", "/documents/by-ids"): {"ids": ["0"]},
    ("POST", "/rerun"): {"seed": 7},
    ("POST", "/shares"): {"user": "nobody-at-all", "role": "viewer"},
    ("POST", "/assignments"): {"documents": ["a new document about packages"]},
    ("POST", "/api/users"): {"name": "Bad Name"},
    ("POST", "/api/jobs"): {"documents": []},
    ("POST", "/keep"): {"name": "Kept by a test"},
    ("PATCH", "/keep"): {"tags": ["test"]},
    ("PATCH", ""): {"name": "Named by a test"},
}
QUERIES: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/documents"): {"q": "package"},
    ("GET", "/search"): {"q": "package"},
    ("GET", "/topics/search"): {"q": "package"},
    ("GET", "/axes"): {"x": "library,program"},
    ("GET", "/figure"): {"kind": "sizes"},
}


@dataclass
class World:
    api: Api
    job_id: str
    owner: str
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def world(api: Api, redis_server: Redis, query_worker: Worker) -> Iterator[World]:
    """Members, a finished map owned by one of them, shared with an editor, a viewer and by a link
    (the query worker answers searches, so they are quick 200s rather than 503s after a wait)."""
    store = JobStore(redis.Redis.from_url(redis_server.url))
    suffix = uuid.uuid4().hex[:6]
    keys: dict[str, str] = {}
    with api.client("admin") as admin:
        for who in ("owner", "editor", "viewer", "other"):
            made = admin.post("/api/users", json={"name": f"{who}-{suffix}", "role": "member"})
            assert made.status_code == 201, made.text
            keys[who] = made.json()["key"]["key"]
    owner = f"owner-{suffix}"
    job_id = store_finished_job(store, owner, 200, n_topics=8, with_terms=True)
    with httpx.Client(base_url=api.url, headers={"X-API-Key": keys["owner"]}, timeout=60) as as_owner:
        for who, role in (("editor", "editor"), ("viewer", "viewer")):
            shared = as_owner.post(f"/api/jobs/{job_id}/shares", json={"user": f"{who}-{suffix}", "role": role})
            assert shared.status_code == 201, shared.text
        link = as_owner.post(f"/api/jobs/{job_id}/shares", json={"role": "viewer"})
        assert link.status_code == 201, link.text
    headers = {who: {"X-API-Key": key} for who, key in keys.items()}
    headers |= {"link": {"X-Share-Token": link.json()["token"]}, "none": {}, "admin": {"X-API-Key": api.keys["admin"]}}
    yield World(api, job_id, owner, headers)
    with httpx.Client(base_url=api.url, headers=headers["admin"]) as admin:  # reruns the test queued
        for job in admin.get("/api/jobs", params={"limit": 100}).json()["jobs"]:
            if job["state"] == "queued":
                admin.delete(f"/api/jobs/{job['job_id']}")


def schema_routes(api: Api) -> list[tuple[str, str]]:
    schema = httpx.get(f"{api.url}/api/openapi.json").json()
    methods = ("get", "post", "put", "patch", "delete")
    return [(m.upper(), path) for path, item in schema["paths"].items() for m in item if m in methods]


def is_refusal(answer: httpx.Response) -> bool:
    """401, 403, or a 404 that says the job (or link) is not there for this caller."""
    if answer.status_code in (401, 403):
        return True
    body = answer.json() if answer.headers.get("content-type", "").endswith("json") else {}
    detail = body.get("detail", "") if isinstance(body, dict) else ""
    return answer.status_code == 404 and (detail.startswith("no job") or detail.startswith("this share link"))


def call(world: World, who: str, method: str, path: str, route: tuple[str, str]) -> httpx.Response:
    headers = world.headers[who]
    with httpx.Client(base_url=world.api.url, headers=headers, timeout=60) as http:
        return http.request(method, path, json=BODIES.get(route), params=QUERIES.get(route))


def test_every_route_declares_who_may_call_it(world: World) -> None:
    known = {(m, f"/api/jobs/{{job_id}}{p}") for m, p in JOB_ROUTES} | set(OTHER_ROUTES)
    undeclared = [route for route in schema_routes(world.api) if route not in known]
    assert undeclared == [], f"routes without an access rule in this test: {undeclared}"


@pytest.mark.parametrize("route", sorted(JOB_ROUTES), ids=lambda r: f"{r[0]} {r[1] or '/'}")
def test_job_routes_by_role(world: World, route: tuple[str, str]) -> None:
    method, template = route
    if template == "/events":
        pytest.skip("an endless stream: its access is checked in test_a_link_reads_one_map_and_nothing_else")
    path = f"/api/jobs/{world.job_id}" + template.format(topic_id=0, name="section", share_id="nope")
    for who in PRINCIPALS:
        answer = call(world, who, method, path, route)
        if who in JOB_ROUTES[route]:
            assert not is_refusal(answer), (who, method, path, answer.status_code, answer.text[:300])
            assert answer.status_code < 500, (who, method, path, answer.text[:300])
        else:
            expected = 401 if who == "none" else 404 if who == "other" else 403
            assert answer.status_code == expected, (who, method, path, answer.status_code, answer.text[:300])


@pytest.mark.parametrize("route", sorted(OTHER_ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_other_routes_by_role(world: World, route: tuple[str, str]) -> None:
    method, template = route
    name = "nobody-here" if route == ("DELETE", "/api/users/{name}") else world.owner  # keep the owner
    path = template.format(name=name, key_id="nope")
    for who in PRINCIPALS:
        answer = call(world, who, method, path, route)
        if who in OTHER_ROUTES[route]:
            assert answer.status_code not in (401, 403, 500), (who, method, path, answer.text[:300])
        else:
            assert answer.status_code in (401, 403), (who, method, path, answer.status_code, answer.text[:300])
            assert answer.status_code == 401 or who not in ("none", "link")  # a link is no key


def test_a_link_reads_one_map_and_nothing_else(api: Api, world: World, redis_server: Redis) -> None:
    link = world.headers["link"]
    with httpx.Client(base_url=api.url, headers=link, timeout=30) as by_link:
        assert by_link.get(f"/api/jobs/{world.job_id}/map").status_code == 200
        with by_link.stream("GET", f"/api/jobs/{world.job_id}/events") as events:
            assert events.status_code == 200
        store = JobStore(redis.Redis.from_url(redis_server.url))
        other_job = store_finished_job(store, world.owner, 60, n_topics=3)
        assert by_link.get(f"/api/jobs/{other_job}/map").status_code == 404  # the owner's other map
        assert by_link.get("/api/jobs").status_code == 401
    with httpx.Client(base_url=api.url, headers=world.headers["other"], timeout=30) as other:
        with other.stream("GET", f"/api/jobs/{world.job_id}/events") as events:
            assert events.status_code == 404
