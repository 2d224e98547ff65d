"""Piles of copies that HDBSCAN put in a topic they do not resemble, released as outliers.

Copies of one text (a ticket template, a re-post) share one embedding: to UMAP and HDBSCAN they are
a clump as dense as can be, and a clump too small to be a topic of its own joins whichever cluster
UMAP set it beside, as core documents. Among 2,000 Debian descriptions, 8 copies of a refund request
became core documents of "javascript · js · node" on each of 6 seeds (cosine -0.002 to the centroid
of the topic's other documents, where 99% of them are above 0.20), and they counted in its terms.

Each near-duplicate group (topicmap/duplicates.py) inside a topic is compared with that topic's
documents in no group, the reference: a pile less like their centroid, on average, than 99% of them
are, and smaller than the reference, leaves the topic. It is then placed like any outlier (flagged,
and assigned to the most similar topic unless outliers are kept: topicmap/pipeline/cluster.py).
A pile as large as its topic's reference is what that topic is about and stays.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from topicmap.vectors import topic_members

Labels = npt.NDArray[np.int64]

TYPICAL = 0.01
"""A pile leaves when it is less like the reference's centroid than this share of the reference."""
MIN_REFERENCE = 5
"""Fewest documents in no group that a topic needs for its piles to be judged."""


def release_stray_piles(labels: Labels, group: Labels, embeddings: npt.NDArray[np.float32]) -> Labels:
    """``labels`` with each stray pile's documents set to -1 (see the module's text).

    Parameters
    ----------
    labels : ndarray of shape (n_documents,)
        Topic per document, -1 for none.
    group : ndarray of shape (n_documents,)
        Near-duplicate group per document, -1 for none.
    embeddings : ndarray of shape (n_documents, dim)
        L2-normalised document embeddings.
    """
    released = labels.copy()
    in_pile = (group >= 0) & (labels >= 0)
    if not in_pile.any():
        return released
    reference = topic_members(np.where(group < 0, labels, -1))
    similarity = np.full(len(labels), np.nan, dtype=np.float64)
    floor: dict[int, float] = {}
    size: dict[int, int] = {}
    piled = topic_members(np.where(in_pile, labels, -1))
    for topic, rows in piled.items():
        alone = reference.get(topic)
        if topic < 0 or alone is None or len(alone) < MIN_REFERENCE:
            continue
        centre = embeddings[alone].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        floor[topic] = float(np.quantile(embeddings[alone] @ centre, TYPICAL))
        size[topic] = len(alone)
        similarity[rows] = embeddings[rows] @ centre
    judged = np.flatnonzero(in_pile & ~np.isnan(similarity))
    if judged.size == 0:
        return released
    pairs, pair_of = np.unique(np.stack([group[judged], labels[judged]], axis=1), axis=0, return_inverse=True)
    pair_of = pair_of.ravel()
    counts = np.bincount(pair_of, minlength=len(pairs))
    mean = np.bincount(pair_of, weights=similarity[judged], minlength=len(pairs)) / counts
    strays = [k for k, (_, topic) in enumerate(pairs.tolist()) if mean[k] < floor[topic] and counts[k] < size[topic]]
    released[judged[np.isin(pair_of, strays)]] = -1
    return released
