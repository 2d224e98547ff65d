"""Label topics: c-TF-IDF key terms, a readable label, and representative documents.

c-TF-IDF treats all documents of a topic as one class document. For term ``t`` in class ``c``::

    W[c, t] = tf[c, t] * log(1 + A / f[t])

where ``tf[c, t]`` is the count of ``t`` in class ``c`` divided by the total count in ``c`` (L1),
the count being the number of the topic's documents that contain ``t`` (see :func:`document_terms`),
``f[t]`` is the count of ``t`` over all classes and ``A`` the mean number of words per class
(rounded down). This is BERTopic's ``ClassTfidfTransformer`` with its defaults.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from topicmap.languages import ENGLISH, detect_languages, stop_words
from topicmap.pipeline.parallel_terms import fit_presence
from topicmap.terms import (
    class_tfidf,
    generic_terms,
    one_text_label,
    readable_label,
    row_label,
    texts_label,
    top_terms,
)
from topicmap.theme_labels import merged_label
from topicmap.vectors import topic_members
from topicmap.web_addresses import name_web_addresses
from topicmap.words import script_of, term_words

__all__ = [
    "OUTLIER_LABEL",
    "TopicLabeler",
    "class_tfidf",
    "document_terms",
    "make_vectorizer",
    "phrase_terms",
    "readable_label",
    "terms_in",
    "top_terms",
]

_PHRASE_BREAK = re.compile(r"[,;:()\[\]{}<>!?\"|=*、。，；：！？（）「」『』【】]|\.(?=\s|$)")
"""Punctuation that ends a phrase: a comma, a bracket, a full stop before a space (not "node.js"),
and their Chinese and Japanese forms."""

OUTLIER_LABEL = "Outliers"


def phrase_terms(text: str, stop: frozenset[str] = stop_words()) -> list[str]:
    """The terms of one text: its words that are not stop words (English by default; a corpus's
    languages', topicmap/languages.py), and each two such words that stand next to each other (no stop
    word and no punctuation between them).

    scikit-learn's analyser drops stop words first and pairs what is left, so "shortcomings of
    particular machines, or special needs" gave "machines special" and "particular machines"
    alike; such pairs reached labels ("lisp · c89 manages · calls different") although they occur
    nowhere in the text (NPMI counts them as never co-occurring). Here a pair is a phrase someone
    wrote: docs/pipeline.md, "Terms and labels", has the measurement.
    """
    terms: list[str] = []
    script = script_of(text)  # Japanese and Chinese are cut into words (topicmap/words.py)
    for chunk in _PHRASE_BREAK.split(name_web_addresses(text.lower())):
        previous = ""
        for word in term_words(chunk, script):
            if word in stop or not word:
                previous = ""
                continue
            terms.append(word)
            if previous:
                terms.append(f"{previous} {word}")
            previous = word
    return terms


def make_vectorizer(languages: tuple[str, ...] = (ENGLISH,), **overrides: object) -> CountVectorizer:
    """The term analyser of labels, their counts kept with a map and new documents assigned to it:
    :func:`phrase_terms` with the stop words of ``languages`` (and English), lowercased, 1-2 grams."""
    stop = stop_words(*languages)
    analyzer = phrase_terms if stop == stop_words() else partial(phrase_terms, stop=stop)
    options: dict[str, object] = {"analyzer": analyzer}
    options.update(overrides)
    return CountVectorizer(**options)  # type: ignore[arg-type]


def terms_in(texts: Sequence[str], vocabulary: npt.NDArray[np.object_]) -> sp.csr_matrix:
    """Which of ``vocabulary``'s terms each text contains (binary, columns in its order): the
    presence of new documents in the terms of a map's counts.

    English stop words serve a map of any languages: its vocabulary holds no stop word of its own
    languages, and every set contains the English one, so a vocabulary term is in a text under
    English stop words exactly when it is under the map's (topicmap/languages.py)."""
    columns = {str(term): i for i, term in enumerate(vocabulary)}
    if not columns:
        return sp.csr_matrix(np.zeros((len(texts), 0), dtype=np.int64))
    presence: sp.csr_matrix = make_vectorizer(binary=True, vocabulary=columns).transform(texts).tocsr()
    return presence


def document_terms(
    texts: Sequence[str], min_df: int | None = None, workers: int = 1, languages: tuple[str, ...] = (ENGLISH,)
) -> tuple[sp.csr_matrix, npt.NDArray[np.object_]]:
    """Which terms each document contains (binary), keeping terms found in at least ``min_df`` documents.

    Counting a term once per document, rather than every occurrence, stops one long description
    that repeats a word from dominating its topic; dropping terms of fewer than 3 documents keeps
    one-off names out of the labels. Both raise NPMI coherence (docs/pipeline.md). Small corpora
    keep rarer terms (by default ``min_df`` is n/100, from 1 to 3: among 12 tickets, "password" in
    two of them names their topic), and fall back to ``min_df=1`` when nothing else is left. Large
    corpora are counted in ``workers`` processes (topicmap/pipeline/parallel_terms.py), with the
    same result. Stop words are those of ``languages`` and English's.
    """
    min_df = min(3, max(1, len(texts) // 100)) if min_df is None else min_df
    for threshold in dict.fromkeys((min(min_df, len(texts)), 1)):
        try:
            return fit_presence(texts, partial(make_vectorizer, languages, binary=True), threshold, workers)
        except ValueError:  # nothing left after stop words and min_df
            continue
    return sp.csr_matrix((len(texts), 0)), np.array([], dtype=object)


class TopicLabeler:
    """Key terms per topic by c-TF-IDF, a readable label and representative documents.

    Parameters
    ----------
    n_terms : int, default=10
        Terms kept per topic.
    n_representative : int, default=5
        Representative documents per topic: those nearest the topic centroid.
    workers : int, default=1
        Processes that read the texts of a large corpus (the same terms for any number).
    min_df : int, optional
        Documents a term must be found in; default n/100, from 1 to 3 (:func:`document_terms`).
    languages : tuple of str, optional
        ISO 639-1 codes of the texts' languages, for stop words; default: told by the stop words
        that cover most of each text's words (topicmap/languages.py).

    Attributes
    ----------
    topic_ids_ : list of int
        Topics in the order of the other attributes.
    terms_ : list of list of (str, float)
        Top terms with their c-TF-IDF weight, best first.
    labels_ : list of str
    representatives_ : list of list of int
        Indices of representative documents, nearest the centroid first.
    counts_ : csr_matrix of shape (n_topics, n_terms)
        Documents of each topic containing each term (rows in ``topic_ids_`` order), for labelling
        groups of topics (topicmap/pipeline/hierarchy.py) without reading the texts again.
    vocabulary_ : ndarray of shape (n_terms,)
    languages_ : tuple of str
        The languages whose stop words (with English's) were left out of the terms.
    presence_ : csr_matrix of shape (n_documents, n_terms)
        Which terms each document contains: kept with a map so edits that move documents can
        update the counts (topicmap/edits/regroup.py).
    """

    def __init__(
        self,
        *,
        n_terms: int = 10,
        n_representative: int = 5,
        workers: int = 1,
        min_df: int | None = None,
        languages: tuple[str, ...] | None = None,
    ) -> None:
        self.n_terms = n_terms
        self.n_representative = n_representative
        self.workers = workers
        self.min_df = min_df
        self.languages = languages

    def fit(
        self,
        texts: Sequence[str],
        topics: npt.NDArray[np.int64],
        embeddings: npt.NDArray[np.float32],
        core: npt.NDArray[np.bool_] | None = None,
        finer: npt.NDArray[np.int64] | None = None,
    ) -> TopicLabeler:
        """Learn terms, labels and representatives.

        Parameters
        ----------
        texts : sequence of str, length n_documents
        topics : ndarray of shape (n_documents,)
            Topic per document; -1 for outliers that were kept.
        embeddings : ndarray of shape (n_documents, dim)
            L2-normalised document embeddings, for the centroids.
        core : ndarray of bool, shape (n_documents,), optional
            Documents that define their topic (not assigned outliers); terms and centroids use
            these only. Default: all documents.
        finer : ndarray of shape (n_documents,), optional
            Each document's cluster before the closest were merged into ``topics`` (a job's
            ``n_topics``; -1 for none): the IDF and the genre's words are those of these clusters,
            and a topic merged from clusters few of which have its terms is named as a theme is, as
            an edit's merge is (topicmap/edits/regroup.py). Three topics of package descriptions
            read "font · package · used" and "package · provides · library" without them.
        """
        if len(texts) != len(topics) or len(topics) != len(embeddings):
            raise ValueError("texts, topics and embeddings must have the same length")
        core = np.ones(len(topics), dtype=bool) if core is None else core
        self.topic_ids_ = sorted(int(t) for t in np.unique(topics))
        self.languages_ = self.languages or detect_languages(texts)
        presence, vocabulary = document_terms(texts, self.min_df, self.workers, self.languages_)
        self.presence_ = presence
        members_of = topic_members(topics)
        defining = {}  # each topic's core documents, or all of them when it has no core
        for topic in self.topic_ids_:
            rows_of_topic = members_of[topic]
            core_rows = rows_of_topic[core[rows_of_topic]]
            defining[topic] = core_rows if core_rows.size else rows_of_topic
        rows = [sp.csr_matrix(presence[defining[topic]].sum(axis=0)) for topic in self.topic_ids_]
        counts = sp.vstack(rows).tocsr() if rows else sp.csr_matrix((0, len(vocabulary)))
        self.counts_, self.vocabulary_ = counts, vocabulary
        generic = generic_terms(counts, self.topic_ids_, topics.tolist(), vocabulary)
        clusters = _Clusters(presence, finer, core) if finer is not None and counts.shape[1] else None
        if clusters is not None:
            generic |= generic_terms(clusters.counts, clusters.ids, clusters.finer.tolist(), vocabulary)
        weights = class_tfidf(counts, clusters.counts if clusters else None) if counts.shape[1] else counts
        self.terms_ = [self._top_terms(weights.getrow(row), vocabulary) for row in range(len(rows))]
        self.labels_ = [
            OUTLIER_LABEL
            if topic == -1
            else one_text_label([texts[i] for i in defining[topic]])
            or row_label(weights.getrow(row), vocabulary, generic, counts.getrow(row))
            or texts_label([texts[i] for i in defining[topic]])
            or f"Topic {topic}"
            for row, topic in enumerate(self.topic_ids_)
        ]
        if clusters is not None:
            self.labels_ = clusters.merged_labels(self.labels_, self.topic_ids_, topics, vocabulary, generic)
        self.representatives_ = [self._representatives(texts, embeddings, defining[t]) for t in self.topic_ids_]
        return self

    def _top_terms(self, row: sp.csr_matrix, vocabulary: npt.NDArray[np.object_]) -> list[tuple[str, float]]:
        return top_terms(row, vocabulary, self.n_terms)

    def _representatives(
        self, texts: Sequence[str], embeddings: npt.NDArray[np.float32], members: npt.NDArray[np.intp]
    ) -> list[int]:
        centroid = embeddings[members].mean(axis=0)
        similarity = embeddings[members] @ centroid
        chosen: list[int] = []
        seen_texts: set[str] = set()
        for index in members[np.argsort(-similarity, kind="stable")].tolist():
            if texts[index] in seen_texts:
                continue
            seen_texts.add(texts[index])
            chosen.append(index)
            if len(chosen) == self.n_representative:
                break
        return chosen


class _Clusters:
    """The clusters that were merged into topics: their term counts (over their core documents),
    for the IDF and the genre's words of the topics, and to name a topic merged from several."""

    def __init__(self, presence: sp.csr_matrix, finer: npt.NDArray[np.int64], core: npt.NDArray[np.bool_]) -> None:
        self.finer = finer
        self.ids = sorted(int(c) for c in np.unique(finer[finer >= 0]))
        members_of = topic_members(np.where(core, finer, -1))
        none = np.zeros(0, dtype=np.intp)
        rows = [sp.csr_matrix(presence[members_of.get(c, none)].sum(axis=0)) for c in self.ids]
        self.counts = sp.vstack(rows).tocsr() if rows else sp.csr_matrix((0, presence.shape[1]))

    def merged_labels(
        self,
        labels: list[str],
        topic_ids: list[int],
        topics: npt.NDArray[np.int64],
        vocabulary: npt.NDArray[np.object_],
        generic: frozenset[str],
    ) -> list[str]:
        """``labels`` (in ``topic_ids`` order), those of topics merged from two clusters or more
        as :func:`topicmap.theme_labels.merged_label` names them."""
        weights = class_tfidf(self.counts)
        sizes = np.bincount(self.finer[self.finer >= 0], minlength=max(self.ids, default=-1) + 1)
        # Each cluster's topic: that of most of its documents (one sort of the pairs, not a pass per cluster).
        both = (self.finer >= 0) & (topics >= 0)
        width = int(topics.max(initial=0)) + 1
        pairs, counts = np.unique(self.finer[both] * width + topics[both], return_counts=True)
        topic_of: dict[int, tuple[int, int]] = {}
        for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
            cluster, topic = divmod(pair, width)
            if count > topic_of.get(cluster, (0, -1))[0]:
                topic_of[cluster] = (count, topic)
        members: dict[int, list[int]] = {}
        for row, cluster in enumerate(self.ids):
            members.setdefault(topic_of.get(cluster, (0, -1))[1], []).append(row)
        named = list(labels)
        for i, topic in enumerate(topic_ids):
            rows = members.get(topic, [])
            if topic < 0 or len(rows) < 2:
                continue
            tops = {row: [term for term, _ in top_terms(weights.getrow(row), vocabulary, 10)] for row in rows}
            own = {row: row_label(weights.getrow(row), vocabulary, generic, self.counts.getrow(row)) for row in rows}
            named[i] = merged_label(labels[i], tops, own, {row: int(sizes[self.ids[row]]) for row in rows}, generic)
        return named
