"""c-TF-IDF terms and labels from topic x term counts, and the counts kept with a map for edits.

Light (numpy and scipy only): the pipeline labels with it (topicmap/pipeline/label.py) and the API
process relabels topics it merges (topicmap/edits/regroup.py) from the counts stored with each map version,
without reading the texts again. The formula is in topicmap/pipeline/label.py.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp


@dataclass
class TermTable:
    """Per topic, how many of its core documents contain each term (rows in ``topic_ids`` order)."""

    vocabulary: npt.NDArray[np.object_]
    topic_ids: list[int]
    counts: sp.csr_matrix
    presence: sp.csr_matrix | None = None
    """Which terms each document contains (rows in the map's document order), when kept: stored
    once per job (it does not change with edits), see :func:`presence_to_bytes`."""

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        counts = self.counts.tocsr()
        np.savez(buffer, data=counts.data.astype(np.int32), indices=counts.indices, indptr=counts.indptr)
        header = json.dumps(
            {"vocabulary": self.vocabulary.tolist(), "topic_ids": self.topic_ids, "shape": counts.shape}
        )
        return zlib.compress(len(header).to_bytes(8, "big") + header.encode() + buffer.getvalue(), 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> TermTable:
        raw = zlib.decompress(blob)
        size = int.from_bytes(raw[:8], "big")
        header = json.loads(raw[8 : 8 + size])
        arrays = np.load(io.BytesIO(raw[8 + size :]))
        counts = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=tuple(header["shape"]))
        return cls(np.array(header["vocabulary"], dtype=object), list(header["topic_ids"]), counts)


def class_tfidf(counts: sp.spmatrix | npt.ArrayLike, idf_from: sp.spmatrix | None = None) -> sp.csr_matrix:
    """c-TF-IDF weights from a class × term count matrix.

    Parameters
    ----------
    counts : sparse or dense matrix of shape (n_classes, n_terms)
        Term counts per class (topic).
    idf_from : sparse matrix of shape (n_other_classes, n_terms), optional
        Take the IDF from these classes instead: groups of topics (topicmap/pipeline/hierarchy.py)
        use the topics' IDF, because over a handful of large classes it no longer tells a word
        found everywhere ("package") from a distinctive one.

    Returns
    -------
    weights : csr_matrix of shape (n_classes, n_terms)
    """
    counts = sp.csr_matrix(counts, dtype=np.float64)  # type: ignore[arg-type]
    basis = counts if idf_from is None else sp.csr_matrix(idf_from, dtype=np.float64)  # type: ignore[call-overload]
    term_freq = np.asarray(basis.sum(axis=0)).ravel()
    avg_words = int(basis.sum(axis=1).mean())
    with np.errstate(divide="ignore"):
        idf = np.log(avg_words / np.where(term_freq > 0, term_freq, np.inf) + 1)
    totals = np.asarray(counts.sum(axis=1)).ravel()
    tf = sp.diags(1.0 / np.where(totals > 0, totals, 1.0)) @ counts  # L1 per row
    return sp.csr_matrix(tf @ sp.diags(idf))


def top_terms(row: sp.csr_matrix, vocabulary: npt.NDArray[np.object_], n_terms: int) -> list[tuple[str, float]]:
    """The ``n_terms`` best positive weights of one c-TF-IDF row, ties broken alphabetically."""
    order = np.lexsort((vocabulary[row.indices], -row.data)) if row.nnz else np.array([], dtype=int)
    terms: list[tuple[str, float]] = []
    for position in order:
        if row.data[position] <= 0:
            break
        terms.append((str(vocabulary[row.indices[position]]), round(float(row.data[position]), 6)))
        if len(terms) == n_terms:
            break
    return terms


GENERIC_TOPIC_SHARE = 0.75
"""A term at least this share of the topics have is a word of the corpus's genre, not of one topic."""
GENERIC_DOCUMENT_SHARE = 0.02
"""A topic has a term when at least this share of its documents contain it."""
GENERIC_MIN_DOCUMENTS = 2
"""...and at least this many of them (in a topic of 30 documents, one mention is not "has it")."""
GENERIC_MIN_TOPICS = 4
"""Below this many topics, "most topics have it" says too little: no term is generic. Small maps
need the rule most: over five topics c-TF-IDF's IDF takes "package" and "used" for subjects
("font · package · used" on the sample's five sections; "font · truetype · glyphs" now)."""


def generic_terms(
    counts: sp.csr_matrix, topic_ids: Sequence[int], doc_topics: Sequence[int], vocabulary: npt.NDArray[np.object_]
) -> frozenset[str]:
    """The genre's words: terms that at least 75% of the topics have, in 2% or more of their
    documents and at least two ("package", "provides", "used" among package descriptions; "thanks"
    among tickets), on maps of four topics or more.

    c-TF-IDF weighs a term against the other topics, and over a dozen topics its IDF cannot tell
    "used" from "glyphs": the 1,500-package sample's first topic read "font · truetype · used". Such
    terms stay among a topic's terms but do not make its label (:func:`topic_label`).

    ``counts`` is topics x terms (documents of each topic containing each term), rows in
    ``topic_ids`` order; ``doc_topics`` each document's topic (for the topics' sizes).
    """
    ids, counted = np.unique(np.asarray(doc_topics, dtype=np.int64), return_counts=True)
    sizes = dict(zip(ids.tolist(), counted.tolist(), strict=True))
    rows = [row for row, topic in enumerate(topic_ids) if topic >= 0 and sizes.get(topic, 0) > 0]
    if len(rows) < GENERIC_MIN_TOPICS or counts.shape[1] == 0:
        return frozenset()
    shares = sp.diags([1.0 / sizes[topic_ids[row]] for row in rows]) @ counts[rows]
    has = (shares >= GENERIC_DOCUMENT_SHARE).multiply(counts[rows] >= GENERIC_MIN_DOCUMENTS)
    had = np.asarray(has.sum(axis=0)).ravel() / len(rows)
    return frozenset(str(vocabulary[i]) for i in np.flatnonzero(had >= GENERIC_TOPIC_SHARE))


LABEL_CANDIDATES = 30
"""A label is chosen among a topic's best this many terms, so that leaving out the genre's words and
near-duplicates still leaves three (a topic's stored terms are its best ten)."""


LABEL_MIN_DOCUMENTS = 2
"""A label's words are shared: each is in at least this many of the topic's documents, when the topic
has such words. In a topic of 14 survey answers most words are in one answer each, all of one
c-TF-IDF weight, and the first of them in the alphabet made the label ("costs · price · annoyed")."""


def row_label(
    row: sp.csr_matrix,
    vocabulary: npt.NDArray[np.object_],
    generic: frozenset[str] = frozenset(),
    documents: sp.csr_matrix | None = None,
) -> str:
    """The label of a topic from its c-TF-IDF row: :func:`topic_label` of its best LABEL_CANDIDATES
    terms; with ``documents`` (1 x terms: how many of the topic's documents contain each), of those
    in LABEL_MIN_DOCUMENTS of them or more, when there are any."""
    if documents is not None:
        shared = sp.csr_matrix(row.multiply(documents >= LABEL_MIN_DOCUMENTS))
        shared.eliminate_zeros()
        if shared.nnz:
            return topic_label([term for term, _ in top_terms(shared, vocabulary, LABEL_CANDIDATES)], generic)
    return topic_label([term for term, _ in top_terms(row, vocabulary, LABEL_CANDIDATES)], generic)


def topic_label(terms: Sequence[str], generic: frozenset[str] = frozenset()) -> str:
    """A topic's label: its best terms that are not :func:`generic_terms` (all of them when every one
    is), as :func:`readable_label` joins them."""
    return readable_label([term for term in terms if term not in generic]) or readable_label(terms)


ONE_TEXT_SHARE = 0.8
ONE_TEXT_CHARS = 40


def one_text_label(texts: Sequence[str]) -> str:
    """The label of a topic that is one short answer given again and again ("Nothing to add" 20
    times, whose only term is "add"; its case and spacing aside): that answer as most wrote it,
    quoted; "" for any other topic (a topic whose
    commonest text is under ``ONE_TEXT_SHARE`` of its documents, or longer than ``ONE_TEXT_CHARS``)."""
    if not texts:
        return ""
    written = [" ".join(t.split()) for t in texts]
    key, count = Counter(text.casefold() for text in written).most_common(1)[0]  # "None" and "none" alike
    if not key or count < ONE_TEXT_SHARE * len(texts) or len(key) > ONE_TEXT_CHARS:
        return ""
    text = Counter(text for text in written if text.casefold() == key).most_common(1)[0][0]  # as most wrote it
    return f"“{text}”"


def texts_label(texts: Sequence[str], max_texts: int = 3, max_chars: int = 24) -> str:
    """The label of a topic none of whose words are terms (survey answers such as "none", "no",
    "-", "."): its most frequent texts, quoted and cut to ``max_chars`` ('“none” · “nothing”')."""
    quoted = []
    for text, _ in Counter(" ".join(t.split()) for t in texts).most_common(max_texts):
        quoted.append(f"“{text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + '…'}”")
    return " · ".join(quoted)


def readable_label(terms: Sequence[str], max_terms: int = 3) -> str:
    """Join the best terms that are not near-duplicates of a better one ("python" vs "python3")."""
    chosen: list[str] = []
    chosen_stems: set[str] = set()
    for term in terms:
        stems = {_stem(word) for word in term.split()}
        if stems & chosen_stems:
            continue
        chosen.append(term)
        chosen_stems |= stems
        if len(chosen) == max_terms:
            break
    return " · ".join(chosen)


def _stem(word: str) -> str:
    """A crude stem for near-duplicate detection: drop trailing digits and a plural s."""
    word = re.sub(r"[\d_.-]+$", "", word.lower()) or word.lower()
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def presence_to_bytes(presence: sp.csr_matrix) -> bytes:
    """A binary document x term matrix, compressed: its column indices and row pointers only."""
    buffer = io.BytesIO()
    matrix = presence.tocsr()
    np.savez(buffer, indices=matrix.indices.astype(np.int32), indptr=matrix.indptr.astype(np.int64), shape=matrix.shape)
    return zlib.compress(buffer.getvalue(), 6)


def presence_from_bytes(blob: bytes) -> sp.csr_matrix:
    arrays = np.load(io.BytesIO(zlib.decompress(blob)))
    indices = arrays["indices"]
    data = np.ones(len(indices), dtype=np.int32)
    return sp.csr_matrix((data, indices, arrays["indptr"]), shape=tuple(arrays["shape"]))


def npmi_of_columns(presence: sp.spmatrix, topics_columns: Sequence[Sequence[int]]) -> float:
    """Mean NPMI of each topic's term pairs, by document co-occurrence: ``presence`` is documents x
    terms (0/1), each topic a list of its terms' columns. Topics with fewer than two terms are
    skipped; 0.0 when none has two. The formula is in topicmap/pipeline/metrics.py."""
    matrix = sp.csc_matrix(presence, dtype=np.int32)  # type: ignore[call-overload]
    n_docs = matrix.shape[0]
    if n_docs == 0:
        return 0.0
    doc_freq = np.asarray(matrix.sum(axis=0)).ravel() / n_docs
    scores = []
    for columns in topics_columns:
        if len(columns) < 2:
            continue
        subset = matrix[:, list(columns)]  # one topic's terms only: never a vocabulary × vocabulary matrix
        joint = sp.csr_matrix(subset.T @ subset).toarray() / n_docs
        values = [
            _npmi(joint[a, b], doc_freq[columns[a]], doc_freq[columns[b]])
            for a, b in itertools.combinations(range(len(columns)), 2)
        ]
        scores.append(float(np.mean(values)))
    return float(np.mean(scores)) if scores else 0.0


def _npmi(p_ij: float, p_i: float, p_j: float) -> float:
    if p_ij <= 0:
        return -1.0
    if p_ij >= 1:
        return 1.0
    return float(np.log(p_ij / (p_i * p_j)) / -np.log(p_ij))
