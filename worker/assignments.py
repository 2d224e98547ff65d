"""Assignment jobs: new documents embedded with a map's model and put into its topics
(topicmap/assign.py); with add, the next version of the map has them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from topicmap.edits.commit import commit_version
from topicmap.edits.operations import Edited
from topicmap.errors import StaleVersion
from topicmap.kept import sync_kept_or_log
from topicmap.schemas import (
    JobRecord,
    TopicMap,
)
from topicmap.store import JobStore, gzip_bytes
from topicmap.store.versions import JobVersions
from topicmap.terms import TermTable, presence_to_bytes
from topicmap.vectors import dump_array
from topicmap.views import attach_views
from worker.config import get_settings
from worker.progress import ProgressReporter

if TYPE_CHECKING:
    from topicmap.assign import Assigned


def run_assignment(store: JobStore, record: JobRecord, *, deadline: float) -> int:
    """Embed the job's documents with the map's model, assign them to its topics (topicmap/assign.py)
    and store the rows; returns the bytes stored. The map itself is not changed, unless the job adds
    the documents to it (``assigns_to.add``): then the next version of the map has them."""
    import json

    from topicmap.assign import MapModel, assign_documents, assignment_rows
    from topicmap.pipeline.embed import Embedder
    from topicmap.pipeline.encoders import load_encoder
    from topicmap.vectors import stored_embeddings

    source = record.assigns_to
    corpus = store.get_corpus(record.corpus)
    if source is None or corpus is None:
        raise ValueError("the documents of this assignment have expired; submit them again")
    base = store.get(source.job)
    topic_map = store.get_map(source.job, source.version)
    base_sha = base.corpus_of(source.version) if base is not None else None
    base_corpus = store.get_corpus(base_sha) if base_sha is not None else None
    if base is None or base_sha is None or topic_map is None or base_corpus is None:
        raise ValueError("the map these documents were to be assigned to has expired")
    reporter = ProgressReporter(store, record.id, deadline, skip_embedding=False)
    reporter("load_model", 0, 1)
    model = base.params.model
    encoder = load_encoder(model)  # the map's model: a worker without it fails clearly (ModelNotFoundError)
    dimensions = topic_map.meta.embedding.dimensions
    mapped = stored_embeddings(store, base_sha, model, base_corpus["texts"], dimensions)
    if mapped is None:
        raise ValueError("the embeddings of the map's documents have expired; map the corpus again")
    reporter("embed", 0, len(corpus["texts"]))
    vectors = (
        Embedder(encoder=encoder)
        .fit(corpus["texts"], on_batch=lambda done, total: reporter("embed", done, total))
        .embeddings_
    )
    reporter("cluster", 0, 1)
    assigned = assign_documents(MapModel.of(topic_map, mapped), vectors)
    rows = assignment_rows(topic_map, corpus["ids"], assigned, corpus["texts"])
    result: dict[str, object] = {"job_id": source.job, "version": source.version, "model": model, "documents": rows}
    stored = 0
    if source.add:
        reporter("layout", 0, 1)
        number, stored = add_to_map(store, record, base, topic_map, base_corpus, corpus, assigned, mapped, vectors)
        result["added_version"] = number
    return stored + store.put_assignments(record.id, gzip_bytes(json.dumps(result).encode()))


def add_to_map(
    store: JobStore,
    record: JobRecord,
    base: JobRecord,
    topic_map: TopicMap,
    base_corpus: dict[str, Any],
    corpus: dict[str, Any],
    assigned: Assigned,
    mapped: npt.NDArray[np.float32],
    vectors: npt.NDArray[np.float32],
) -> tuple[int, int]:
    """Commit the next version of ``base``'s map with the assigned documents in it, on a corpus of
    the map's documents and theirs (with its embeddings and term presence, so later searches,
    assignments and edits work on it); returns the version's number and the bytes stored."""
    from topicmap.assign import added_map
    from topicmap.pipeline.label import terms_in
    from topicmap.terms import presence_from_bytes

    assert record.assigns_to is not None
    version = record.assigns_to.version
    texts, ids = base_corpus["texts"] + corpus["texts"], base_corpus["ids"] + corpus["ids"]
    metadata = base_corpus["metadata"] + corpus["metadata"]
    terms_blob = store.get_terms(base.id, version)
    table = TermTable.from_bytes(terms_blob) if terms_blob is not None else None
    presence_blob = store.get_presence(base.id, topic_map.meta.corpus)
    new_presence = None
    if table is not None and presence_blob is not None:
        table.presence = presence_from_bytes(presence_blob)
        new_presence = terms_in(corpus["texts"], table.vocabulary)
    added, new_table = added_map(topic_map, corpus["ids"], assigned, table, new_presence)
    sha, blob = store.compress_corpus(texts, ids, metadata)
    added.meta.corpus = sha
    attach_views(added, metadata, base.params)
    store.put_corpus_blob(sha, blob, for_job=base.id)  # part of the map: counted toward its owner
    vectors_blob = dump_array(np.vstack([mapped, vectors]))
    stored = len(blob) + store.put_embeddings(sha, base.params.model, vectors_blob, for_job=base.id)
    operations = [{"op": "add", "assignment": record.id, "documents": len(corpus["ids"])}]
    try:
        entry = commit_version(
            JobVersions(store, base.id),
            Edited(added, new_table),
            latest=version,
            author=record.owner,
            operations=operations,
        )
    except StaleVersion as stale:
        raise ValueError(
            f"the map moved on to version {stale.latest} while the documents were assigned to version {version}; "
            "add them again"
        ) from None
    if new_table is not None and new_table.presence is not None:
        stored += store.put_presence(base.id, presence_to_bytes(new_table.presence), sha)
    sync_kept_or_log(store, get_settings().archive(), base.id)  # a kept map's every version is in the archive
    return entry.number, stored
