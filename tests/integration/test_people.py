"""People and keys against the real API and Redis: an admin adds members, members manage their own
keys, revoked keys stop at once, and `topicmap users` makes the first admin without the API."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.integration.servers import Api, Redis

BIN = Path(sys.executable).parent


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def as_key(api: Api, key: str) -> httpx.Client:
    return httpx.Client(base_url=api.url, headers={"X-API-Key": key}, timeout=30)


@pytest.fixture
def admin(api: Api) -> Iterator[httpx.Client]:
    with api.client("admin") as http:
        yield http


def add_user(admin: httpx.Client, name: str, role: str = "member") -> str:
    answer = admin.post("/api/users", json={"name": name, "role": role})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["user"] == {"name": name, "role": role, "created_at": body["user"]["created_at"]}
    assert body["key"]["key"].startswith("tm_") and body["key"]["info"]["user"] == name
    return str(body["key"]["key"])


def test_an_admin_adds_members_who_manage_only_their_own_keys(api: Api, admin: httpx.Client) -> None:
    ana, ben = unique("ana"), unique("ben")
    ana_key, ben_key = add_user(admin, ana), add_user(admin, ben)
    assert admin.get("/api/me").json() == {"name": "admin", "role": "admin", "source": "settings", "key_id": None}
    with as_key(api, ana_key) as as_ana, as_key(api, ben_key) as as_ben:
        me = as_ana.get("/api/me").json()
        assert (me["name"], me["role"], me["source"]) == (ana, "member", "users")
        assert as_ana.post("/api/users", json={"name": unique("eve")}).status_code == 403
        assert as_ana.get("/api/users").status_code == 403
        assert as_ana.get(f"/api/users/{ben}/keys").status_code == 403
        second = as_ana.post(f"/api/users/{ana}/keys")
        assert second.status_code == 201
        keys = as_ana.get(f"/api/users/{ana}/keys").json()
        assert len(keys) == 2 and all("key" not in k for k in keys)
        assert keys[0]["last_used_at"] is not None  # the first key was just used
        assert as_ben.delete(f"/api/keys/{second.json()['info']['id']}").status_code == 404  # not ben's key
        with as_key(api, second.json()["key"]) as rotated:
            assert rotated.get("/api/me").json()["name"] == ana
            assert as_ana.delete(f"/api/keys/{second.json()['info']['id']}").status_code == 200
            assert rotated.get("/api/me").status_code == 401  # revoked at once
        assert as_ana.get("/api/me").status_code == 200  # the other key still works
        names = {u["name"]: u["role"] for u in admin.get("/api/users").json()}
        assert names[ana] == names[ben] == "member"
        removed = admin.delete(f"/api/users/{ben}")
        assert removed.status_code == 200 and removed.json()["name"] == ben
        assert as_ben.get("/api/me").status_code == 401
        assert admin.delete(f"/api/users/{ben}").status_code == 404


def test_members_own_their_jobs_and_versions_by_name(api: Api, admin: httpx.Client) -> None:
    name = unique("cara")
    with as_key(api, add_user(admin, name)) as as_cara:
        answer = as_cara.post("/api/jobs", json={"documents": [f"text number {i}" for i in range(30)]})
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["job_id"]
        assert as_cara.get(f"/api/jobs/{job_id}").status_code == 200
        assert any(job["job_id"] == job_id for job in as_cara.get("/api/jobs").json()["jobs"])
        assert api.client("bob").get(f"/api/jobs/{job_id}").status_code == 404  # another key's job stays unseen
        as_cara.delete(f"/api/jobs/{job_id}")


def test_bad_people_requests_are_clear_4xx(admin: httpx.Client) -> None:
    client = admin
    name = unique("dan")
    add_user(client, name)
    cases = [
        (client.post("/api/users", json={"name": name}), 409, "exists already"),
        (client.post("/api/users", json={"name": "Not A Name"}), 422, "not a user name"),
        (client.post("/api/users", json={"name": unique("x"), "role": "owner"}), 422, "role"),
        (client.post("/api/users", json={"name": "admin"}), 409, "TOPICMAP_API_KEYS"),
        (client.post("/api/users/nobody-here/keys"), 404, "no user"),
        (client.delete("/api/keys/0000"), 404, "no key"),
        (httpx.get(f"{client.base_url}/api/me"), 401, "missing API key"),
        (httpx.get(f"{client.base_url}/api/me", headers={"X-API-Key": "tm_" + "x" * 40}), 401, "unknown API key"),
    ]
    for answer, status, words in cases:
        assert answer.status_code == status, answer.text
        assert words in answer.json()["detail"]


def test_the_first_admin_is_made_on_the_server_with_topicmap_users(api: Api, redis_server: Redis) -> None:
    name = unique("root")
    command = [str(BIN / "topicmap"), "users", "add", name, "--role", "admin", "--redis-url", redis_server.url]
    made = subprocess.run(command, capture_output=True, text=True, check=True)
    key = made.stdout.strip()
    assert key.startswith("tm_") and "shown once" in made.stderr
    with as_key(api, key) as root:
        assert root.get("/api/me").json()["role"] == "admin"
        assert root.get("/api/users").status_code == 200
    listed = subprocess.run([str(BIN / "topicmap"), "users", "list", "--redis-url", redis_server.url],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert f"{name}\tadmin\t1 key(s)" in listed
    revoke = [str(BIN / "topicmap"), "users", "revoke", name, "--redis-url", redis_server.url]
    subprocess.run(revoke, capture_output=True, text=True, check=True)
    with as_key(api, key) as root:
        assert root.get("/api/me").status_code == 401
    again = subprocess.run(revoke, capture_output=True, text=True)
    assert again.returncode == 2 and "no user" in again.stderr
    empty_url = redis_server.url.rsplit("/", 1)[0] + "/13"  # a database nobody uses: no users in it
    redis.Redis.from_url(empty_url).flushdb()
    listing = [str(BIN / "topicmap"), "users", "list", "--redis-url", empty_url]
    empty = subprocess.run(listing, capture_output=True, text=True)
    assert empty.returncode == 0 and empty.stdout == "" and "make the first admin: topicmap users add" in empty.stderr
    unreachable = [str(BIN / "topicmap"), "users", "list", "--redis-url", "redis://127.0.0.1:1/0"]
    failed = subprocess.run(unreachable, capture_output=True, text=True)
    assert failed.returncode == 2 and "cannot reach Redis" in failed.stderr
