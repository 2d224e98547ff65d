"""Clustering one representative per near-duplicate group: ``python -m benchmarks.dedup``.

On sentences cut from Debian descriptions (many are templates: "This package contains the
documentation.", repeated across packages), maps the same texts with the same embeddings twice:
every document clustered (the default), and ``one_per_duplicate_group`` (one representative per
group clustered, the others given its topic). Reports the time of the clustering stage and of the
whole run, the NMI against the sections, the number of topics, and "pile topics": topics of which
more than 80% are one near-duplicate group. Writes the ``dedup`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sklearn.metrics import normalized_mutual_info_score

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams, TopicMap
from topicmap.vectors import at_stored_precision

ROOT = Path(__file__).resolve().parents[1]


def pile_topics(topic_map: TopicMap) -> int:
    docs = topic_map.documents
    assert docs.duplicate_group is not None
    piles = 0
    for topic in {t for t in docs.topic if t >= 0}:
        groups = Counter(g for t, g in zip(docs.topic, docs.duplicate_group, strict=True) if t == topic)
        size = sum(groups.values())
        biggest = max((count for group, count in groups.items() if group >= 0), default=0)
        piles += biggest > 0.8 * size
    return piles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, sections, _ = load_sample(DEFAULT_DATA, args.size, short=True)
    ids = [str(i) for i in range(len(texts))]
    kept: dict[str, Any] = {}
    run_pipeline(texts, ids, PipelineParams(), on_embedded=lambda e: kept.update(e=e))  # warm and embed
    embeddings = at_stored_precision(kept["e"])
    rows = []
    for name, params in (
        ("every document", PipelineParams()),
        ("one per group", PipelineParams(one_per_duplicate_group=True)),
    ):
        started = time.perf_counter()
        topic_map = run_pipeline(texts, ids, params, embeddings=embeddings)
        total = time.perf_counter() - started
        grouped = sum(g >= 0 for g in topic_map.documents.duplicate_group or [])
        rows.append(
            f"| {name} | {topic_map.meta.timings_s['cluster']:.2f} s | {total:.1f} s | "
            f"{normalized_mutual_info_score(sections, topic_map.documents.topic):.3f} | "
            f"{topic_map.meta.quality.n_topics} | {pile_topics(topic_map)} | {grouped:,} |"
        )
    report = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {args.size:,} sentences cut from shuffled Debian "
        "descriptions (seed 42), the same embeddings for both runs.",
        "",
        "| clustered | cluster stage | whole run | NMI (sections) | topics | pile topics | documents in groups |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    write_report(args.out, "\n".join(report), key="dedup")
    print("\n".join(report))


if __name__ == "__main__":
    main()
