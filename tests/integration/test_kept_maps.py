"""Kept maps: the archive holds them, the library lists them, an expired working copy comes back
from the archive with every version and tag; bundles go out and come back in, all or nothing."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
import redis

from tests.integration.conftest import sample_documents, wait_state
from tests.integration.servers import Api, Redis, Worker
from tests.integration.synthetic import store_finished_job
from topicmap.archive import DirectoryArchive
from topicmap.bundle import KeptInfo, manifest_in, read_bundle
from topicmap.errors import OverQuota
from topicmap.kept import keep, retry_archives, sync_kept_or_log
from topicmap.store import JobStore

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tagged_job(api: Api, worker: Worker) -> str:
    """A map with a rename, a tag and texts that a spreadsheet export would alter."""
    documents = sample_documents(80, offset=1200)
    for document, prefix in zip(documents, ["-", "=", "+", "@"], strict=False):
        document["text"] = prefix + str(document["text"])
    with api.client("alice") as client:
        body = {"documents": documents, "params": {"min_topic_size": 5}, "name": "Refund tickets"}
        job_id = client.post("/api/jobs", json=body).json()["job_id"]
        assert wait_state(client, job_id, {"succeeded", "failed"})["state"] == "succeeded"
        ids = client.get(f"/api/jobs/{job_id}/map").json()["documents"]["id"]
        operations = [{"op": "tag", "ids": ids[:3], "tag": "refund"}, {"op": "rename", "topic": 0, "label": "Mine"}]
        assert client.post(f"/api/jobs/{job_id}/edits", json={"operations": operations}).status_code == 201
    return job_id


def job_keys(redis_server: Redis, job_id: str) -> list[bytes]:
    client = redis.Redis.from_url(redis_server.url)
    return [key for key in client.scan_iter(match=f"tm:*{job_id}*") if not key.startswith((b"tm:kept:", b"tm:shares"))]


def test_a_kept_map_outlives_its_working_copy(
    api: Api, tagged_job: str, redis_server: Redis, servers_dir: Path
) -> None:
    base = f"/api/jobs/{tagged_job}"
    with api.client("alice") as alice, api.client("bob") as bob:
        assert bob.post(f"{base}/keep", json={"name": "not mine"}).status_code == 404  # not shared with bob
        assert alice.post(f"{base}/keep", json={"name": ""}).status_code == 422
        kept = alice.post(f"{base}/keep", json={"name": "Packages", "description": "Debian", "tags": ["debian"]})
        assert kept.status_code == 200, kept.text
        entry = kept.json()
        assert entry["versions"] == 2 and entry["bytes"] > 0 and entry["owner"] == "alice"
        assert alice.get(base).json()["name"] == "Packages"  # kept as "Packages", the map is called so
        assert (servers_dir / "archive" / f"{tagged_job}.topicmap").stat().st_size == entry["bytes"]
        library = alice.get("/api/maps", params={"tag": "debian"}).json()
        assert [m["job"] for m in library["maps"]] == [tagged_job]
        assert alice.get("/api/maps", params={"q": "nothing like it"}).json()["total"] == 0
        assert bob.get("/api/maps").json()["total"] == 0
        # a later version is archived as it is made
        edit = alice.post(f"{base}/edits", json={"operations": [{"op": "rename", "topic": 0, "label": "Mine again"}]})
        assert edit.status_code == 201
        assert alice.get(f"{base}/keep").json()["versions"] == 3
        before = alice.get(f"{base}/map").json()
        # the working copy expires (simulated: every Redis key of the job deleted)
        keys = job_keys(redis_server, tagged_job)
        assert keys
        redis.Redis.from_url(redis_server.url).delete(*keys)
        after = alice.get(f"{base}/map")
        assert after.status_code == 200, after.text
        restored = after.json()
        assert restored["topics"] == before["topics"]
        assert alice.get(base).json()["name"] == "Packages"  # the job's name, from the bundle
        assert restored["documents"]["tags"][:3] == [["refund"]] * 3
        versions = alice.get(f"{base}/versions").json()
        assert [v["number"] for v in versions] == [1, 2, 3]
        assert alice.get(f"{base}/map", params={"version": 2}).json()["topics"][0]["label"] == "Mine"
        # name and tags change in the archive too; un-keeping removes the archive copy
        changed = alice.patch(f"{base}/keep", json={"name": "Renamed", "tags": ["a", "b"]}).json()
        assert changed["name"] == "Renamed" and changed["tags"] == ["a", "b"]
        assert alice.get("/api/maps", params={"tag": "a"}).json()["total"] == 1
        assert alice.get(base).json()["name"] == "Renamed"
        # renaming the map renames its library entry and bundle; the job expires when it would have
        record_key, raw = f"tm:job:{tagged_job}", redis.Redis.from_url(redis_server.url)
        raw.expire(record_key, 5000)
        assert alice.patch(base, json={"name": "   "}).status_code == 422
        assert bob.patch(base, json={"name": "Bob's now"}).status_code == 404
        renamed = alice.patch(base, json={"name": " Quarterly  packages "})
        assert renamed.status_code == 200 and renamed.json()["name"] == "Quarterly packages"
        assert 0 < raw.ttl(record_key) <= 5000
        assert alice.get(f"{base}/keep").json()["name"] == "Quarterly packages"
        archived = read_bundle((servers_dir / "archive" / f"{tagged_job}.topicmap").read_bytes(), max_bytes=1 << 30)
        assert archived.name == "Quarterly packages" and archived.kept and archived.kept.name == "Quarterly packages"


def test_kept_bytes_count_toward_the_quota(api: Api, tagged_job: str) -> None:
    with api.client("admin") as admin:
        stats = admin.get("/api/stats").json()
    assert stats["kept_bytes_by_owner"].get("alice", 0) > 0


def test_bundle_round_trip_through_the_service(api: Api, tagged_job: str) -> None:
    with api.client("alice") as alice, api.client("bob") as bob:
        download = alice.get(f"/api/jobs/{tagged_job}/bundle")
        assert download.status_code == 200, download.text
        assert download.headers["content-type"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
        assert {"manifest.json", "corpus.json", "embeddings.npy", "map.json", "versions.json"} <= set(names)
        imported = bob.post("/api/maps/import", content=download.content, headers={"Content-Type": "application/zip"})
        assert imported.status_code == 201, imported.text
        new_job = imported.json()["job_id"]
        assert imported.json()["state"] == "succeeded" and imported.json()["owner"] == "bob"
        assert imported.json()["name"] == alice.get(f"/api/jobs/{tagged_job}").json()["name"] is not None
        original = alice.get(f"/api/jobs/{tagged_job}/map").json()
        copy = bob.get(f"/api/jobs/{new_job}/map").json()
        assert copy["topics"] == original["topics"]
        assert copy["documents"]["tags"] == original["documents"]["tags"]
        assert [v["number"] for v in bob.get(f"/api/jobs/{new_job}/versions").json()] == [1, 2, 3]
        texts = bob.post(f"/api/jobs/{new_job}/documents/by-ids", json={"ids": original["documents"]["id"][:4]})
        assert [d["text"][0] for d in texts.json()["documents"]] == ["-", "=", "+", "@"]
        # the imported map is a map like any other: edits work on it
        edit = bob.post(f"/api/jobs/{new_job}/edits", json={"operations": [{"op": "rename", "topic": 0, "label": "B"}]})
        assert edit.status_code == 201, edit.text


def corrupt(bundle: bytes, name: str, data: bytes | None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(bundle))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            if item != name:
                target.writestr(item, source.read(item))
        if data is not None:
            target.writestr(name, data)
    return out.getvalue()


def test_bad_bundles_are_refused_whole(api: Api, tagged_job: str, redis_server: Redis) -> None:
    with api.client("alice") as alice:
        bundle = alice.get(f"/api/jobs/{tagged_job}/bundle").content
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(bundle)).read("manifest.json"))
        newer = corrupt(bundle, "manifest.json", json.dumps({**manifest, "format_version": 99}).encode())
        embeddings = zipfile.ZipFile(io.BytesIO(bundle)).read("embeddings.npy")
        cases = {
            "not a readable zip": b"name,text\n1,a csv file\n",
            "truncated": bundle[: len(bundle) // 2],
            "no manifest.json": corrupt(bundle, "manifest.json", None),
            "newer than this topicmap": newer,
            "does not match its digest": corrupt(bundle, "embeddings.npy", embeddings[:-100] + b"\0" * 100),
            "empty": b"",
        }
        jobs_before = alice.get("/api/jobs", params={"limit": 100}).json()["total"]
        used_before = redis.Redis.from_url(redis_server.url).dbsize()
        for expected, body in cases.items():
            refused = alice.post("/api/maps/import", content=body, headers={"Content-Type": "application/zip"})
            assert refused.status_code == 422, (expected, refused.status_code, refused.text)
            assert expected in refused.json()["detail"], refused.json()["detail"]
        big = alice.post("/api/maps/import", content=b"x" * 2_100_000, headers={"Content-Type": "application/zip"})
        assert big.status_code == 413
        assert alice.get("/api/jobs", params={"limit": 100}).json()["total"] == jobs_before
        assert redis.Redis.from_url(redis_server.url).dbsize() == used_before
        assert alice.get("/api/health").status_code == 200


def test_only_the_owner_keeps_a_map(api: Api, tagged_job: str) -> None:
    with api.client("alice") as alice, api.client("bob") as bob:
        shared = alice.post(f"/api/jobs/{tagged_job}/shares", json={"user": "bob", "role": "editor"})
        assert shared.status_code == 201
        refused = bob.post(f"/api/jobs/{tagged_job}/keep", json={"name": "mine now"})
        assert refused.status_code == 403 and "owner" in refused.json()["detail"]
        assert [m["job"] for m in bob.get("/api/maps").json()["maps"]] == [tagged_job]  # shared with him


def test_a_version_the_worker_adds_is_archived(api: Api, tagged_job: str, servers_dir: Path, worker: Worker) -> None:
    """Documents added by an assignment (the worker commits that version) reach the archive too."""
    with api.client("alice") as alice:
        versions = alice.get(f"/api/jobs/{tagged_job}/keep").json()["versions"]
        documents = [{"id": f"added-{i}", "text": d["text"]} for i, d in enumerate(sample_documents(3, offset=50))]
        accepted = alice.post(
            f"/api/jobs/{tagged_job}/assignments", params={"add": "true"}, json={"documents": documents}
        )
        assert accepted.status_code == 202, accepted.text
        assert wait_state(alice, accepted.json()["job_id"], {"succeeded", "failed"})["state"] == "succeeded"
        assert alice.get(f"/api/jobs/{tagged_job}/keep").json()["versions"] == versions + 1
    archived = manifest_in((servers_dir / "archive" / f"{tagged_job}.topicmap").read_bytes())
    assert len(archived.versions) == versions + 1 and archived.added_corpora


def test_keeping_over_the_quota_is_refused(redis_server: Redis, tmp_path: Path) -> None:
    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = store_finished_job(store, "quota-person", 200, n_topics=3, with_terms=True)
    record = store.get(job_id)
    assert record is not None
    held = store.held("quota-person").bytes
    archive = DirectoryArchive(tmp_path / "archive")
    with pytest.raises(OverQuota, match="storage quota"):
        keep(store, archive, record, KeptInfo(owner="quota-person", name="too big"), quota=held + 1000)
    assert archive.names() == [] and store.get_kept(job_id) is None  # nothing half kept
    entry = keep(store, archive, record, KeptInfo(owner="quota-person", name="fits"), quota=None)
    assert store.held("quota-person").bytes == held + entry.bytes


def test_unkeep_removes_the_archive_copy(api: Api, tagged_job: str, servers_dir: Path) -> None:
    with api.client("alice") as alice:
        assert alice.delete(f"/api/jobs/{tagged_job}/keep").status_code == 204
        assert not (servers_dir / "archive" / f"{tagged_job}.topicmap").exists()
        assert alice.get(f"/api/jobs/{tagged_job}/keep").status_code == 404
        assert alice.get("/api/maps").json()["total"] == 0
        assert alice.delete(f"/api/jobs/{tagged_job}/keep").status_code == 404


def test_purging_a_kept_map_deletes_it_everywhere(api: Api, redis_server: Redis, servers_dir: Path) -> None:
    """Purge means gone: not back from the archive on the next open, not in the library, not counted."""
    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = store_finished_job(store, "alice", 120, n_topics=3, with_terms=True)
    with api.client("alice") as alice, api.client("bob") as bob:
        assert alice.post(f"/api/jobs/{job_id}/shares", json={"user": "bob", "role": "viewer"}).status_code == 201
        assert alice.post(f"/api/jobs/{job_id}/keep", json={"name": "to purge"}).status_code == 200
        bundle = servers_dir / "archive" / f"{job_id}.topicmap"
        assert bundle.exists() and job_id in [m["job"] for m in bob.get("/api/maps").json()["maps"]]
        assert "archive:" + job_id in store.held_names("alice")
        assert alice.delete(f"/api/jobs/{job_id}", params={"purge": "true"}).status_code == 204
        assert not bundle.exists()
        assert alice.get(f"/api/jobs/{job_id}/map").status_code == 404  # not restored from the archive
        assert job_id not in [m["job"] for m in alice.get("/api/maps").json()["maps"]]
        assert job_id not in [m["job"] for m in bob.get("/api/maps").json()["maps"]]
    assert not [name for name in store.held_names("alice") if job_id in name]


def test_a_version_the_archive_missed_is_archived_once_it_is_back(
    api: Api, redis_server: Redis, servers_dir: Path
) -> None:
    """The archive fails as an edit commits: the edit stands, the map is listed behind the archive,
    and once the archive is back the webhook worker's beat writes the whole bundle again."""
    store = JobStore(redis.Redis.from_url(redis_server.url))
    job_id = store_finished_job(store, "alice", 120, n_topics=3, with_terms=True)
    archive = servers_dir / "archive"
    bundle, away = archive / f"{job_id}.topicmap", servers_dir / "archive-away"
    rename = {"operations": [{"op": "rename", "topic": 0, "label": "Made while the archive was away"}]}
    with api.client("alice") as alice, api.client("admin") as admin:
        assert alice.post(f"/api/jobs/{job_id}/keep", json={"name": "flaky archive"}).status_code == 200
        archive.rename(away)
        archive.write_text("a file where the archive's directory should be: every write fails")
        try:
            assert alice.post(f"/api/jobs/{job_id}/edits", json=rename).status_code == 201  # the edit stands
            assert job_id in admin.get("/api/stats").json()["kept_maps_behind_archive"]
            assert retry_archives(store, DirectoryArchive(archive), retry_s=0.05) == 0  # still failing: still due
            assert job_id in store.archives_behind()
        finally:
            archive.unlink()
            away.rename(archive)
        assert len(manifest_in(bundle.read_bytes()).versions) == 1
        env = {"TOPICMAP_ARCHIVE_DIR": str(archive), "TOPICMAP_ARCHIVE_RETRY_S": "0.5"}
        beat = Worker(redis_server.url, servers_dir / "archive-retry-worker.log", "webhooks-archive", env)
        beat.webhooks = True
        beat.start()
        try:
            deadline = time.monotonic() + 60
            while job_id in admin.get("/api/stats").json()["kept_maps_behind_archive"]:
                assert time.monotonic() < deadline, "the beat did not archive the map again"
                time.sleep(0.3)
        finally:
            beat.stop()
        assert len(manifest_in(bundle.read_bytes()).versions) == 2
        assert alice.get(f"/api/jobs/{job_id}/keep").json()["versions"] == 2


def test_a_map_the_archive_is_behind_on_does_not_expire_meanwhile(redis_server: Redis, tmp_path: Path) -> None:
    """While the archive cannot be written, the versions it lacks live only in the working copy:
    each failed try keeps the copy (and its owner's charges) another retention period."""
    client = redis.Redis.from_url(redis_server.url)
    store = JobStore(client)
    job_id = store_finished_job(store, "carol", 120, n_topics=3, with_terms=True)
    record = store.get(job_id)
    assert record is not None
    keep(store, DirectoryArchive(tmp_path / "archive"), record, KeptInfo(owner="carol", name="away"), quota=None)
    (tmp_path / "gone").write_text("a file where the archive's directory should be")
    broken = DirectoryArchive(tmp_path / "gone")
    working_copy = [
        *job_keys(redis_server, job_id),
        f"tm:corpus:{record.corpus}".encode(),
        *client.scan_iter(match=f"tm:embeddings:{record.corpus}:*"),
    ]
    assert len(working_copy) >= 4 and all(client.ttl(key) > 0 for key in working_copy)
    charged = [name for name in store.held_names("carol") if job_id in name or record.corpus in name]
    assert charged
    soon = time.time() + 30

    def about_to_expire() -> None:
        for key in working_copy:
            client.expire(key, 30)
        client.zadd("tm:ledger-due:carol", dict.fromkeys(charged, soon))

    def kept_for_the_retention() -> None:
        assert all(client.ttl(key) > store.retention_s - 60 for key in working_copy), [
            (key, client.ttl(key)) for key in working_copy
        ]
        assert all(client.zscore("tm:ledger-due:carol", name) > soon + 3600 for name in charged)

    about_to_expire()
    sync_kept_or_log(store, broken, job_id)  # a version committed while the archive is away
    assert job_id in store.archives_behind()
    kept_for_the_retention()
    about_to_expire()
    assert retry_archives(store, broken, retry_s=0) == 0  # the beat's try fails too
    kept_for_the_retention()
    # Past its retention it stays in its owner's list of jobs when they submit another one.
    client.zadd("tm:jobs:carol", {job_id: time.time() - store.retention_s - 60})
    newer = store_finished_job(store, "carol", 20, n_topics=2)
    listed = [job.id for job in store.list_jobs("carol")[0]]
    assert newer in listed and job_id in listed
    client.delete(f"tm:job:{newer}")
    client.zadd("tm:jobs:carol", {newer: time.time() - store.retention_s - 60})
    store_finished_job(store, "carol", 20, n_topics=2)
    assert client.zscore("tm:jobs:carol", newer) is None  # an expired record leaves the list


def test_service_bundle_cli_edit_and_back(api: Api, tagged_job: str, tmp_path: Path) -> None:
    """service → bundle → CLI edit → bundle → service import: same topics, labels, versions, texts."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    with api.client("alice") as alice:
        path = tmp_path / "map.topicmap"
        path.write_bytes(alice.get(f"/api/jobs/{tagged_job}/bundle").content)
        ids = alice.get(f"/api/jobs/{tagged_job}/map").json()["documents"]["id"]
        command = [sys.executable, "-m", "cli.main", "edit", str(path), "--rename", "0=From the CLI"]
        edited = subprocess.run([*command, "--tag", f"cli={ids[5]}"], capture_output=True, text=True, cwd=root)
        assert edited.returncode == 0, edited.stderr
        imported = alice.post(
            "/api/maps/import", content=path.read_bytes(), headers={"Content-Type": "application/zip"}
        )
        assert imported.status_code == 201, imported.text
        copy = imported.json()["job_id"]
        versions = alice.get(f"/api/jobs/{tagged_job}/versions").json()
        copied_versions = alice.get(f"/api/jobs/{copy}/versions").json()
        assert [v["number"] for v in copied_versions] == [v["number"] for v in versions] + [len(versions) + 1]
        original, after = alice.get(f"/api/jobs/{tagged_job}/map").json(), alice.get(f"/api/jobs/{copy}/map").json()
        assert after["topics"][0]["label"] == "From the CLI"
        assert [t["terms"] for t in after["topics"]] == [t["terms"] for t in original["topics"]]
        assert after["documents"]["topic"] == original["documents"]["topic"]
        assert after["documents"]["tags"][5] == ["cli"] and after["documents"]["tags"][0] == ["refund"]
        texts = alice.post(f"/api/jobs/{copy}/documents/by-ids", json={"ids": ids[:4]}).json()["documents"]
        originals = alice.post(f"/api/jobs/{tagged_job}/documents/by-ids", json={"ids": ids[:4]}).json()["documents"]
        assert [d["text"] for d in texts] == [d["text"] for d in originals]
        assert [d["text"][0] for d in texts] == ["-", "=", "+", "@"]


def test_cli_bundle_into_the_service_and_back(api: Api, tmp_path: Path) -> None:
    """CLI fit --bundle → service import → edit there → bundle download → CLI search and edit."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    corpus = tmp_path / "corpus.jsonl"
    documents = sample_documents(60, offset=700)
    corpus.write_text("\n".join(json.dumps({"id": d["id"], "text": "+" + str(d["text"])}) for d in documents))
    bundle = tmp_path / "fit.topicmap"
    run = [sys.executable, "-m", "cli.main"]
    fit = [*run, "fit", str(corpus), "--out", str(tmp_path / "out"), "--bundle", str(bundle), "--quiet"]
    subprocess.run([*fit, "--min-topic-size", "5"], check=True, cwd=root, capture_output=True)
    with api.client("bob") as bob:
        imported = bob.post(
            "/api/maps/import", content=bundle.read_bytes(), headers={"Content-Type": "application/zip"}
        )
        assert imported.status_code == 201, imported.text
        job = imported.json()["job_id"]
        edit = {"operations": [{"op": "rename", "topic": 0, "label": "Named in the service"}]}
        assert bob.post(f"/api/jobs/{job}/edits", json=edit).status_code == 201
        back = tmp_path / "back.topicmap"
        back.write_bytes(bob.get(f"/api/jobs/{job}/bundle").content)
    found = subprocess.run(
        [*run, "search", str(back), "fonts", "--limit", "1"], capture_output=True, text=True, cwd=root
    )
    assert found.returncode == 0 and found.stdout.startswith("topics: "), found.stderr
    edited = subprocess.run([*run, "edit", str(back), "--revert", "1"], capture_output=True, text=True, cwd=root)
    assert edited.returncode == 0, edited.stderr
    content = read_bundle(back, max_bytes=1 << 30)
    assert [v.author for v in content.history][:1] == ["topicmap fit"] and content.latest == 3
    assert all(text.startswith("+") for text in content.corpora[content.corpus].texts)


def test_a_bundle_of_another_model_is_viewed_not_assigned(api: Api, tagged_job: str) -> None:
    """Made with a model this service does not offer: imported for viewing and editing (with a
    warning), refused for assignment with a message naming the model."""
    import hashlib

    with api.client("alice") as alice:
        bundle = zipfile.ZipFile(io.BytesIO(alice.get(f"/api/jobs/{tagged_job}/bundle").content))
        manifest = json.loads(bundle.read("manifest.json"))
        files = {name: bundle.read(name) for name in bundle.namelist() if name != "manifest.json"}
        for name in [n for n in files if n.startswith("map")]:
            topic_map = json.loads(files[name])
            topic_map["meta"]["params"]["model"] = "e5-large-elsewhere"
            files[name] = json.dumps(topic_map).encode()
        manifest["model"] = "e5-large-elsewhere"
        manifest["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            target.writestr("manifest.json", json.dumps(manifest))
            for name, data in files.items():
                target.writestr(name, data)
        imported = alice.post("/api/maps/import", content=out.getvalue(), headers={"Content-Type": "application/zip"})
        assert imported.status_code == 201, imported.text
        assert "e5-large-elsewhere" in imported.json()["warnings"][0]
        job = imported.json()["job_id"]
        assert alice.get(f"/api/jobs/{job}/map").status_code == 200
        edit = {"operations": [{"op": "rename", "topic": 0, "label": "Still editable"}]}
        assert alice.post(f"/api/jobs/{job}/edits", json=edit).status_code == 201
        refused = alice.post(f"/api/jobs/{job}/assignments", json={"documents": ["a new document"]})
        assert refused.status_code == 409 and "e5-large-elsewhere" in refused.json()["detail"]
