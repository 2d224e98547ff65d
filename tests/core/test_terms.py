"""The genre's words and labels from c-TF-IDF rows (topicmap/terms.py), on hand-made counts."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from topicmap.terms import class_tfidf, generic_terms, row_label


def test_a_word_once_in_each_topic_is_not_the_genres_but_twice_is() -> None:
    vocabulary = np.array(["once", "twice", "own"], dtype=object)
    counts = sp.csr_matrix([[1, 2, 40], [1, 2, 0], [1, 2, 0], [1, 2, 0]])  # four topics of 30 documents
    doc_topics = [topic for topic in range(4) for _ in range(30)]
    assert generic_terms(counts, [0, 1, 2, 3], doc_topics, vocabulary) == frozenset({"twice"})
    assert generic_terms(counts[:3], [0, 1, 2], doc_topics[:90], vocabulary) == frozenset()  # three: too few


def test_a_label_reaches_past_the_best_ten_terms_for_three_of_its_own() -> None:
    """Where the genre's words fill a topic's ten best terms, the label is still three terms."""
    genre = [f"filler{i}" for i in range(9)]
    vocabulary = np.array([*genre, "perl", "cpan", "tests"], dtype=object)
    own = sp.csr_matrix([[400] * 9 + [40, 39, 38], [50] * 9 + [0, 0, 0]])  # the fillers weigh most
    weights = class_tfidf(own)
    assert row_label(weights.getrow(0), vocabulary, frozenset(genre)) == "perl · cpan · tests"
