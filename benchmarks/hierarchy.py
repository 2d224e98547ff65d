"""Choosing the hierarchy method: ``python -m benchmarks.hierarchy --size 5000``.

Maps a shuffled Debian sample once (topics, c-TF-IDF counts), then builds the hierarchy with each
candidate linkage over the topic centroids and scores every level: NMI and ARI of the level's groups
against the Debian sections, and NPMI coherence and diversity of the level's labels (the same
functions as for topics). Also times the hierarchy stage against the whole job. Writes the
``hierarchy-{size}`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.cluster import centroids
from topicmap.pipeline.hierarchy import Linkage, TopicHierarchy
from topicmap.pipeline.label import TopicLabeler
from topicmap.pipeline.metrics import npmi_coherence, topic_diversity
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams

METHODS: tuple[Linkage, ...] = ("ward", "average", "complete", "weighted")
LABELS: dict[str, dict[str, Any]] = {
    "level IDF, no terms of > 50% of topics": {"label_idf": "level", "max_topic_share": 0.5},
    "level IDF": {"label_idf": "level", "max_topic_share": 1.0},
    "topic IDF": {"label_idf": "topics", "max_topic_share": 1.0},
}
ROOT = Path(__file__).resolve().parents[1]


def score_levels(
    hierarchy: TopicHierarchy, topics: np.ndarray, sections: list[str], texts: list[str]
) -> list[dict[str, Any]]:
    rows = []
    for level in hierarchy.levels_:
        assignment = hierarchy.assignment_[level]
        groups = [assignment.get(int(t), "outliers") for t in topics]
        nodes = [n for n in hierarchy.nodes_ if n.level == level]
        terms = [[t for t, _ in n.terms] for n in nodes]
        rows.append(
            {
                "level": level,
                "nodes": len(nodes),
                "nmi": normalized_mutual_info_score(sections, groups),
                "ari": adjusted_rand_score(sections, groups),
                "npmi": npmi_coherence(texts, terms),
                "diversity": topic_diversity(terms),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, sections, _ = load_sample(args.data, args.size)
    ids = [str(i) for i in range(len(texts))]
    kept: dict[str, Any] = {}
    topic_map = run_pipeline(texts, ids, PipelineParams(), on_embedded=lambda e: kept.update(embeddings=e))
    embeddings, topics = kept["embeddings"], np.asarray(topic_map.documents.topic)
    outlier = np.asarray(topic_map.documents.outlier)
    labeler = TopicLabeler().fit(texts, topics, embeddings, core=~outlier)
    topic_ids, centres = centroids(embeddings, topics)
    rows = [labeler.topic_ids_.index(t) for t in topic_ids]
    sizes = np.array([int((topics == t).sum()) for t in topic_ids])
    labels = dict(zip(labeler.topic_ids_, labeler.labels_, strict=True))
    terms = dict(zip(labeler.topic_ids_, labeler.terms_, strict=True))
    results = {}
    variants = [(method, "level IDF, no terms of > 50% of topics") for method in METHODS]
    variants += [("ward", name) for name in LABELS if name != variants[0][1]]
    for method, label_variant in variants:
        start = time.perf_counter()
        hierarchy = TopicHierarchy(method=method, **LABELS[label_variant]).fit(
            topic_ids, centres, sizes, labeler.counts_[rows], labeler.vocabulary_, labels, terms
        )
        elapsed = time.perf_counter() - start
        levels = score_levels(hierarchy, topics, sections, texts)
        results[f"{method}, {label_variant}"] = (elapsed, levels)
        if method == "ward" and label_variant == variants[0][1]:
            examples = [n.label for n in hierarchy.nodes_ if n.level == "coarse"]
    timings = topic_map.meta.timings_s
    lines = [
        f"{args.size:,} Debian descriptions (seed 42), {topic_map.meta.quality.n_topics} topics; {machine()}.",
        f"Job total {timings['total']:.1f} s; hierarchy stage in that job: {timings.get('hierarchy', 0):.3f} s "
        f"({100 * timings.get('hierarchy', 0) / timings['total']:.2f}% of the job).",
        "",
        "Coarse labels (ward, the default labels): " + "; ".join(examples) + ".",
        "",
        "| linkage, labels | level | nodes | NMI | ARI | NPMI | diversity | build |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for method, (elapsed, levels) in results.items():
        for row in levels[:-1]:  # the fine level is the topics, the same for every variant
            lines.append(
                f"| {method} | {row['level']} | {row['nodes']} | {row['nmi']:.3f} | {row['ari']:.3f} | "
                f"{row['npmi']:.3f} | {row['diversity']:.3f} | {elapsed * 1000:.0f} ms |"
            )
    fine = results[next(iter(results))][1][-1]
    lines.append(
        f"| (topics) | fine | {fine['nodes']} | {fine['nmi']:.3f} | {fine['ari']:.3f} | {fine['npmi']:.3f} | "
        f"{fine['diversity']:.3f} | |"
    )
    write_report(args.out, "\n".join(lines), key=f"hierarchy-{args.size}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
