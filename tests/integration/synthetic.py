"""Finished jobs stored straight into Redis: a real corpus (the Debian descriptions) and a synthetic
map, for what depends on a map's size and shape, not on how it was made (serving, drawing, labels).
Used by the page tests and by the serving benchmarks (benchmarks/stack.py)."""

from __future__ import annotations

import csv
import gzip
import json
import math
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from topicmap.schemas import (
    DocumentCounts,
    Documents,
    EmbeddingInfo,
    Hierarchy,
    HierarchyNode,
    JobRecord,
    Meta,
    PipelineParams,
    Quality,
    Term,
    Topic,
    TopicMap,
)
from topicmap.store import JobStore
from topicmap.terms import TermTable, presence_to_bytes
from topicmap.vectors import dump_array, normalised
from topicmap.views import attach_views
from worker.jobs import prerender_page_map

DEBIAN = Path(__file__).resolve().parents[3] / "shared" / "data" / "debian-packages.jsonl.gz"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "debian_sample.csv"


def corpus_rows(n: int) -> list[tuple[str, str]]:
    """``n`` (text, Debian section) pairs: the descriptions (the full corpus in ../shared when the
    checkout has it, else the tests' sample), repeated as needed."""
    if DEBIAN.exists():
        with gzip.open(DEBIAN, "rt", encoding="utf-8") as handle:
            rows = [
                (r["text"], r["label"]) for r in (json.loads(line) for _, line in zip(range(n), handle, strict=False))
            ]
    else:  # a checkout without ../shared: the 1,500 descriptions shipped with the tests
        with SAMPLE.open(encoding="utf-8", newline="") as handle:
            rows = [(r["text"], r["section"]) for r in csv.DictReader(handle)][:n]
    return (rows * (n // len(rows) + 1))[:n]


def synthetic_map(n: int, n_topics: int = 60, seed: int = 42, *, themes: int = 0) -> TopicMap:
    """``n`` documents in ``n_topics`` Gaussian blobs of Zipf-like sizes, 20% flagged as outliers;
    with ``themes``, a hierarchy whose coarse level groups neighbouring topics into that many themes."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_topics + 1) ** 0.8
    topic = rng.choice(n_topics, size=n, p=weights / weights.sum())
    side = math.ceil(math.sqrt(n_topics))
    centres = np.stack([np.arange(n_topics) % side, np.arange(n_topics) // side], axis=1) * 4.0
    centres += rng.normal(0, 0.6, centres.shape)
    spread = 0.25 + 0.6 * np.sqrt(np.bincount(topic, minlength=n_topics) / n * n_topics) / 4
    xy = centres[topic] + rng.normal(0, 1, (n, 2)) * spread[topic, None]
    documents = Documents(
        id=[str(i) for i in range(n)],
        x=np.round(xy[:, 0], 4).tolist(),
        y=np.round(xy[:, 1], 4).tolist(),
        topic=topic.tolist(),
        outlier=(rng.random(n) < 0.2).tolist(),
    )
    sizes = np.bincount(topic, minlength=n_topics)
    topics = [
        Topic(
            id=t,
            label=f"topic {t} · term{t}a · term{t}b",
            terms=[Term(term=f"term{t}_{k}", weight=1.0 / (k + 1)) for k in range(10)],
            size=int(sizes[t]),
            x=float(centres[t, 0]),
            y=float(centres[t, 1]),
            representative_documents=[str(i) for i in range(5)],
        )
        for t in range(n_topics)
    ]
    meta = Meta(
        n_documents=n,
        params=PipelineParams(),
        versions={},
        seed=seed,
        embedding=EmbeddingInfo(model="synthetic", backend="none", device="cpu", dimensions=384, unique_documents=n),
        timings_s={},
        peak_rss_mb=0.0,
        quality=Quality(n_topics=n_topics, outlier_share=0.2, unassigned_share=0.0, npmi=0.1, diversity=0.9),
    )
    hierarchy = synthetic_hierarchy(topics, themes) if themes else None
    return TopicMap(meta=meta, topics=topics, hierarchy=hierarchy, documents=documents)


def synthetic_hierarchy(topics: list[Topic], themes: int) -> Hierarchy:
    def node(node_id: str, level: str, parent: str | None, members: list[Topic], label: str) -> HierarchyNode:
        size = sum(t.size for t in members)
        x = sum(t.x * t.size for t in members) / max(size, 1)
        y = sum(t.y * t.size for t in members) / max(size, 1)
        terms = [Term(term=label.split()[0], weight=1.0)]
        return HierarchyNode(
            id=node_id, level=level, parent=parent, children=[], size=size, label=label, terms=terms,
            topics=[t.id for t in members], x=x, y=y,
        )  # type: ignore[arg-type]  # fmt: skip

    columns = max(1, round(math.sqrt(themes * 2)))  # blocks of neighbouring topics, wider than tall
    rows = math.ceil(themes / columns)
    xs, ys = sorted(t.x for t in topics), sorted(t.y for t in topics)

    def block(topic: Topic) -> int:
        column = min(columns - 1, sum(x < topic.x for x in xs[:: max(1, len(xs) // columns)][1:]))
        row = min(rows - 1, sum(y < topic.y for y in ys[:: max(1, len(ys) // rows)][1:]))
        return min(themes - 1, row * columns + column)

    groups = [[t for t in topics if block(t) == g] for g in range(themes)]
    groups = [g for g in groups if g]
    coarse = [node(f"c{g}", "coarse", "root", members, f"theme {g} of packages") for g, members in enumerate(groups)]
    fine = [node(f"t{t.id}", "fine", f"c{g}", [t], t.label) for g, members in enumerate(groups) for t in members]
    root = node("root", "root", None, topics, "All documents")
    root.children = [c.id for c in coarse]
    for c in coarse:
        c.children = [f"t{topic}" for topic in c.topics]
    return Hierarchy(method="synthetic", levels=["coarse", "fine"], nodes=[root, *coarse, *fine])


def filed_date(i: int) -> str:
    """The ``filed`` metadata of document ``i``: a date in 2026 ("" for every tenth)."""
    return "" if i % 10 == 9 else f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"


def store_finished_job(
    store: JobStore,
    owner: str,
    n: int,
    n_topics: int = 60,
    *,
    themes: int = 0,
    with_terms: bool = False,
    per_section: bool = False,
) -> str:
    """A finished job of ``n`` real texts (metadata: their Debian section, their number of words, the
    date they were filed: every tenth missing) and a synthetic map; ``per_section``: with its topics
    per section."""
    rows = corpus_rows(n)
    texts = [text for text, _ in rows]
    metadata = [
        {"section": section, "words": len(text.split()), "filed": filed_date(i)}
        for i, (text, section) in enumerate(rows)
    ]
    topic_map = synthetic_map(n, n_topics, themes=themes)
    if per_section:
        attach_views(topic_map, metadata, PipelineParams(class_column="section"))
    job_id = store_job(store, owner, texts, topic_map, metadata)
    if with_terms:  # the real analyser over the real texts, grouped by the synthetic topics
        table = term_table(texts, topic_map)
        store.put_terms(job_id, 1, table.to_bytes())
        assert table.presence is not None
        store.put_presence(job_id, presence_to_bytes(table.presence))
        record = store.get(job_id)
        assert record is not None  # and embeddings a split re-clusters: a direction per topic, plus noise
        store.put_embeddings(record.corpus, record.params.model, dump_array(synthetic_embeddings(topic_map)))
    return job_id


def synthetic_embeddings(topic_map: TopicMap, dimensions: int = 384, seed: int = 42) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    topics = np.asarray(topic_map.documents.topic)
    directions = rng.normal(size=(topics.max() + 2, dimensions))
    vectors = directions[topics] + rng.normal(scale=0.8, size=(len(topics), dimensions))
    return normalised(vectors.astype(np.float32))


def term_table(texts: list[str], topic_map: TopicMap) -> TermTable:
    """The term counts the pipeline would store for ``topic_map``'s topics (their core documents)."""
    from topicmap.pipeline.label import document_terms

    presence, vocabulary = document_terms(texts)
    topics = np.asarray(topic_map.documents.topic)
    core = ~np.asarray(topic_map.documents.outlier)
    ids = sorted(t.id for t in topic_map.topics)
    rows = [sp.csr_matrix(presence[(topics == t) & core].sum(axis=0)) for t in ids]
    return TermTable(vocabulary, ids, sp.vstack(rows).tocsr(), presence)


def store_job(
    store: JobStore, owner: str, texts: list[str], topic_map: TopicMap, metadata: list[dict[str, Any]] | None = None
) -> str:
    """A finished job whose map is ``topic_map`` (its document ids are the corpus ids)."""
    n = len(texts)
    sha = store.put_corpus(texts, topic_map.documents.id, metadata or [{} for _ in range(n)])
    job_id = uuid.uuid4().hex
    now = time.time()
    counts = DocumentCounts(received=n, dropped=0, truncated=0, used=n)
    store.create(
        JobRecord(id=job_id, owner=owner, created_at=now, params=PipelineParams(), corpus=sha, documents=counts)
    )
    store.put_map(job_id, topic_map)
    prerender_page_map(store, job_id, topic_map)  # as the worker does when a job ends
    store.update(job_id, state="running", started_at=now)  # the state machine: queued → running → succeeded
    store.update(job_id, state="succeeded", finished_at=now)
    return job_id
