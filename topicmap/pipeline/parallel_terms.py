"""Which terms each document contains, counted in several processes.

Labelling (c-TF-IDF) and scoring (NPMI) each read every text once through scikit-learn's
``CountVectorizer``, whose analyser and counting are pure Python: on one core whatever the machine
(100,000 sentences: 2.2 s and 1.3 s; a million documents: 35 s and 21 s). Here the corpus is cut
into consecutive chunks, each chunk is read in its own process (joblib's loky pool, kept between
jobs), and the chunks' counts and matrices are joined. The result is the one-process result exactly: the same
sorted vocabulary, the same ``min_df`` pruning, the same matrix (``tests/core/pipeline/test_parallel_terms.py``).
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

    Two passes, each over chunks in parallel: the chunks' document frequencies, summed into the
    vocabulary (the terms in at least ``min_df`` documents, sorted as scikit-learn sorts them), then
    each chunk's presence of that vocabulary. Joining the chunks' own vocabularies instead (sorting
    every term of every chunk, most of them dropped by ``min_df``) cost more than it saved.
    """
    if not worth_parallel(len(texts), workers):
        vectorizer = make().set_params(min_df=min_df)
        return vectorizer.fit_transform(texts).tocsr(), vectorizer.get_feature_names_out()
    frequency: Counter[str] = Counter()
    for counts in _in_processes(_document_frequencies, texts, make, workers):
        frequency.update(counts)
    vocabulary = sorted(term for term, count in frequency.items() if count >= min_df)
    if not vocabulary:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    presence = transform_presence(texts, partial(_with_vocabulary, make, vocabulary), workers)
    return presence, np.array(vocabulary, dtype=object)


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
    analyse = make().build_analyzer()
    return dict(Counter(term for text in texts for term in set(analyse(text))))


def _transform_chunk(texts: list[str], make: Maker) -> sp.csr_matrix:
    matrix: sp.csr_matrix = make().transform(texts).tocsr()
    return matrix


def _in_processes(
    function: Callable[[list[str], Maker], ChunkResult], texts: Sequence[str], make: Maker, workers: int
) -> Iterator[ChunkResult]:
    """``function`` on each chunk, one process per chunk, results in chunk order as they come (each
    chunk's term counts are merged and dropped in turn, not all held at once). loky's pool outlives
    the call, so the next job finds its processes started."""
    from joblib import Parallel, delayed

    bounds = chunk_bounds(len(texts), workers)
    jobs = (delayed(function)(list(texts[a:b]), make) for a, b in bounds)
    results: Iterator[ChunkResult] = Parallel(n_jobs=len(bounds), backend="loky", return_as="generator")(jobs)
    return results
