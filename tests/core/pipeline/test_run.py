"""The whole pipeline on a planted corpus with the hashing encoder (no model)."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.metrics import adjusted_rand_score

from tests.conftest import HashingEncoder, planted_corpus
from topicmap.pipeline.order import canonical_order
from topicmap.pipeline.run import resolve_min_topic_size, run_pipeline
from topicmap.schemas import STAGES, PipelineParams, TopicMap


def fit(params: PipelineParams | None = None, n: int = 40) -> TopicMap:
    texts, _ = planted_corpus(n)
    return run_pipeline(
        texts, [f"d{i}" for i in range(len(texts))], params or PipelineParams(), encoder=HashingEncoder()
    )


def test_map_shape_and_quality() -> None:
    texts, truth = planted_corpus(40)
    events: list[tuple[str, int, int]] = []
    topic_map = run_pipeline(
        texts,
        [f"d{i}" for i in range(len(texts))],
        PipelineParams(),
        encoder=HashingEncoder(),
        progress=lambda *e: events.append(e),
    )
    TopicMap.model_validate_json(topic_map.model_dump_json())
    assert adjusted_rand_score(truth, topic_map.documents.topic) > 0.9
    assert topic_map.meta.quality.n_topics == 4
    assert topic_map.meta.quality.unassigned_share == 0
    assert [t.id for t in topic_map.topics] == [0, 1, 2, 3]
    assert sum(t.size for t in topic_map.topics) == 160
    assert {t.label.split(" · ")[0] for t in topic_map.topics} <= set(" ".join(texts).split())
    assert all(1 <= len(t.representative_documents) <= 5 for t in topic_map.topics)
    assert topic_map.meta.quality.diversity > 0.9
    assert topic_map.meta.quality.npmi > 0
    assert set(topic_map.meta.timings_s) == {*STAGES, "total"}
    assert [e[0] for e in events if e[1:] == (0, 1)] == list(STAGES)
    assert ("embed", 160, 160) in events


def test_same_seed_same_map_apart_from_timings() -> None:
    first, second = fit().model_dump(), fit().model_dump()
    for dump in (first, second):
        dump["meta"].pop("timings_s")
        dump["meta"].pop("peak_rss_mb")
    assert first == second


def test_keep_outliers_and_target_topic_count() -> None:
    merged = fit(PipelineParams(n_topics=2))
    assert merged.meta.quality.n_topics == 2
    kept = fit(PipelineParams(keep_outliers=True))
    outliers = sum(kept.documents.outlier)
    assert kept.meta.quality.unassigned_share == pytest.approx(outliers / 160)
    assert all(t == -1 for t, o in zip(kept.documents.topic, kept.documents.outlier, strict=True) if o)


def test_progress_callback_can_stop_the_run() -> None:
    class Cancelled(Exception):
        pass

    def cancel_at_reduce(stage: str, done: int, total: int) -> None:
        if stage == "reduce":
            raise Cancelled

    texts, _ = planted_corpus(10)
    with pytest.raises(Cancelled):
        run_pipeline(
            texts, [str(i) for i in range(40)], PipelineParams(), encoder=HashingEncoder(), progress=cancel_at_reduce
        )


def test_a_corpus_of_one_text_says_why_every_document_is_flagged() -> None:
    """HDBSCAN finds no density among identical points: 200 copies made one topic, "100% outliers",
    and nothing said why."""
    topic_map = run_pipeline(
        ["my order never arrived"] * 200, [str(i) for i in range(200)], PipelineParams(), encoder=HashingEncoder()
    )
    assert len(topic_map.topics) == 1 and all(topic_map.documents.outlier)
    assert topic_map.meta.warnings == ["all 200 documents are the same text: one topic, every document flagged"]
    mixed = run_pipeline(
        ["my order never arrived", "the app crashes"] * 100,
        [str(i) for i in range(200)],
        PipelineParams(),
        encoder=HashingEncoder(),
    )
    assert mixed.meta.warnings == []


def test_ids_must_match_texts() -> None:
    with pytest.raises(ValueError, match="same length"):
        run_pipeline(["a", "b"], ["1"], PipelineParams(), encoder=HashingEncoder())


@pytest.mark.parametrize(
    ("given", "n", "expected"),
    [
        *((None, 12, 2), (None, 60, 4), (None, 149, 9), (None, 150, 10)),
        *((None, 500, 10), (None, 20_000, 20), (None, 10**6, 100), (7, 10**6, 7)),
    ],
)
def test_min_topic_size_default(given: int | None, n: int, expected: int) -> None:
    assert resolve_min_topic_size(PipelineParams(min_topic_size=given), n) == expected


def test_large_corpus_reduction_finds_the_same_topics_and_is_reproducible() -> None:
    """The path for corpora above LARGE_CORPUS (NN-descent graph, label-propagation start, fewer
    epochs, map started from the clustering projection), forced on a small planted corpus."""
    texts, truth = planted_corpus(60)
    ids = [f"d{i}" for i in range(len(texts))]

    def large() -> TopicMap:
        return run_pipeline(texts, ids, PipelineParams(), encoder=HashingEncoder(), large_corpus=100)

    topic_map = large()
    TopicMap.model_validate_json(topic_map.model_dump_json())
    assert topic_map.meta.resolved["min_samples"] == 5
    assert adjusted_rand_score(truth, topic_map.documents.topic) > 0.9
    again = large()
    assert again.documents.topic == topic_map.documents.topic and again.documents.x == topic_map.documents.x


@pytest.mark.parametrize("large_corpus", [10_000, 100], ids=["small-corpus path", "large-corpus path"])
def test_row_order_does_not_change_the_map(large_corpus: int) -> None:
    """The same corpus shuffled, same seed: the same partition, labels, terms and positions per
    document (BERTopic #2276); the map's documents stay in the order they were given."""
    import random

    texts, _ = planted_corpus(60)
    ids = [f"d{i}" for i in range(len(texts))]
    shuffled = list(range(len(texts)))
    random.Random(3).shuffle(shuffled)
    kept: dict[str, Any] = {}
    first = run_pipeline(
        texts,
        ids,
        PipelineParams(),
        encoder=HashingEncoder(),
        large_corpus=large_corpus,
        on_terms=lambda table: kept.setdefault("first", table),
    )
    second = run_pipeline(
        [texts[i] for i in shuffled],
        [ids[i] for i in shuffled],
        PipelineParams(),
        encoder=HashingEncoder(),
        large_corpus=large_corpus,
        on_terms=lambda table: kept.setdefault("second", table),
    )
    assert second.documents.id == [ids[i] for i in shuffled]
    by_id = {doc_id: row for row, doc_id in enumerate(second.documents.id)}
    for name in ("topic", "outlier", "x", "y"):
        column, other = getattr(first.documents, name), getattr(second.documents, name)
        assert [other[by_id[doc_id]] for doc_id in ids] == column, name
    assert [(t.id, t.label, t.size, t.representative_documents) for t in first.topics] == [
        (t.id, t.label, t.size, t.representative_documents) for t in second.topics
    ]
    before, after = kept["first"], kept["second"]  # term presence rows follow the caller's order too
    assert list(before.vocabulary) == list(after.vocabulary) and (before.counts != after.counts).nnz == 0
    rows = [by_id[doc_id] for doc_id in ids]
    assert (before.presence != after.presence[rows]).nnz == 0 and before.presence.nnz > 0


def test_the_canonical_order_sorts_by_text_then_id() -> None:
    texts = ["b", "a", "b", "a", "c", "a"]
    ids = ["9", "3", "1", "2", "0", "10"]
    order = canonical_order(texts, ids)
    assert order is not None
    assert [(texts[i], ids[i]) for i in order] == sorted(zip(texts, ids, strict=True))
    assert canonical_order(sorted(texts), [str(i) for i in range(len(texts))]) is None  # in that order already


def test_fresh_and_cached_embeddings_give_the_same_map() -> None:
    """The worker caches embeddings as float16: the first run uses them at that precision too, so a
    rerun from the cache (or another row order of the same corpus) gives the same map."""
    from topicmap.vectors import dump_array, load_array

    texts, _ = planted_corpus(60)
    ids = [f"d{i}" for i in range(len(texts))]
    kept: list[Any] = []
    fresh = run_pipeline(texts, ids, PipelineParams(), encoder=HashingEncoder(), on_embedded=kept.append)
    cached = run_pipeline(texts, ids, PipelineParams(), embeddings=load_array(dump_array(kept[0])))
    assert cached.documents == fresh.documents
    assert [t.label for t in cached.topics] == [t.label for t in fresh.topics]


def test_umap_never_starts_spectral(monkeypatch: pytest.MonkeyPatch) -> None:
    """ARPACK's eigen-solver gave different starting vectors for the same graph from run to run
    (20,000 documents; and 474 survey answers across processes); both UMAPs start from deterministic
    coordinates instead, at any size, and the same corpus gives the same map. Only the reference
    pipeline of the benchmarks asks for the spectral start."""
    import umap.spectral
    import umap.umap_

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("UMAP started from the spectral embedding")

    monkeypatch.setattr(umap.umap_, "spectral_layout", refuse)
    monkeypatch.setattr(umap.spectral, "spectral_layout", refuse)
    for per_topic in (250, 15):
        texts, truth = planted_corpus(per_topic)
        ids = [f"d{i}" for i in range(len(texts))]
        first = run_pipeline(texts, ids, PipelineParams(), encoder=HashingEncoder())
        assert adjusted_rand_score(truth, first.documents.topic) > 0.9
        again = run_pipeline(texts, ids, PipelineParams(), encoder=HashingEncoder())
        assert again.documents.topic == first.documents.topic and again.documents.x == first.documents.x
    with pytest.raises(AssertionError, match="spectral"):
        run_pipeline(texts, ids, PipelineParams(), encoder=HashingEncoder(), spectral_start=True)


def test_embedding_far_slower_than_the_backends_probe_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    from topicmap.pipeline.backends import BackendChoice

    texts, _ = planted_corpus(n_per_topic=150)
    promised, honest = HashingEncoder(), HashingEncoder()
    promised.choice = BackendChoice("hashing", "a probe that promised too much", docs_per_s=1e12)  # type: ignore[attr-defined]
    honest.choice = BackendChoice("hashing", "a probe that told the truth", docs_per_s=1.0)  # type: ignore[attr-defined]
    ids = [f"d{i}" for i in range(len(texts))]
    with caplog.at_level("WARNING", logger="topicmap"):
        run_pipeline(texts, ids, PipelineParams(), encoder=honest)
        assert not [r for r in caplog.records if "docs/s" in r.getMessage()]
        run_pipeline(texts, ids, PipelineParams(), encoder=promised)
    assert [r for r in caplog.records if "measured when this machine chose it" in r.getMessage()]
