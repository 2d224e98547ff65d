"""Near-duplicate groups on Debian descriptions at several thresholds: ``python -m benchmarks.duplicates``.

Embeds a shuffled sample, builds the kNN graph the pipeline builds, and reports for cosine thresholds
0.90–0.99 how many groups form, how many documents they hold, the largest group, and, at each
threshold, a pair of documents that just passes it (what a person would see grouped). Writes the
``duplicates`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.duplicates import DUPLICATE_COSINE, duplicate_groups
from topicmap.pipeline.embed import Embedder
from topicmap.pipeline.encoders import load_encoder
from topicmap.pipeline.reduce import NeighbourGraph
from topicmap.schemas import DEFAULT_MODEL
from topicmap.vectors import at_stored_precision

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.90, 0.93, 0.95, 0.97, 0.99)


def snippet(text: str) -> str:
    return " ".join(text.split())[:90].replace("|", "/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, _, _ = load_sample(DEFAULT_DATA, args.size)
    embeddings = at_stored_precision(Embedder(encoder=load_encoder(DEFAULT_MODEL)).fit(texts).embeddings_)
    started = time.perf_counter()
    graph = NeighbourGraph().fit(embeddings)
    graph_s = time.perf_counter() - started
    rows, examples = [], []
    similarity = 1.0 - graph.distances_
    for threshold in THRESHOLDS:
        started = time.perf_counter()
        group = duplicate_groups(graph.indices_, graph.distances_, threshold)
        took = time.perf_counter() - started
        sizes = np.bincount(group[group >= 0]) if (group >= 0).any() else np.zeros(1, dtype=int)
        marker = " (default)" if abs(threshold - DUPLICATE_COSINE) < 1e-9 else ""
        rows.append(
            f"| {threshold:.2f}{marker} | {int((sizes > 0).sum())} | {int((group >= 0).sum())} | {int(sizes.max())} | "
            f"{took * 1000:.0f} ms |"
        )
        near = np.argwhere(
            (similarity >= threshold)
            & (similarity < threshold + 0.01)
            & (graph.indices_ != np.arange(len(texts))[:, None])
        )
        if len(near):
            a, k = near[0]
            b = graph.indices_[a, k]
            examples.append(f"- {similarity[a, k]:.3f}: “{snippet(texts[a])}” ~ “{snippet(texts[b])}”")
    report = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {args.size:,} shuffled Debian descriptions; the "
        f"kNN graph (built anyway by the reduction) in {graph_s:.1f} s.",
        "",
        "| cosine threshold | groups | documents in groups | largest group | grouping |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "A pair that just passes each threshold:",
        "",
        *examples,
    ]
    write_report(args.out, "\n".join(report), key="duplicates")
    print("\n".join(report))


if __name__ == "__main__":
    main()
