"""Seeded topics: topics a person already knows, given as a label and a few words.

Each seed is embedded as "label: description" with the map's model. Seeds differ in how similar
any text is to them (a short label is close to many descriptions, a long one to few), so a fixed
cosine threshold serves some seeds and starves others (measured: mean F1 0.32 at 0.45). Instead a
document joins a seed when its similarity stands out among the corpus's similarities to that seed:
at least ``SEED_Z`` (robust) standard deviations above their median (the seed where it stands out
most; median and MAD, so a seed that matches a quarter of the corpus still stands out), and at
least ``SEED_FLOOR`` in cosine, so a seed unrelated to the corpus matches nothing (it is reported).
The other documents are clustered as usual. Chosen on Debian descriptions with seeds written from
five section names (``python -m benchmarks.seeds``; docs/pipeline.md, "Seeded topics").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from topicmap.seed_topics import SEED_WARNING, SeedTopic

SEED_Z = 2.5
"""Standard deviations above the corpus's mean similarity to a seed that a document needs to join it."""
SEED_FLOOR = 0.3
"""The cosine similarity a document needs to a seed in any case (all-MiniLM-L6-v2)."""


def seed_text(seed: SeedTopic) -> str:
    return f"{seed.label}: {seed.description}" if seed.description.strip() else seed.label


def match_seeds(
    embeddings: npt.NDArray[np.float32],
    seed_vectors: npt.NDArray[np.float32],
    z: float = SEED_Z,
    floor: float = SEED_FLOOR,
) -> npt.NDArray[np.int64]:
    """Each document's seed (where its similarity stands out most, when it stands out ``z`` standard
    deviations and reaches ``floor``), or -1."""
    if len(seed_vectors) == 0 or len(embeddings) == 0:
        return np.full(len(embeddings), -1, dtype=np.int64)
    norms = np.linalg.norm(seed_vectors, axis=1, keepdims=True)
    similarity = embeddings @ (seed_vectors / np.where(norms > 0, norms, 1)).T
    centre = np.median(similarity, axis=0)  # robust: a seed may match a quarter of the corpus
    spread = 1.4826 * np.median(np.abs(similarity - centre), axis=0)  # the MAD, as a standard deviation
    spread = np.where(spread > 0, spread, similarity.std(axis=0))  # most similarities equal: the std
    scores = (similarity - centre) / np.where(spread > 0, spread, np.inf)
    best = scores.argmax(axis=1)
    rows = np.arange(len(best))
    joins = (scores[rows, best] >= z) & (similarity[rows, best] >= floor)
    return np.where(joins, best, -1).astype(np.int64)


def unmatched_warnings(seeds: Sequence[SeedTopic], matched: npt.NDArray[np.int64]) -> list[str]:
    counts = np.bincount(matched[matched >= 0], minlength=len(seeds)) if len(seeds) else np.zeros(0)
    return [
        f"{SEED_WARNING} {seed.label!r} matched no document: nothing in the corpus is close enough to it; "
        "try other words in its description"
        for seed, count in zip(seeds, counts, strict=True)
        if count == 0
    ]
