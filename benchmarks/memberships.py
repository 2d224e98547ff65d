"""Several topics per document: which strength agrees with held-back labels: ``python -m benchmarks.memberships``.

Maps a shuffled Debian sample (the sections are never shown to the pipeline), then gives each
document its next two topics by two candidate strengths: the cosine of its embedding to each topic's
centroid (what the map stores), and the share of its 15 nearest neighbours in each topic. A topic
"is about" the section most of its documents have. For the documents whose own topic is about
another section than theirs, how often is one of their next two topics about their section? (A
random pair of other topics is the baseline.) Writes the ``memberships`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.closest import top_topics
from topicmap.pipeline.reduce import NeighbourGraph
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams
from topicmap.vectors import at_stored_precision

ROOT = Path(__file__).resolve().parents[1]


def neighbour_vote(embeddings: np.ndarray, topics: np.ndarray, k: int = 3) -> list[list[int]]:
    """Own topic, then the topics most of a document's 15 nearest neighbours are in."""
    graph = NeighbourGraph(n_neighbors=15).fit(embeddings)
    tops = []
    for row, neighbours in enumerate(graph.indices_):
        own = int(topics[row])
        votes = Counter(int(topics[n]) for n in neighbours if n != row and topics[n] >= 0 and topics[n] != own)
        tops.append([own] + [t for t, _ in votes.most_common(k - 1)])
    return tops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, sections, _ = load_sample(DEFAULT_DATA, args.size)
    kept: dict[str, Any] = {}
    ids = [str(i) for i in range(len(texts))]
    topic_map = run_pipeline(texts, ids, PipelineParams(), on_embedded=lambda e: kept.update(e=e))
    embeddings = at_stored_precision(kept["e"])
    topics = np.asarray(topic_map.documents.topic)
    about = {
        int(t): Counter(s for s, u in zip(sections, topics, strict=True) if u == t).most_common(1)[0][0]
        for t in set(topics.tolist())
        if t >= 0
    }
    misplaced = [i for i, (s, t) in enumerate(zip(sections, topics, strict=True)) if t >= 0 and about[int(t)] != s]
    rng = np.random.default_rng(0)
    live = sorted(about)
    started = time.perf_counter()
    centroid, _ = top_topics(embeddings, topics)
    centroid_s = time.perf_counter() - started
    started = time.perf_counter()
    votes = neighbour_vote(embeddings, topics)
    votes_s = time.perf_counter() - started
    random_pairs = [
        [int(topics[i]), *rng.choice([t for t in live if t != topics[i]], size=2, replace=False).tolist()]
        for i in range(len(texts))
    ]

    def recovered(tops: list[list[int]]) -> float:
        return float(np.mean([any(about.get(t) == sections[i] for t in tops[i][1:3]) for i in misplaced]))

    rows = [
        f"| centroid cosine (stored) | {recovered(centroid):.1%} | {centroid_s * 1000:.0f} ms |",
        f"| share of the 15 nearest neighbours | {recovered(votes):.1%} | {votes_s * 1000:.0f} ms |",
        f"| two random other topics (baseline) | {recovered(random_pairs):.1%} | |",
    ]
    report = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {args.size:,} shuffled Debian descriptions, "
        f"{topic_map.meta.quality.n_topics} topics; {len(misplaced):,} documents ({len(misplaced) / len(texts):.0%}) "
        "are in a topic about another section than theirs.",
        "",
        "| next two topics by | misplaced documents whose section one of them is about | time |",
        "|---|---|---|",
        *rows,
    ]
    write_report(args.out, "\n".join(report), key="memberships")
    print("\n".join(report))


if __name__ == "__main__":
    main()
