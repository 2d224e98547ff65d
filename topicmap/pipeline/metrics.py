"""Quality figures of a topic map: NPMI coherence and topic diversity.

Both are computed on the corpus itself, so they need no reference corpus and work offline. The
benchmark scores BERTopic's topics with the same functions.
"""

from __future__ import annotations

import resource
from collections.abc import Sequence
from functools import partial

from sklearn.feature_extraction.text import CountVectorizer

from topicmap.pipeline.parallel_terms import transform_presence
from topicmap.terms import npmi_of_columns
from topicmap.words import literal_words


def npmi_coherence(texts: Sequence[str], topics_terms: Sequence[Sequence[str]], workers: int = 1) -> float:
    """Mean NPMI of each topic's term pairs, by document co-occurrence in ``texts``.

    For terms ``i`` and ``j``: ``NPMI = log(P(i, j) / (P(i) P(j))) / -log(P(i, j))``, with
    probabilities as the share of documents containing the term(s); -1 when they never co-occur.
    Terms are matched by :func:`literal_vectorizer` (a two-word term where it was written). Topics with
    fewer than two terms are skipped. Returns 0.0 when no topic has two terms.

    Co-occurrences are counted per topic (its terms' columns), so memory stays linear in the
    corpus: 4,000 topics have some 30,000 distinct terms, and a dense term × term matrix of those
    would take 7 GB. Large corpora are read in ``workers`` processes (the same counts).
    """
    vocabulary = sorted({term for terms in topics_terms for term in terms})
    if not vocabulary or not texts:
        return 0.0
    make = partial(literal_vectorizer, vocabulary)
    presence = transform_presence(texts, make, workers)  # documents × terms, 0/1
    index = {term: i for i, term in enumerate(vocabulary)}
    return npmi_of_columns(presence, [[index[t] for t in terms] for terms in topics_terms])


def literal_vectorizer(vocabulary: Sequence[str]) -> CountVectorizer:
    """Which of ``vocabulary``'s terms each text contains, a two-word term only where its words stand
    next to each other, stop words included: the same test for any system's terms (BERTopic's
    keep stop words, topicmap's do not)."""
    return CountVectorizer(
        vocabulary=vocabulary, binary=True, tokenizer=literal_words, token_pattern=None, ngram_range=(1, 2)
    )


def topic_diversity(topics_terms: Sequence[Sequence[str]]) -> float:
    """Share of distinct terms among all topics' terms (1.0 = no term shared by two topics)."""
    all_terms = [term for terms in topics_terms for term in terms]
    return len(set(all_terms)) / len(all_terms) if all_terms else 0.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
