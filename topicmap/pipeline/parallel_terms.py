"""Which terms each document contains, counted in several processes.

Labelling (c-TF-IDF) and scoring (NPMI) each read every text once through scikit-learn's
``CountVectorizer``, whose analyser and counting are pure Python: on one core whatever the machine
(100,000 sentences: 2.2 s and 1.3 s; a million documents: 35 s and 21 s). Here the corpus is cut
into consecutive chunks, each chunk is read in its own process (joblib's loky pool, kept between
jobs), and the chunks' counts (as hashes of the terms) and matrices are joined. The result is the
one-process result exactly: the same sorted vocabulary, the same ``min_df`` pruning, the same matrix
(``tests/core/pipeline/test_parallel_terms.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import pairwise
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.utils import murmurhash3_32

PARALLEL_FROM = 50_000
"""Documents from which counting in several processes pays for starting them and joining chunks."""
CHUNK_MIN = 5_000
"""Fewest documents per chunk: smaller chunks cost more to join than they save."""

Presence = tuple[sp.csr_matrix, npt.NDArray[np.object_]]
Maker = Callable[[], CountVectorizer]
ChunkResult = TypeVar("ChunkResult")


def chunk_bounds(n_documents: int, workers: int) -> list[tuple[int, int]]:
    """``workers`` (at most) consecutive, nearly equal ranges covering ``range(n_documents)``."""
    parts = max(1, min(workers, n_documents // CHUNK_MIN))
    edges = np.linspace(0, n_documents, parts + 1).astype(int)
    return [(int(a), int(b)) for a, b in pairwise(edges)]


def worth_parallel(n_documents: int, workers: int) -> bool:
    return workers > 1 and n_documents >= PARALLEL_FROM and len(chunk_bounds(n_documents, workers)) > 1


def start_workers(n_documents: int, workers: int) -> threading.Thread | None:
    """Start the processes of a large corpus's text passes in the background (called as the reduce
    stage begins): starting one and importing scikit-learn takes about a second, which then overlaps
    the reduce stage's single-threaded parts instead of delaying the labels."""
    if not worth_parallel(n_documents, workers):
        return None
    thread = threading.Thread(
        target=_start, args=(len(chunk_bounds(n_documents, workers)),), name="topicmap-text-workers", daemon=True
    )
    thread.start()
    return thread


def _start(parts: int) -> None:
    from joblib import Parallel, delayed

    try:
        Parallel(n_jobs=parts, backend="loky")(delayed(_ready)() for _ in range(parts))
    except Exception:  # the passes start their processes themselves if this failed
        logging.getLogger("topicmap").debug("could not start the text workers early", exc_info=True)


def _ready() -> bool:
    time.sleep(0.5)  # each process takes one task, so each imports this module (and scikit-learn)
    return True


def fit_presence(texts: Sequence[str], make: Maker, min_df: int, workers: int) -> Presence:
    """``make().set_params(min_df=min_df).fit_transform(texts)`` and its vocabulary, over ``workers``
    processes. Raises ``ValueError`` as scikit-learn does when no term is left.

    Two passes, each over chunks in parallel. First each chunk's document frequencies: 64-bit hashes
    of its terms, in the order it first saw them, and counts (arrays: cheap to send, summed by one
    sort in the parent, where a dictionary of a million strings took most of a second on one core).
    Then each chunk gets, for each of its terms in that order, its column (its hash in at least
    ``min_df`` documents) or -1, reads its texts again in the same order, and returns its matrix and
    the terms of its columns; the parent names each column, sorts the names as scikit-learn sorts
    its vocabulary and renumbers the columns. Two terms with one hash would give a column two names:
    then the strings are counted exactly instead (:func:`_fit_by_strings`).
    """
    vectorizer = make()
    if not worth_parallel(len(texts), workers) or not _prunes_only_by_min_df(vectorizer):
        vectorizer.set_params(min_df=min_df)
        return vectorizer.fit_transform(texts).tocsr(), vectorizer.get_feature_names_out()
    hashes, counts = zip(*_in_processes(_hashed_frequencies, texts, make, workers), strict=True)
    every, where = np.unique(np.concatenate(hashes), return_inverse=True)
    is_kept = np.bincount(where, weights=np.concatenate(counts).astype(np.float64)) >= min_df
    n_kept = int(is_kept.sum())
    if n_kept == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    column_of = np.full(every.size, -1, dtype=np.int32)
    column_of[is_kept] = np.arange(n_kept, dtype=np.int32)
    ends = np.cumsum([len(h) for h in hashes])
    columns = [column_of[where[end - len(h) : end]] for h, end in zip(hashes, ends, strict=True)]
    chunks = list(_in_processes(_kept_presence, texts, make, workers, extras=[(c, n_kept) for c in columns]))
    names = column_names(n_kept, [(seen, terms) for _, seen, terms in chunks])
    if names is None:  # two terms share a hash
        return _fit_by_strings(texts, make, min_df, workers)
    order = np.argsort(names, kind="stable")
    rank = np.empty(n_kept, dtype=np.int64)
    rank[order] = np.arange(n_kept)
    presence: sp.csr_matrix = sp.vstack([matrix for matrix, _, _ in chunks], format="csr")
    presence.indices = rank[presence.indices].astype(presence.indices.dtype)
    presence.has_sorted_indices = False
    presence.sort_indices()
    return presence, names[order]


def column_names(
    n_columns: int, seen: Sequence[tuple[npt.NDArray[np.integer], npt.NDArray[np.object_]]]
) -> npt.NDArray[np.object_] | None:
    """Each column's term, from the chunks' (columns, terms) they saw; None when a column was seen
    with two terms (their hashes collide) or never seen."""
    names = np.full(n_columns, None, dtype=object)
    for columns, terms in seen:
        unnamed = np.array([name is None for name in names[columns]], dtype=bool)
        names[columns[unnamed]] = terms[unnamed]
        if (names[columns] != terms).any():
            return None
    return None if any(name is None for name in names) else names


def _fit_by_strings(texts: Sequence[str], make: Maker, min_df: int, workers: int) -> Presence:
    """:func:`fit_presence` by the terms themselves: their document frequencies summed in a
    dictionary, then each chunk's presence of the vocabulary."""
    frequency: Counter[str] = Counter()
    for counts in _in_processes(_document_frequencies, texts, make, workers):
        frequency.update(counts)
    vocabulary = sorted(term for term, count in frequency.items() if count >= min_df)
    if not vocabulary:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    presence = transform_presence(texts, partial(_with_vocabulary, make, vocabulary), workers)
    return presence, np.array(vocabulary, dtype=object)


def _prunes_only_by_min_df(vectorizer: CountVectorizer) -> bool:
    """Whether the vectorizer's vocabulary is every analysed term (then pruned by ``min_df`` alone):
    what the hashed passes reproduce."""
    return vectorizer.vocabulary is None and vectorizer.max_df == 1.0 and vectorizer.max_features is None


def term_hash(term: str) -> int:
    """A term's 64-bit hash, the same in every process (Python's ``hash`` of a string is not):
    two 32-bit MurmurHash3 of it (scikit-learn's; six times faster than a 64-bit blake2b)."""
    return int(murmurhash3_32(term, seed=0, positive=True)) << 32 | int(murmurhash3_32(term, seed=1, positive=True))


def _hashed_frequencies(texts: list[str], make: Maker) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """The chunk's terms' hashes and document frequencies, in the order the terms are first seen."""
    counts = _document_frequencies(texts, make)
    hashes = np.fromiter((term_hash(term) for term in counts), dtype=np.uint64, count=len(counts))
    return hashes, np.fromiter(counts.values(), dtype=np.int64, count=len(counts))


KeptChunk = tuple[sp.csr_matrix, npt.NDArray[np.int32], npt.NDArray[np.object_]]


def _kept_presence(texts: list[str], make: Maker, columns: tuple[npt.NDArray[np.int32], int]) -> KeptChunk:
    """The chunk's matrix over the kept terms (counted as the vectorizer counts), given each of its
    terms' column (-1: not kept) in the order :func:`_hashed_frequencies` saw them first; the
    columns it saw, and their terms."""
    vectorizer = make()
    analyse = vectorizer.build_analyzer()
    of_term, n_columns = columns[0].tolist(), columns[1]
    column: dict[str, int] = {}
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for text in texts:
        found: dict[int, int] = {}  # as scikit-learn counts (a Counter is slower here)
        for term in analyse(text):
            j = column.get(term)
            if j is None:
                j = column[term] = of_term[len(column)]
            if j >= 0:
                found[j] = found.get(j, 0) + 1
        indices.extend(found)
        values.extend([1] * len(found) if vectorizer.binary else found.values())
        indptr.append(len(indices))
    if len(column) != len(of_term):
        raise RuntimeError("the second reading of a chunk found other terms than the first")
    matrix = sp.csr_matrix(
        (np.array(values, dtype=vectorizer.dtype), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int32)),
        shape=(len(texts), n_columns),
    )
    seen = [(j, term) for term, j in column.items() if j >= 0]
    return matrix, np.array([j for j, _ in seen], dtype=np.int32), np.array([t for _, t in seen], dtype=object)


def transform_presence(texts: Sequence[str], make: Maker, workers: int) -> sp.csr_matrix:
    """``make().transform(texts)`` (a vectorizer given its vocabulary) over ``workers`` processes."""
    if not worth_parallel(len(texts), workers):
        matrix: sp.csr_matrix = make().transform(texts).tocsr()
        return matrix
    stacked: sp.csr_matrix = sp.vstack(list(_in_processes(_transform_chunk, texts, make, workers)), format="csr")
    return stacked


def _with_vocabulary(make: Maker, vocabulary: list[str]) -> CountVectorizer:
    return make().set_params(vocabulary=vocabulary)


def _document_frequencies(texts: list[str], make: Maker) -> dict[str, int]:
    """How many of the chunk's texts contain each term, the terms in the order they are first seen."""
    analyse = make().build_analyzer()
    return dict(Counter(term for text in texts for term in dict.fromkeys(analyse(text))))  # ordered, unlike a set


def _transform_chunk(texts: list[str], make: Maker) -> sp.csr_matrix:
    matrix: sp.csr_matrix = make().transform(texts).tocsr()
    return matrix


def _in_processes(
    function: Callable[..., ChunkResult],
    texts: Sequence[str],
    make: Maker,
    workers: int,
    extras: Sequence[object] | None = None,
) -> Iterator[ChunkResult]:
    """``function(chunk, make)`` (``function(chunk, make, extras[i])`` for the i-th chunk) on each
    chunk, one process per chunk, results in chunk order as they come (each chunk's term counts
    are merged and dropped in turn, not all held at once). loky's pool outlives the call, so the
    next job finds its processes started."""
    from joblib import Parallel, delayed

    bounds = chunk_bounds(len(texts), workers)
    more = [(extra,) for extra in extras] if extras is not None else [()] * len(bounds)
    if len(more) != len(bounds):
        raise ValueError(f"{len(more)} extra arguments for {len(bounds)} chunks")
    jobs = (delayed(function)(list(texts[a:b]), make, *extra) for (a, b), extra in zip(bounds, more, strict=True))
    results: Iterator[ChunkResult] = Parallel(n_jobs=len(bounds), backend="loky", return_as="generator")(jobs)
    return results
