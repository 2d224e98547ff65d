"""Several topics per document: each document's own topic and the next closest ones, with strengths.

A document's strength for a topic is the cosine similarity of its embedding to the topic's centroid
(the normalised mean embedding of the topic's documents), clipped to [0, 1]. Its own topic comes
first (with its strength), then the ``TOP_K - 1`` other topics with the highest strengths. Chosen over
the share of a document's nearest neighbours in each topic: docs/pipeline.md, "Several topics per
document", has the measurement. Stored in the map as ``documents.top_topics`` and
``documents.top_strengths`` (rows of up to three), computed by the pipeline
(``topicmap/pipeline/closest.py``).

Edits keep them consistent (``follow_edit``): a topic that no longer exists (merged, split, emptied)
leaves the lists, and a document's own topic is always first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from topicmap.schemas import TopicMap

TOP_K = 3


def follow_edit(topic_map: TopicMap) -> None:
    """Keep ``top_topics`` true to an edited map: topics that are gone leave, the own topic leads."""
    docs = topic_map.documents
    if docs.top_topics is None or docs.top_strengths is None:
        return
    live = {t.id for t in topic_map.topics if t.id >= 0}
    tops, strengths = [], []
    for own, old, weights in zip(docs.topic, docs.top_topics, docs.top_strengths, strict=True):
        pairs = [(t, s) for t, s in zip(old, weights, strict=True) if t in live and t != own]
        if own >= 0:
            mine = dict(zip(old, weights, strict=True)).get(own, weights[0] if weights else 0.0)
            pairs = [(own, mine), *pairs]
        tops.append([t for t, _ in pairs[:TOP_K]])
        strengths.append([s for _, s in pairs[:TOP_K]])
    docs.top_topics, docs.top_strengths = tops, strengths
