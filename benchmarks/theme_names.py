"""Theme names a person would accept, before and after: ``python -m benchmarks.theme_names``.

On two corpora (Debian package descriptions, and the same descriptions cut into sentences: short
texts), maps a shuffled sample once, then names the hierarchy's coarse and medium themes both ways:
"level" (c-TF-IDF across the level's themes alone, as before) and "shared" (the terms most of a
theme's topics share, else its largest topics: topicmap/pipeline/hierarchy.py). The check
(``acceptable_label``): every term of a theme's label is among the top terms of at least half its
topics, or the label names its largest topics ("A, B and N more"). Also NPMI and diversity of the
labels' terms. Writes the ``theme-names`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.cluster import centroids
from topicmap.pipeline.hierarchy import TopicHierarchy, acceptable_label
from topicmap.pipeline.label import TopicLabeler
from topicmap.pipeline.metrics import npmi_coherence, topic_diversity
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams

ROOT = Path(__file__).resolve().parents[1]


def one_corpus(name: str, texts: list[str]) -> tuple[list[str], list[str]]:
    ids = [str(i) for i in range(len(texts))]
    kept: dict[str, Any] = {}
    topic_map = run_pipeline(texts, ids, PipelineParams(), on_embedded=lambda e: kept.update(embeddings=e))
    embeddings, topics = kept["embeddings"], np.asarray(topic_map.documents.topic)
    labeler = TopicLabeler().fit(texts, topics, embeddings, core=~np.asarray(topic_map.documents.outlier))
    topic_ids, centres = centroids(embeddings, topics)
    rows = [labeler.topic_ids_.index(t) for t in topic_ids]
    sizes = np.array([int((topics == t).sum()) for t in topic_ids])
    labels = dict(zip(labeler.topic_ids_, labeler.labels_, strict=True))
    terms = dict(zip(labeler.topic_ids_, labeler.terms_, strict=True))
    lines, examples = [], []
    for variant in ("level", "shared"):
        hierarchy = TopicHierarchy(theme_labels=variant).fit(  # type: ignore[arg-type]
            topic_ids, centres, sizes, labeler.counts_[rows], labeler.vocabulary_, labels, terms
        )
        for level in hierarchy.levels_[:-1]:
            nodes = [n for n in hierarchy.nodes_ if n.level == level]
            ok = [acceptable_label(n.label, n.topics, terms, labels) for n in nodes]
            fallback = sum(" more" in n.label or (" and " in n.label and " · " not in n.label) for n in nodes)
            label_terms = [n.label.split(" · ") for n in nodes if " more" not in n.label]
            lines.append(
                f"| {name} | {variant} | {level} | {len(nodes)} | {sum(ok)}/{len(nodes)} ({np.mean(ok):.0%}) | "
                f"{fallback} | {npmi_coherence(texts, label_terms):.3f} | {topic_diversity(label_terms):.3f} |"
            )
            if level == "coarse":
                examples.append(f"{name}, {variant}: " + "; ".join(f"“{n.label}”" for n in nodes[:8]))
    return lines, examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    rows, examples = [], []
    for name, short in (("descriptions", False), ("sentences", True)):
        texts, _, _ = load_sample(DEFAULT_DATA, args.size, short=short)
        lines, named = one_corpus(name, texts)
        rows += lines
        examples += named
    report = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {args.size:,} shuffled Debian descriptions, and "
        f"{args.size:,} sentences cut from them (seed 42).",
        "",
        "| corpus | theme names | level | themes | acceptable | named by largest topics | NPMI | diversity |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Coarse themes (the first eight):",
        "",
        *[f"- {line}" for line in examples],
    ]
    write_report(args.out, "\n".join(report), key="theme-names")
    print("\n".join(report))


if __name__ == "__main__":
    main()
