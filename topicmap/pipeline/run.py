"""The pipeline, start to end: embed → reduce → cluster → label → layout → hierarchy → score.

A short linear orchestrator around the stage classes. Progress goes to a callback with
``(stage, done, total)``; the callback may raise to stop the run (the worker uses this for
cancellation and deadlines, which are checked between stages and embedding batches).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import numpy.typing as npt

from topicmap.duplicates import DUPLICATE_COSINE, describe_groups, duplicate_groups, representatives
from topicmap.pipeline.assemble import build_documents, build_hierarchy, build_topics, library_versions
from topicmap.pipeline.backends import slower_than_probed
from topicmap.pipeline.cache import cache_dir
from topicmap.pipeline.closest import top_topics
from topicmap.pipeline.cluster import (
    HdbscanClusterer,
    OutlierAssigner,
    TopicMerger,
    centroids,
    merge_warnings,
    order_by_size,
)
from topicmap.pipeline.cores import stages_device, use_cores
from topicmap.pipeline.embed import Embedder
from topicmap.pipeline.encoders import Encoder, load_encoder
from topicmap.pipeline.hierarchy import TopicHierarchy
from topicmap.pipeline.islands import pack_fragments, pull_in_islands
from topicmap.pipeline.jit import enable_jit_cache
from topicmap.pipeline.label import TopicLabeler
from topicmap.pipeline.metrics import npmi_coherence, peak_rss_mb, topic_diversity
from topicmap.pipeline.order import canonical_order, in_input_order
from topicmap.pipeline.orient import landscape
from topicmap.pipeline.parallel_terms import start_workers
from topicmap.pipeline.piles import release_stray_piles
from topicmap.pipeline.reduce import EXACT_KNN_LIMIT, NeighbourGraph, UmapReducer, graph_init, pca_init
from topicmap.pipeline.seeds import match_seeds, seed_text, unmatched_warnings
from topicmap.pipeline.spread import spread_duplicates
from topicmap.schemas import EmbeddingInfo, Meta, PipelineParams, Quality, TopicMap
from topicmap.terms import TermTable
from topicmap.vectors import at_stored_precision

Progress = Callable[[str, int, int], None]
MAX_KEPT_PRESENCE = 200_000
"""Up to this many documents, which terms each contains is kept with the map (about 1 MB per 20,000
descriptions, compressed), so documents can be moved between topics by an edit."""
LARGE_CORPUS = 50_000
"""Above this many documents UMAP starts from label propagation, not a spectral embedding, and
runs fewer epochs in batches on every core; the map starts from the clustering projection
(docs/benchmarks.md, "100k" and "Cores")."""
LARGE_REDUCE_EPOCHS = 75
LARGE_LAYOUT_EPOCHS = 60
LARGE_MIN_SAMPLES = 5
EmbedFunction = Callable[[Sequence[str], Encoder, Callable[[int, int], None]], npt.NDArray[np.float32]]
"""(texts, encoder, batch progress) → L2-normalised embeddings, one row per text."""
MIN_SAMPLES_CAP = 10
FEW_DOCUMENTS = 1_000
"""Under this many documents HDBSCAN's ``min_samples`` is at most 5, as above LARGE_CORPUS: with the
giant guard (cluster.py GIANT_SHARE), 150-600 Debian descriptions went from NMI 0.26 to 0.43 against
their sections, and none of 20 samples was left with one topic of most documents (docs/benchmarks.md,
"Small corpora")."""


def _no_progress(stage: str, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


SMALL_CORPUS = 150
"""Below this many documents a topic may be smaller than 10: n/15, at least 2 (12 support tickets of
four kinds make four topics of 3, not one topic with every document an outlier)."""


def resolve_min_topic_size(params: PipelineParams, n_documents: int) -> int:
    """The automatic default: n/15 (at least 2) for corpora under 150 documents, then 10, growing as
    n/1000 for large ones, at most 100."""
    if params.min_topic_size is not None:
        return params.min_topic_size
    if n_documents < SMALL_CORPUS:
        return max(2, n_documents // 15)
    return int(min(100, max(10, n_documents // 1000)))


def run_pipeline(
    texts: Sequence[str],
    ids: Sequence[str],
    params: PipelineParams,
    *,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
    embeddings: npt.NDArray[np.float32] | None = None,
    on_embedded: Callable[[npt.NDArray[np.float32]], None] | None = None,
    embed: EmbedFunction | None = None,
    large_corpus: int = LARGE_CORPUS,
    on_terms: Callable[[TermTable], None] | None = None,
    spectral_start: bool = False,
) -> TopicMap:
    """Build the topic map of ``texts`` (with document ``ids``).

    ``embeddings`` (shape (n_documents, dim), L2-normalised) skips the embedding stage, e.g. from
    a cache; ``on_embedded`` receives freshly computed embeddings (to fill that cache);
    ``on_terms`` receives the topics' term counts (kept with the map for edits: topicmap/edits/regroup.py);
    ``encoder`` replaces the model (tests pass a fake); ``embed`` replaces the embedding stage's
    own loop (the worker spreads a big job's embedding over workers: worker/shards.py);
    ``large_corpus`` is the size above which the fast reduction runs (benchmarks raise it to run
    the reference pipeline, umap-learn as configured by default, at any size, with
    ``spectral_start``: umap-learn's spectral start, which is not reproducible). Otherwise both
    UMAPs start from deterministic coordinates (docs/pipeline.md, "Reproducibility"). The documents are
    processed in one canonical order (by text, then id: topicmap/pipeline/order.py), so the row order
    of the corpus does not change the map.
    """
    if len(texts) != len(ids):
        raise ValueError("texts and ids must have the same length")
    order = canonical_order(texts, ids)
    if order is None:  # already in canonical order
        return _pipeline(
            texts, ids, params, progress=progress, encoder=encoder, embeddings=embeddings,
            on_embedded=on_embedded, embed=embed, large_corpus=large_corpus, on_terms=on_terms,
            spectral_start=spectral_start,
        )  # fmt: skip
    inverse = np.argsort(order)

    def embedded(vectors: npt.NDArray[np.float32]) -> None:
        if on_embedded is not None:
            on_embedded(vectors[inverse])  # the caller caches them in its own order

    def termed(table: TermTable) -> None:
        if on_terms is not None:
            if table.presence is not None:
                table.presence = table.presence[inverse]
            on_terms(table)

    topic_map = _pipeline(
        [texts[i] for i in order],
        [ids[i] for i in order],
        params,
        progress=progress,
        encoder=encoder,
        embeddings=embeddings[order] if embeddings is not None else None,
        on_embedded=embedded,
        embed=embed,
        large_corpus=large_corpus,
        on_terms=termed,
        spectral_start=spectral_start,
    )
    return in_input_order(topic_map, inverse)


def _pipeline(
    texts: Sequence[str],
    ids: Sequence[str],
    params: PipelineParams,
    *,
    progress: Progress | None = None,
    encoder: Encoder | None = None,
    embeddings: npt.NDArray[np.float32] | None = None,
    on_embedded: Callable[[npt.NDArray[np.float32]], None] | None = None,
    embed: EmbedFunction | None = None,
    large_corpus: int = LARGE_CORPUS,
    on_terms: Callable[[TermTable], None] | None = None,
    spectral_start: bool = False,
) -> TopicMap:
    """run_pipeline on documents in canonical order (topicmap/pipeline/order.py)."""
    enable_jit_cache(cache_dir() / "numba")  # before umap is imported: later processes skip the JIT
    report = progress or _no_progress
    timings: dict[str, float] = {}
    min_size = resolve_min_topic_size(params, len(texts))
    # Measured on 20k Debian descriptions: 10 rather than 5 gives fewer, more distinct topics
    # (diversity 0.885 → 0.918) at the same NMI (docs/pipeline.md).
    large = len(texts) > large_corpus
    stable_start = large or not spectral_start
    min_samples = min(min_size, LARGE_MIN_SAMPLES if large or len(texts) < FEW_DOCUMENTS else MIN_SAMPLES_CAP)

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        report(name, 0, 1)
        start = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - start, 3)
        report(name, 1, 1)

    cached = embeddings is not None
    seeds = list(params.seed_topics)
    warnings: list[str] = []
    with stage("load_model"):
        if not cached or seeds:  # seed topics are embedded with the map's model
            encoder = encoder or load_encoder(params.model)
    embedder = Embedder(encoder=encoder)
    with stage("embed"):
        if embeddings is None and embed is not None and encoder is not None:
            embeddings = embed(texts, encoder, lambda done, total: report("embed", done, total))
            n_unique = len(set(texts))
            if on_embedded is not None:
                on_embedded(embeddings)
        elif embeddings is None:
            started = time.perf_counter()
            embeddings = embedder.fit(texts, on_batch=lambda done, total: report("embed", done, total)).embeddings_
            n_unique = embedder.n_unique_
            slow = slower_than_probed(getattr(encoder, "choice", None), n_unique, time.perf_counter() - started)
            if slow:
                logging.getLogger("topicmap").warning(slow)
            if on_embedded is not None:
                on_embedded(embeddings)
            embeddings = at_stored_precision(embeddings)  # the same map whether they come fresh or cached
        else:
            n_unique = len(set(texts))
    with stage("reduce"):
        cores = use_cores()  # numba (and torch) threads for the stages below; processes for the texts
        start_workers(len(texts), cores)  # the label and score stages' processes, started meanwhile
        device = stages_device() if large else "cpu"  # the GPU, where there is one, for large corpora
        graph = NeighbourGraph(
            n_neighbors=params.n_neighbors,
            random_state=params.seed,
            fast=large,
            exact_limit=min(EXACT_KNN_LIMIT, large_corpus),
            device=device,
        ).fit(embeddings)
        reducer = UmapReducer(n_components=params.n_components, random_state=params.seed, batch=large, device=device)
        if large:
            reducer.n_epochs = LARGE_REDUCE_EPOCHS
        if stable_start:
            reducer.init = graph_init(graph, embeddings, min(params.n_components, len(texts) - 2), params.seed)
        reduced = reducer.fit(embeddings, graph).embedding_
    with stage("cluster"):
        seeded = np.full(len(texts), -1, dtype=np.int64)
        if seeds and encoder is not None:
            seed_vectors = at_stored_precision(np.asarray(encoder.encode([seed_text(s) for s in seeds]), np.float32))
            seeded = match_seeds(embeddings, seed_vectors)
            warnings += unmatched_warnings(seeds, seeded)
        groups = duplicate_groups(graph.indices_, graph.distances_)  # the kNN graph's close pairs: no new search
        representative = representatives(groups, embeddings)
        # One per near-duplicate group (the option): only representatives are clustered, the others
        # follow theirs; otherwise every document is clustered (representative[i] == i).
        alone = representative == np.arange(len(texts)) if params.one_per_duplicate_group else np.ones(len(texts), bool)
        rest = seeded < 0  # every document when there are no seeds
        clustered_rows = rest & alone
        labels = np.full(len(texts), -1, dtype=np.int64)
        finer = None  # the clusters before the closest were merged (params.n_topics), for the labels
        if clustered_rows.sum() >= max(2 * min_size, min_samples + 1):
            rows = slice(None) if clustered_rows.all() else clustered_rows  # all of them: views, not copies
            found = HdbscanClusterer(min_cluster_size=min_size, min_samples=min_samples).fit(reduced[rows])
            merger = TopicMerger(n_topics=params.n_topics).fit(embeddings[rows], found.labels_)
            labels[clustered_rows] = merger.labels_
            if not np.array_equal(merger.labels_, found.labels_):
                finer = np.full(len(texts), -1, dtype=np.int64)
                finer[clustered_rows] = found.labels_
                warnings += merge_warnings(int(found.labels_.max()) + 1, params.n_topics)
            if not params.one_per_duplicate_group:  # there a pile was one point: no clump to pull it in
                labels = release_stray_piles(labels, groups, embeddings)
        first_seed = int(labels.max()) + 1
        labels[~rest] = first_seed + seeded[~rest]
        follows = rest & ~alone
        labels[follows] = labels[representative[follows]]
        if finer is not None:
            finer[follows] = finer[representative[follows]]
        if n_unique == 1:  # HDBSCAN finds no density among identical points: all are "outliers"
            warnings.append(f"all {len(texts)} documents are the same text: one topic, every document flagged")
        assigner = OutlierAssigner(keep_outliers=params.keep_outliers).fit(embeddings, labels)
        topics, outlier = order_by_size(assigner.labels_), assigner.outlier_
        seed_topics = {
            int(topics[labels == first_seed + i][0]): seed for i, seed in enumerate(seeds) if (seeded == i).any()
        }
    with stage("label"):
        labeler = TopicLabeler(
            n_terms=params.n_terms,
            n_representative=params.n_representative,
            workers=cores,
            languages=tuple(params.languages) if params.languages else None,
        )
        labeler.fit(texts, topics, embeddings, core=~outlier, finer=finer)
        if on_terms is not None:
            presence = labeler.presence_ if len(texts) <= MAX_KEPT_PRESENCE else None
            on_terms(TermTable(labeler.vocabulary_, list(labeler.topic_ids_), labeler.counts_, presence))
    with stage("layout"):
        layout = UmapReducer(
            n_components=2, min_dist=params.min_dist, random_state=params.seed, batch=large, device=device
        )
        if large:
            layout.n_epochs = LARGE_LAYOUT_EPOCHS
        if stable_start:
            layout.init = pca_init(reduced)
        xy = spread_duplicates(layout.fit(embeddings, graph).embedding_, texts)  # then islands of their size
        xy = landscape(pack_fragments(pull_in_islands(xy)))  # its long side across the screen
    with stage("hierarchy"):
        named = {topic: seed.label for topic, seed in seed_topics.items()}
        topic_ids, topic_centroids = centroids(embeddings, topics)
        rows = [labeler.topic_ids_.index(t) for t in topic_ids]
        hierarchy = TopicHierarchy().fit(
            topic_ids,
            topic_centroids,
            np.bincount(topics[topics >= 0])[topic_ids].astype(np.int64),
            labeler.counts_[rows],
            labeler.vocabulary_,
            {**dict(zip(labeler.topic_ids_, labeler.labels_, strict=True)), **named},
            dict(zip(labeler.topic_ids_, labeler.terms_, strict=True)),
        )
    with stage("score"):
        terms = [
            [t for t, _ in terms] for topic, terms in zip(labeler.topic_ids_, labeler.terms_, strict=True) if topic >= 0
        ]
        quality = Quality(
            n_topics=len(terms),
            outlier_share=round(float(outlier.mean()), 6),
            unassigned_share=round(float((topics < 0).mean()), 6),
            npmi=round(npmi_coherence(texts, terms, workers=cores), 6),
            diversity=round(topic_diversity(terms), 6),
        )
    meta = Meta(
        n_documents=len(texts),
        params=params,
        resolved={
            "min_topic_size": min_size,
            "min_samples": min_samples,
            "n_neighbors": graph.n_neighbors_,
            "stages_device": device,
            "languages": ",".join(labeler.languages_),
        },
        versions=library_versions(),
        seed=params.seed,
        embedding=EmbeddingInfo(
            model=params.model,
            backend=encoder.backend if encoder else "cache",
            device=encoder.device if encoder else "none",
            backend_reason=choice.reason if (choice := getattr(encoder, "choice", None)) else None,
            backend_docs_per_s=round(choice.docs_per_s, 1) if choice and choice.docs_per_s else None,
            dimensions=int(embeddings.shape[1]),
            unique_documents=n_unique,
            cached=cached,
        ),
        timings_s={**timings, "total": round(sum(timings.values()), 3)},
        peak_rss_mb=round(peak_rss_mb(), 1),
        quality=quality,
        warnings=warnings,
    )
    built = build_topics(labeler, topics, xy, ids)
    for topic in built:  # a seed topic keeps the person's name; its terms are computed as for any topic
        if topic.id in seed_topics:
            topic.label, topic.named_by = seed_topics[topic.id].label, "person"
    documents = build_documents(ids, xy, topics, outlier)
    documents.duplicate_group = groups.tolist()
    documents.top_topics, documents.top_strengths = top_topics(embeddings, topics)
    return TopicMap(
        meta=meta,
        topics=built,
        duplicates=describe_groups(groups, representative, list(ids), DUPLICATE_COSINE),
        hierarchy=build_hierarchy(hierarchy, topics, xy, {t.id: (t.x, t.y) for t in built if t.id >= 0}),
        documents=documents,
    )
