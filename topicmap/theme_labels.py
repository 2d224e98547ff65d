"""Names of themes (groups of topics) from the topics' term counts: light enough for the API process.

The pipeline names the hierarchy's themes with these (topicmap/pipeline/hierarchy.py), and an edit
that changes a theme's topics names it again the same way (topicmap/edits/regroup.py), from the
term counts stored with the map, without reading the texts. A theme's terms are c-TF-IDF over its
level's themes (a theme's counts: the sum of its topics'), without the terms found in most topics;
its label is what at least half of its topics share (topics holding at least half of its documents),
else its largest topics ("A, B and N more").
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from topicmap.terms import class_tfidf, readable_label, top_terms

MIN_TOPICS_FOR_SHARE = 8
"""Below this many topics, "found in most topics" says little about a term: no terms are left out."""
MAX_TOPIC_SHARE = 0.5
"""A term found in more than this share of all topics never names a theme."""
N_THEME_TERMS = 10


def common_terms(counts: sp.csr_matrix, vocabulary: npt.NDArray[np.object_], max_topic_share: float) -> set[str]:
    """Terms in more than ``max_topic_share`` of all topics: they never name a theme (even on a
    small map: a theme named "package" among package descriptions tells nothing)."""
    if counts.shape[0] < 3 or counts.shape[1] == 0:
        return set()
    share = np.asarray((counts > 0).sum(axis=0)).ravel() / max(counts.shape[0], 1)
    return {str(vocabulary[i]) for i in np.flatnonzero(share > max_topic_share)}


def level_terms(
    rows: list[list[int]],
    counts: sp.csr_matrix,
    vocabulary: npt.NDArray[np.object_],
    n_terms: int = N_THEME_TERMS,
    max_topic_share: float = MAX_TOPIC_SHARE,
    *,
    idf_from_topics: bool = False,
) -> list[list[tuple[str, float]]]:
    """The top terms of each theme of one level (``rows``: each theme's topics, as rows of ``counts``,
    topics x terms): c-TF-IDF over the level's themes (or with the topics' IDF), without the terms
    found in more than ``max_topic_share`` of the topics once there are enough topics to tell."""
    if counts.shape[1] == 0:
        return [[] for _ in rows]
    summed = sp.vstack([sp.csr_matrix(counts[r].sum(axis=0)) for r in rows]).tocsr()
    weights = class_tfidf(summed, idf_from=counts if idf_from_topics else None)
    share = np.asarray((counts > 0).sum(axis=0)).ravel() / max(counts.shape[0], 1)
    if counts.shape[0] >= MIN_TOPICS_FOR_SHARE and (share > max_topic_share).any():
        weights = sp.csr_matrix(weights @ sp.diags((share <= max_topic_share).astype(np.float64)))
        weights.eliminate_zeros()
    return [top_terms(weights.getrow(row), vocabulary, n_terms) for row in range(weights.shape[0])]


SHARED_TOP = 10
"""A topic "has" a term when it is among its top terms (the ones its own label is made from)."""


def shared_label(
    topics: list[int],
    node_terms: list[str],
    topic_terms: dict[int, list[tuple[str, float]]],
    topic_labels: dict[int, str],
    size_of: dict[int, int],
    common: set[str],
) -> str:
    """What a person would call a theme: the terms at least half of its topics (and at least two)
    have among their top terms, those topics holding at least half of its documents (the theme's most
    distinctive first: its level c-TF-IDF terms, then by how many topics share them), or, when they
    share none, its largest topics: "A, B and N more"."""
    if len(topics) == 1 and topic_labels.get(topics[0], "").startswith("“"):
        return topic_labels[topics[0]]  # one answer given again and again ('“good”'): its words are not its name
    tops = {t: [term for term, _ in topic_terms.get(t, [])[:SHARED_TOP]] for t in topics}
    n = len(topics)
    support: dict[str, int] = {}
    documents: dict[str, int] = {}
    for topic, terms in tops.items():
        for term in set(terms):
            support[term] = support.get(term, 0) + 1
            documents[term] = documents.get(term, 0) + size_of.get(topic, 0)
    total = sum(size_of.get(t, 0) for t in topics)
    distinctive = {term: rank for rank, term in enumerate(node_terms)}
    # At least half of its topics, and at least two of them: a word of one topic names that topic, not the
    # theme. And half of its documents: three small topics of robots do not name a theme of mostly games.
    shared = [
        term
        for term, count in support.items()
        if 2 * count >= n and (count >= 2 or n == 1) and 2 * documents[term] >= total and term not in common
    ]
    shared.sort(key=lambda term: (distinctive.get(term, len(distinctive)), -support[term], term))
    if shared:
        return readable_label(shared)
    return largest_topics_label(topics, topic_labels, size_of)


def largest_topics_label(topics: list[int], topic_labels: dict[int, str], size_of: dict[int, int]) -> str:
    """ "A, B and N more": the lead terms of a theme's two largest topics (distinct), and how many
    other topics it holds."""
    leads = list(_largest_leads(topics, topic_labels, size_of))
    rest = len(topics) - len(leads)
    if not leads:
        return ""
    if rest <= 0:
        return " and ".join(leads)
    return f"{', '.join(leads)} and {rest} more"


def _largest_leads(topics: list[int], topic_labels: dict[int, str], size_of: dict[int, int]) -> dict[str, int]:
    """The lead names of the two largest topics with distinct ones, and those topics."""
    leads: dict[str, int] = {}
    for topic in sorted(topics, key=lambda t: (-size_of.get(t, 0), t)):
        lead = lead_name(topic_labels.get(topic, ""))
        if lead and lead not in leads:
            leads[lead] = topic
        if len(leads) == 2:
            break
    return leads


def named_topics(label: str, topics: list[int], topic_labels: dict[int, str], size_of: dict[int, int]) -> list[int]:
    """The topics a theme's label names when it names the theme by its largest topics ("perl,
    haskell and 3 more": the largest perl topic and the largest haskell one), so that the label goes
    on one of them (topicmap/anchors.py), not on a third topic nearby; empty for a label of shared
    terms or a person's."""
    if not label or label != largest_topics_label(topics, topic_labels, size_of):
        return []
    return list(_largest_leads(topics, topic_labels, size_of).values())


def lead_name(label: str) -> str:
    """A label's first name: "font" of "font · truetype · glyphs", and of "font, haskell and 8 more"
    or "font and haskell" (a topic merged from others is named as a theme is: a theme of such topics
    was "crate, golang and 18 more, javascript, ruby and 17 more and 1 more")."""
    return re.split(r" · " if " · " in label else r", | and ", label, maxsplit=1)[0].strip()


def acceptable_label(
    label: str, topics: list[int], topic_terms: dict[int, list[tuple[str, float]]], topic_labels: dict[int, str]
) -> bool:
    """The check of docs/pipeline.md: every term of a theme's label is among the top terms of at least
    half its topics, or the label names its largest topics ("A, B and N more", "A and B")."""
    if " more" in label or (" and " in label and " · " not in label):
        leads = {lead_name(topic_labels.get(t, "")) for t in topics}
        named = label.rsplit(" and ", 1)[0].split(", ")
        return all(name.strip() in leads for name in named)
    terms = [term.strip() for term in label.split(" · ") if term.strip()]
    tops = [{term for term, _ in topic_terms.get(t, [])[:SHARED_TOP]} for t in topics]
    return bool(terms) and all(2 * sum(term in top for top in tops) >= len(topics) for term in terms)


def merged_label(
    label: str, tops: dict[int, list[str]], labels: dict[int, str], sizes: dict[int, int], generic: frozenset[str]
) -> str:
    """The label of topics merged into one (``tops``: each one's top terms): their summed terms'
    (``label``) while at least half of them, and two, have one of its terms among theirs ("audio · sound ·
    music" for nine kinds of audio software), else named as a theme is: what half of them share, or
    their largest ("font, haskell and 8 more": merged down to two topics, ten sections' package
    descriptions were "package provides · language · haskell", the words of a few of them)."""
    words = {term.strip() for term in label.split(" · ")}
    having = sum(bool(words & set(top[:SHARED_TOP])) for top in tops.values())
    if 2 * having >= len(tops) and having >= min(2, len(tops)):  # two merged: both (as shared_label counts)
        return label
    terms = {topic: [(term, 1.0) for term in top] for topic, top in tops.items()}
    return shared_label(list(tops), [], terms, labels, sizes, set(generic)) or label
