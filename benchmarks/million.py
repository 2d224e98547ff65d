"""The pipeline after embedding at 1,000,000 documents: ``python -m benchmarks.million``.

Embedding a million texts takes hours on 2 cores, so the embeddings are made from real ones: the
100,000 sentences of the 100k benchmark are embedded once (kept in the topicmap cache folder), and
each million-document row is one of them plus Gaussian noise (cosine ~0.96 to its source),
renormalised. Each row's text is its source sentence (the same string object, not a copy), and its
label the source's Debian section. Reports stage timings, peak RSS, the stored map's size and NMI;
writes the ``million`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.compare import machine, versions, write_report
from benchmarks.systems import DEFAULT_DATA, SEED, load_sample

ROOT = Path(__file__).resolve().parents[1]
BASE = 100_000
NOISE = 0.3  # per-dimension scale × sqrt(dimensions): cosine to the source ≈ 1 / sqrt(1 + 0.3²)


def base_embeddings(texts: list[str]) -> npt.NDArray[np.float32]:
    from topicmap.pipeline.cache import cache_dir
    from topicmap.pipeline.embed import Embedder
    from topicmap.pipeline.encoders import load_encoder

    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache_dir() / "benchmarks" / f"sentences-{len(texts)}-{digest}.npy"
    if path.is_file():
        return np.load(path)
    print(f"… embedding {len(texts):,} sentences once (cached in {path})", flush=True)
    vectors = Embedder(encoder=load_encoder("all-MiniLM-L6-v2")).fit(texts).embeddings_
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def perturbed(
    base: npt.NDArray[np.float32], size: int, seed: int = SEED
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.intp]]:
    """``size`` unit vectors, each a noisy copy of a row of ``base``; and which row."""
    rng = np.random.default_rng(seed)
    source = np.arange(size) % len(base)
    vectors = np.empty((size, base.shape[1]), dtype=np.float32)
    block = 100_000
    for start in range(0, size, block):
        rows = source[start : start + block]
        noisy = base[rows] + rng.standard_normal((len(rows), base.shape[1]), dtype=np.float32) * (
            NOISE / np.sqrt(base.shape[1])
        )
        vectors[start : start + block] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return vectors, source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    from sklearn.metrics import normalized_mutual_info_score

    from topicmap.pipeline.metrics import peak_rss_mb
    from topicmap.pipeline.run import run_pipeline
    from topicmap.schemas import PipelineParams

    texts, labels, warm = load_sample(args.data, BASE, short=True)
    base = base_embeddings(texts)
    run_pipeline(warm * 2, [str(i) for i in range(len(warm) * 2)], PipelineParams(), large_corpus=len(warm))  # JIT
    vectors, source = perturbed(base, args.size)
    documents = [texts[i] for i in source]  # references to the 100k strings, not copies
    ids = [f"d{i}" for i in range(args.size)]
    cosine = float(np.mean(np.sum(vectors[:10_000] * base[source[:10_000]], axis=1)))
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    topic_map = run_pipeline(documents, ids, PipelineParams(seed=SEED), embeddings=vectors)
    wall = time.perf_counter() - start
    stored = len(gzip.compress(topic_map.model_dump_json().encode(), 6))
    nmi = normalized_mutual_info_score([labels[i] for i in source], topic_map.documents.topic)
    stages = {k: v for k, v in topic_map.meta.timings_s.items() if k not in ("load_model", "embed", "total")}
    quality = topic_map.meta.quality
    report = "\n".join(
        [
            f"{args.size:,} documents: noisy copies (mean cosine {cosine:.3f} to the source) of the embeddings of "
            f"{BASE:,} Debian sentences; embeddings given (no model). {machine()}. {versions()}.",
            "",
            "| documents | "
            + " | ".join(f"{name} s" for name in stages)
            + " | after embedding s | peak RSS MB | topics | NMI | flagged | map stored (gzip) |",
            "|---|" + "---|" * len(stages) + "---|---|---|---|---|---|",
            f"| {args.size:,} | "
            + " | ".join(f"{seconds:.1f}" for seconds in stages.values())
            + f" | {wall:.1f} | {topic_map.meta.peak_rss_mb:,.0f} | {quality.n_topics} | {nmi:.3f} "
            f"| {quality.outlier_share:.1%} | {stored / 1e6:.1f} MB |",
            "",
            f"Peak RSS before the run (inputs made, 100k embeddings loaded): {rss_before:,.0f} MB.",
        ]
    )
    print(report)
    write_report(args.out, report, key="million")


if __name__ == "__main__":
    main()
