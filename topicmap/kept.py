"""Maps that last and travel: a job's working copy in Redis as a bundle's content and back, and kept
maps (the archive holds the bundle, the library's index names it, Redis only a working copy).

Keep: the bundle goes to the archive, its bytes count toward the owner's quota, the index gets an
entry. Every later version of a kept map rewrites its bundle (``sync_kept``), so no version lives
only in Redis. When the working copy has expired, opening the map restores it from the archive
(``restore``). The index can be rebuilt from the archive alone (``rebuild_index``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import TYPE_CHECKING

from topicmap.archive import MapArchive, object_name
from topicmap.bundle import Corpus, KeptInfo, MapContent, manifest_in, member_of, packed, read_bundle
from topicmap.errors import Conflict, Expired, NotFound
from topicmap.library import LibraryEntry
from topicmap.schemas import DocumentCounts, JobRecord

if TYPE_CHECKING:
    from topicmap.store import JobStore

logger = logging.getLogger("topicmap")
ARCHIVE_FOREVER_S = 100 * 365 * 24 * 3600.0
"""Kept bytes are counted until the map is un-kept: the ledger's entry lasts 'forever'."""
MAX_KEPT_BUNDLE_BYTES = 1 << 34
"""What a bundle read back from our own archive may inflate to (a sanity bound, not a quota)."""


def archive_charge_name(job_id: str) -> str:
    return f"archive:{job_id}"


def content_of_job(store: JobStore, record: JobRecord) -> MapContent:
    """Everything a finished job's map is, read from Redis (:class:`Expired` when part is gone)."""
    from topicmap.vectors import dump_array, stored_embeddings

    if record.kind != "map" or record.state != "succeeded":
        raise Conflict(f"only a finished map can be bundled; this job is a {record.kind} job, {record.state}")
    history = record.history()
    maps = {}
    for version in history:
        topic_map = store.get_map(record.id, version.number)
        if topic_map is None:
            raise Expired(f"version {version.number} of this map has expired")
        maps[version.number] = topic_map
    content = MapContent(maps=maps, history=history, corpus=record.corpus, corpora={}, embeddings={}, job=record.id)
    content.name = record.name
    model = record.params.model
    for number in maps:
        sha = content.corpus_of(number)
        if sha in content.corpora:
            continue
        stored = store.get_corpus(sha)
        if stored is None:
            raise Expired("the map's corpus has expired")
        content.corpora[sha] = Corpus(texts=stored["texts"], ids=stored["ids"], metadata=stored["metadata"])
        blob = store.get_embeddings(sha, model)
        if blob is None:  # a sharded job keeps one vector per text
            vectors = stored_embeddings(store, sha, model, stored["texts"], maps[1].meta.embedding.dimensions)
            blob = dump_array(vectors) if vectors is not None else None
        if blob is not None:
            content.embeddings[sha] = blob
        presence = store.get_presence(record.id, None if sha == record.corpus else sha)
        if presence is not None:
            content.presence[sha] = presence
    for number in maps:
        terms = store.get_terms(record.id, number)
        if terms is not None:
            content.terms[number] = terms
    return content


def put_content(
    store: JobStore,
    content: MapContent,
    *,
    job_id: str,
    owner: str,
    quota: int | None,
    warnings: list[str] | None = None,
) -> JobRecord:
    """Write ``content`` into Redis as the finished job ``job_id`` of ``owner`` (all or nothing,
    counted toward the quota): an import, or a kept map restored from the archive."""
    now = time.time()
    first = content.maps[1]
    used = len(content.corpora[content.corpus].ids)
    record = JobRecord(
        id=job_id,
        owner=owner,
        name=content.name or (content.kept.name if content.kept else None),
        state="succeeded",
        created_at=now,
        started_at=now,
        finished_at=now,
        params=first.meta.params,
        corpus=content.corpus,
        documents=DocumentCounts(received=used, dropped=0, truncated=0, used=used),
        versions=list(content.history),  # version 1 too: who made it, and when
        warnings=list(warnings or []),
    )
    corpora = {sha: store.compress_corpus(c.texts, c.ids, c.metadata)[1] for sha, c in content.corpora.items()}
    maps = {n: m.model_dump_json().encode() for n, m in content.maps.items()}
    artifacts = {f"v{n}/terms.bin": blob for n, blob in content.terms.items()}
    for sha, blob in content.presence.items():
        artifacts[store._presence_name(None if sha == content.corpus else sha)] = blob
    store.write_working_copy(
        record, corpora=corpora, embeddings=content.embeddings, maps=maps, artifacts=artifacts, quota=quota
    )
    return record


def new_job_id() -> str:
    return uuid.uuid4().hex


def keep(store: JobStore, archive: MapArchive, record: JobRecord, info: KeptInfo, quota: int | None) -> LibraryEntry:
    """Keep a finished map: its bundle in the archive, counted toward the quota, and in the library."""
    content = content_of_job(store, record)
    content.kept, content.name = info, info.name  # keeping names the map: one name everywhere
    entry = _archive(store, archive, content, record.id, quota=quota)
    store.change(record.id, lambda _: {"name": info.name}, keep_ttl=True)
    return entry


def _archive(
    store: JobStore, archive: MapArchive, content: MapContent, job_id: str, *, quota: int | None
) -> LibraryEntry:
    assert content.kept is not None
    data, manifest = packed(content)
    owner = content.kept.owner
    store.charge(
        owner, {archive_charge_name(job_id): len(data)}, expires_at=time.time() + ARCHIVE_FOREVER_S, quota=quota
    )
    archive.put(object_name(job_id), data)
    entry = LibraryEntry.of(manifest, content.kept, job_id, len(data), content.history[-1].created_at)
    store.put_kept(entry)
    return entry


def sync_kept(store: JobStore, archive: MapArchive, job_id: str) -> LibraryEntry | None:
    """A kept map changed (a new version): write its bundle again. None when it is not kept."""
    entry = store.get_kept(job_id)
    record = store.get(job_id)
    if entry is None or record is None:
        return None
    content = content_of_job(store, record)
    content.kept = KeptInfo(
        owner=entry.owner, name=entry.name, description=entry.description, tags=entry.tags, kept_at=entry.kept_at
    )
    return _archive(store, archive, content, job_id, quota=None)  # the version itself was counted already


def sync_kept_or_log(store: JobStore, archive: MapArchive, job_id: str) -> None:
    """:func:`sync_kept` after a version was committed: an archive that fails now (a full disk, an
    unreachable bucket) must not fail the edit that succeeded; it is logged, and the map is marked
    due to be archived again (:func:`retry_archives`, run by the webhook worker's beat until it works)."""
    try:
        entry = sync_kept(store, archive, job_id)
    except Exception:
        logger.exception("kept map not archived", extra={"job_id": job_id, "archive": archive.where})
        store.mark_archive_due(job_id, time.time())
        _hold_working_copy(store, job_id)
        return
    _caught_up_or_due(store, job_id, entry)


def retry_archives(store: JobStore, archive: MapArchive, retry_s: float, limit: int = 20) -> int:
    """Archive again each kept map whose bundle is behind its versions (run by the webhook worker's
    beat every ``retry_s``, the worker's TOPICMAP_ARCHIVE_RETRY_S); how many caught up. One that fails
    again is tried after ``retry_s``, its working copy kept another retention period; one whose
    working copy expired anyway (deleted by hand, Redis lost) cannot be: the versions after its
    bundle are lost, and logged."""
    caught_up = 0
    for job_id in store.claim_due_archives(retry_s, limit):
        try:
            entry = sync_kept(store, archive, job_id)
        except Expired:
            logger.error("kept map expired before it could be archived again", extra={"job_id": job_id})
            store.archive_caught_up(job_id)
            continue
        except Exception:
            logger.warning("kept map still not archived", exc_info=True, extra={"job_id": job_id})
            _hold_working_copy(store, job_id)
            continue  # claimed: due again after retry_s
        caught_up += _caught_up_or_due(store, job_id, entry)
    return caught_up


def _hold_working_copy(store: JobStore, job_id: str) -> None:
    """The versions the archive lacks live only in the working copy: it is kept another retention
    period from each failed try, so an archive down for longer than the retention loses nothing."""
    record = store.get(job_id)
    if record is not None:
        store.prolong(record)


def _caught_up_or_due(store: JobStore, job_id: str, entry: LibraryEntry | None) -> bool:
    """Whether the bundle just written holds every version; if one was committed meanwhile (two
    writers, the slower one last), the map is due again at once."""
    record = store.get(job_id)
    if entry is not None and record is not None and len(record.history()) > entry.versions:
        store.mark_archive_due(job_id, time.time())
        return False
    store.archive_caught_up(job_id)
    return entry is not None


def change_kept(store: JobStore, archive: MapArchive, entry: LibraryEntry, changes: dict[str, object]) -> LibraryEntry:
    """New name, description or tags: written into the archived bundle (the archive is the authority)."""
    data = archive.get(object_name(entry.job))
    if data is None:
        raise NotFound(f"the archive ({archive.where}) has no bundle of map {entry.job}")
    content = read_bundle(data, max_bytes=MAX_KEPT_BUNDLE_BYTES)
    kept = content.kept or KeptInfo(owner=entry.owner, name=entry.name)
    content.kept = kept.model_copy(update=changes)
    KeptInfo.model_validate(content.kept.model_dump())
    if "name" in changes:  # the job's name too, in the bundle and in its working copy
        content.name = content.kept.name
        store.change(entry.job, lambda _: {"name": content.kept.name if content.kept else None}, keep_ttl=True)
    return _archive(store, archive, content, entry.job, quota=None)


def unkeep(store: JobStore, archive: MapArchive, entry: LibraryEntry) -> None:
    """The archive copy and the index entry go; the working copy expires as usual."""
    archive.delete(object_name(entry.job))
    store.drop_kept(entry)
    store.release(entry.owner, [archive_charge_name(entry.job)])


def purge(store: JobStore, archive: MapArchive, record: JobRecord) -> bool:
    """Delete a finished job everywhere: its working copy, its shares and, when it is kept, its
    archived bundle and library entry (else opening it would restore it). True when it was kept."""
    entry = store.get_kept(record.id)
    if entry is not None:
        unkeep(store, archive, entry)
    store.purge(record)
    store.drop_shares(record.id)
    return entry is not None


def restore(store: JobStore, archive: MapArchive, job_id: str) -> JobRecord | None:
    """The working copy of a kept map whose copy in Redis expired, from its bundle; None when the
    job is not kept (or its bundle is gone)."""
    entry = store.get_kept(job_id)
    if entry is None:
        return None
    data = archive.get(object_name(job_id))
    if data is None:
        return None
    content = read_bundle(data, max_bytes=MAX_KEPT_BUNDLE_BYTES)
    return put_content(store, content, job_id=job_id, owner=entry.owner, quota=None)


def rebuild_index(store: JobStore, archive: MapArchive) -> list[LibraryEntry]:
    """The library's index made again from the archive alone (after a loss of Redis, or a restore):
    every bundle's manifest names its map, owner, name and tags; kept bytes are counted again."""
    store.clear_library()
    entries = []
    for name in archive.names():
        data = archive.get(name)
        if data is None:
            continue
        manifest = manifest_in(data)
        job = name.removesuffix(".topicmap")
        if manifest.kept is None:
            continue
        history = json.loads(member_of(data, "versions.json"))
        entry = LibraryEntry.of(manifest, manifest.kept, job, len(data), float(history[-1]["created_at"]))
        store.put_kept(entry)
        store.charge(entry.owner, {archive_charge_name(job): len(data)}, expires_at=time.time() + ARCHIVE_FOREVER_S)
        entries.append(entry)
    return entries
