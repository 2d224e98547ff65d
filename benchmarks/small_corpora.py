"""Small corpora: ``python -m benchmarks.small_corpora``.

A few hundred survey answers or tickets is a common corpus. On such corpora HDBSCAN's
excess-of-mass selection sometimes keeps one cluster of nearly every document: a map of one topic.
On disjoint samples of shuffled Debian descriptions (each sample's embeddings computed once and
shared by every variant), reports per corpus size the mean number of topics, the mean NMI of the
topics against the packages' sections, the largest topic seen and how many samples had a topic of
more than half the documents, for:

- before: ``min_samples`` 10 (at most), excess-of-mass as is;
- ``min_samples`` 5 under ``FEW_DOCUMENTS`` documents;
- the giant guard alone (topicmap/pipeline/cluster.py ``GIANT_SHARE``);
- now: both.

Writes the ``small_corpora`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

import topicmap.pipeline.run as pipeline_run
from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.cluster import HdbscanClusterer
from topicmap.pipeline.embed import Embedder
from topicmap.pipeline.encoders import load_encoder, resolve_model_path
from topicmap.schemas import PipelineParams

ROOT = Path(__file__).resolve().parents[1]
SIZES = (150, 200, 300, 400, 600, 1_000, 3_000)
VARIANTS = {  # name: (min_samples 5 on small corpora, the giant guard)
    "before": (False, False),
    "min_samples 5": (True, False),
    "giant guard": (False, True),
    "now": (True, True),
}


@contextmanager
def variant(fewer_samples: bool, guard: bool) -> Iterator[None]:
    few, clusterer = pipeline_run.FEW_DOCUMENTS, pipeline_run.HdbscanClusterer
    pipeline_run.FEW_DOCUMENTS = few if fewer_samples else 0
    if not guard:
        pipeline_run.HdbscanClusterer = partial(HdbscanClusterer, max_share=None)  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        pipeline_run.FEW_DOCUMENTS, pipeline_run.HdbscanClusterer = few, clusterer  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4, help="samples per size (half as many at 3,000)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, sections, _ = load_sample(DEFAULT_DATA, args.samples * max(SIZES))
    model = PipelineParams().model
    resolve_model_path(model)
    embeddings = Embedder(encoder=load_encoder(model)).fit(texts).embeddings_  # once: every fit shares them
    rows = []
    for size in SIZES:
        results: dict[str, list[tuple[int, float, float]]] = {name: [] for name in VARIANTS}
        for k in range(args.samples if size < 3_000 else max(1, args.samples // 2)):
            part = slice(k * size, (k + 1) * size)
            ids = [str(i) for i in range(size)]
            for name, (fewer_samples, guard) in VARIANTS.items():
                with variant(fewer_samples, guard):
                    fitted = pipeline_run.run_pipeline(texts[part], ids, PipelineParams(), embeddings=embeddings[part])
                topics = np.asarray(fitted.documents.topic)
                largest = np.bincount(topics[topics >= 0]).max() / size
                nmi = normalized_mutual_info_score(sections[part], topics)
                results[name].append((fitted.meta.quality.n_topics, float(nmi), float(largest)))
                print(size, k, name, results[name][-1], flush=True)
        for name, runs in results.items():
            n_topics, nmi, largest = (np.array(column) for column in zip(*runs, strict=True))
            rows.append(
                f"| {size:,} | {name} | {len(runs)} | {n_topics.mean():.1f} | {nmi.mean():.3f} | "
                f"{largest.max():.0%} | {int((largest > 0.5).sum())} |"
            )
    report = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; disjoint samples of shuffled Debian descriptions "
        "(seed 42), embedded once and shared by the four fits of each; default parameters otherwise.",
        "",
        "| documents | variant | samples | topics (mean) | NMI (sections, mean) | largest topic (max) | "
        "samples with a topic of over half |",
        "|---|---|---|---|---|---|---|",
        *rows,
    ]
    write_report(args.out, "\n".join(report), key="small_corpora")
    print("\n".join(report))


if __name__ == "__main__":
    main()
