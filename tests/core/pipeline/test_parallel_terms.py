"""Counting terms in several processes gives what one process gives: the same vocabulary, matrix and scores."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp

from tests.conftest import HashingEncoder
from topicmap.pipeline import parallel_terms
from topicmap.pipeline.label import TopicLabeler, document_terms, make_vectorizer
from topicmap.pipeline.metrics import literal_vectorizer, npmi_coherence
from topicmap.pipeline.parallel_terms import (
    _fit_by_strings,
    chunk_bounds,
    column_names,
    fit_presence,
    start_workers,
    term_hash,
    transform_presence,
)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted in processes from 100 documents, in chunks of 50 or more (as from 50,000 in chunks of 5,000)."""
    monkeypatch.setattr(parallel_terms, "PARALLEL_FROM", 100)
    monkeypatch.setattr(parallel_terms, "CHUNK_MIN", 50)


@pytest.fixture
def texts(sample_rows: list[dict[str, str]]) -> list[str]:
    stop_words_only = ["the of and", "and the"]  # a chunk may hold no term at all
    return [*(row["text"] for row in sample_rows[:600]), *stop_words_only]


def same_matrix(a: sp.csr_matrix, b: sp.csr_matrix) -> None:
    a, b = a.tocsr().sorted_indices(), b.tocsr().sorted_indices()
    assert a.shape == b.shape
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)


def test_chunks_cover_the_corpus_in_order_and_are_never_too_small() -> None:
    assert chunk_bounds(100_000, 16) == [(i * 6250, (i + 1) * 6250) for i in range(16)]
    assert chunk_bounds(12_000, 16) == [(0, 6000), (6000, 12000)]  # at least 5,000 each
    assert chunk_bounds(3_000, 4) == [(0, 3000)]


@pytest.mark.usefixtures("small_chunks")
def test_the_labels_vocabulary_and_matrix_are_those_of_one_process(texts: list[str]) -> None:
    make = partial(make_vectorizer, binary=True)
    for min_df in (1, 3):
        alone, alone_terms = fit_presence(texts, make, min_df, workers=1)
        together, together_terms = fit_presence(texts, make, min_df, workers=4)
        assert list(together_terms) == list(alone_terms) and len(alone_terms) > 100
        same_matrix(together, alone)
        by_strings, by_strings_terms = _fit_by_strings(texts, make, min_df, workers=4)  # when hashes collide
        assert list(by_strings_terms) == list(alone_terms)
        same_matrix(by_strings, alone)
    counted = partial(make_vectorizer, binary=False)  # counts, not presence: the hashed passes count too
    same_matrix(fit_presence(texts, counted, 2, workers=4)[0], fit_presence(texts, counted, 2, workers=1)[0])
    with pytest.raises(ValueError, match="no terms remain"):
        fit_presence(texts, make, len(texts) + 1, workers=4)
    assert document_terms(texts, min_df=len(texts) + 1, workers=4)[1].size > 0  # falls back to min_df=1


@pytest.mark.usefixtures("small_chunks")
def test_npmi_and_topic_terms_do_not_depend_on_the_number_of_processes(texts: list[str]) -> None:
    vocabulary = list(document_terms(texts, workers=1)[1])
    topics_terms = [vocabulary[i : i + 10] for i in range(0, 400, 10)]
    make = partial(literal_vectorizer, sorted(set(vocabulary[:400])))
    same_matrix(transform_presence(texts, make, workers=3), transform_presence(texts, make, workers=1))
    assert npmi_coherence(texts, topics_terms, workers=3) == npmi_coherence(texts, topics_terms, workers=1)

    topics = np.arange(len(texts), dtype=np.int64) % 5
    embeddings = HashingEncoder().encode(texts)
    one, four = (TopicLabeler(workers=w).fit(texts, topics, embeddings) for w in (1, 4))
    assert one.terms_ == four.terms_ and one.labels_ == four.labels_
    same_matrix(four.counts_, one.counts_)


@pytest.mark.usefixtures("small_chunks")
def test_the_processes_start_early_only_for_a_corpus_read_in_several(texts: list[str]) -> None:
    assert start_workers(len(texts), workers=1) is None and start_workers(99, workers=4) is None
    started = start_workers(len(texts), workers=4)
    assert started is not None
    started.join(timeout=120)
    assert not started.is_alive()
    make = partial(make_vectorizer, binary=True)
    same_matrix(fit_presence(texts, make, 3, workers=4)[0], fit_presence(texts, make, 3, workers=1)[0])


def test_a_term_hash_is_the_same_in_every_process_and_64_bits_wide() -> None:
    from joblib import Parallel, delayed

    terms = ["python", "python bindings", "émigré", ""]
    here = [term_hash(term) for term in terms]
    there = Parallel(n_jobs=2, backend="loky")(delayed(term_hash)(term) for term in terms)
    assert here == there
    assert len(set(here)) == len(terms) and all(0 <= h < 1 << 64 for h in here)
    assert any(h >= 1 << 32 for h in here)


def test_a_column_seen_with_two_terms_is_a_collision() -> None:
    def seen(columns: list[int], terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return np.array(columns, dtype=np.intp), np.array(terms, dtype=object)

    names = column_names(3, [seen([2, 0], ["c", "a"]), seen([1, 2], ["b", "c"])])
    assert names is not None and list(names) == ["a", "b", "c"]
    assert column_names(3, [seen([2, 0], ["c", "a"]), seen([1, 2], ["b", "x"])]) is None  # across chunks
    assert column_names(2, [seen([0, 1, 1], ["a", "b", "x"])]) is None  # within one chunk
    assert column_names(3, [seen([0, 1], ["a", "b"])]) is None  # a kept column nobody named
