"""Fewer topics, on request: ``python -m benchmarks.merge_topics``.

A job's ``n_topics`` merges the clusters HDBSCAN found, and the "Reduce to N" edit merges a
map's topics. Both used to grow one topic over the others. On shuffled Debian descriptions (the
same embeddings throughout), for several targets, reports the share of the documents in the
largest topic and the NMI of the topics against the packages' sections:

- fit: the clusters' centroids merged by average linkage (cosine), as before, and by Ward linkage
  (now; the hierarchy groups topics into themes the same way);
- reduce: the smallest topic merged into the one whose c-TF-IDF vector is most similar until few
  enough remain (before; BERTopic's ``reduce_topics``), and Ward linkage of the unit-length
  c-TF-IDF vectors (now; topicmap/edits/regroup.py).

Writes the ``merge_topics`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

import topicmap.edits.regroup as regroup
import topicmap.pipeline.run as pipeline_run
from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.edits.operations import Reduce, apply_edits
from topicmap.pipeline.cluster import TopicMerger
from topicmap.schemas import PipelineParams, TopicMap
from topicmap.terms import TermTable

ROOT = Path(__file__).resolve().parents[1]
TARGETS = (5, 8, 20, 40)


def smallest_into_most_similar(topic_map: TopicMap, table: TermTable, n_topics: int) -> list[list[int]]:
    """The reduce edit before: the smallest topic joins the one whose c-TF-IDF vector is most
    similar (cosine; a merged topic's vector is the sum of its topics'), until few enough remain."""
    sizes = {t.id: t.size for t in topic_map.topics if t.id >= 0}
    active, vectors = regroup.topic_vectors(topic_map, table)
    if len(active) <= n_topics:
        return []
    gram = (vectors @ vectors.T).toarray()
    size = np.array([sizes[t] for t in active], dtype=np.float64)
    alive = np.ones(len(active), dtype=bool)
    members = [[t] for t in active]
    for _ in range(len(active) - n_topics):
        candidates = np.flatnonzero(alive)
        smallest = candidates[np.lexsort((np.array(active)[candidates], size[candidates]))[0]]
        others = candidates[candidates != smallest]
        norms = np.sqrt(np.maximum(gram[others, others] * gram[smallest, smallest], 1e-300))
        target = others[int(np.argmax(gram[smallest, others] / norms))]
        gram[target, :] += gram[smallest, :]
        gram[:, target] += gram[:, smallest]
        size[target] += size[smallest]
        members[target] += members[smallest]
        alive[smallest] = False
    return [sorted(members[i]) for i in np.flatnonzero(alive) if len(members[i]) > 1]


def row(how: str, target: int, topic_map: TopicMap, sections: list[str]) -> str:
    sizes = [t.size for t in topic_map.topics if t.id >= 0]
    nmi = normalized_mutual_info_score(sections, topic_map.documents.topic)
    return f"| {how} | {target} | {len(sizes)} | {max(sizes) / sum(sizes):.0%} | {nmi:.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5_000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, sections, _ = load_sample(DEFAULT_DATA, args.size)
    ids = [str(i) for i in range(len(texts))]
    kept: dict[str, Any] = {}
    tables: list[TermTable] = []
    fitted = pipeline_run.run_pipeline(
        texts, ids, PipelineParams(), on_embedded=lambda e: kept.update(e=e), on_terms=tables.append
    )
    rows = [row("fit, no target", fitted.meta.quality.n_topics, fitted, sections)]
    for linkage in ("average", "ward"):
        pipeline_run.TopicMerger = lambda n_topics, linkage=linkage: TopicMerger(n_topics=n_topics, linkage=linkage)  # type: ignore[misc,assignment]
        for target in TARGETS:
            merged = pipeline_run.run_pipeline(texts, ids, PipelineParams(n_topics=target), embeddings=kept["e"])
            rows.append(row(f"fit, n_topics: {linkage} linkage", target, merged, sections))
    pipeline_run.TopicMerger = TopicMerger  # type: ignore[misc]
    ward_reduce = regroup.reduce_groups
    for how, reduce in (
        ("reduce: smallest into most similar", smallest_into_most_similar),
        ("reduce: Ward", ward_reduce),
    ):
        regroup.reduce_groups = reduce  # type: ignore[assignment]
        for target in TARGETS:
            edited = apply_edits(
                fitted,
                [Reduce(op="reduce", n_topics=target)],
                lambda _: fitted,
                latest_number=1,
                load_terms=lambda _: tables[0],
            ).topic_map
            rows.append(row(how, target, edited, sections))
    regroup.reduce_groups = ward_reduce
    report = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {args.size:,} shuffled Debian descriptions "
        "(seed 42), the same embeddings for every fit; the reduce edits start from the map fitted without a target.",
        "",
        "| how | target | topics | largest topic | NMI (sections) |",
        "|---|---|---|---|---|",
        *rows,
    ]
    write_report(args.out, "\n".join(report), key="merge_topics")
    print("\n".join(report))


if __name__ == "__main__":
    main()
