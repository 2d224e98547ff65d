"""The worker pipeline on a GPU: the fastest fp16 batch size, then every Debian description, mapped.

    python -m benchmarks.gpu --model DIR --data debian-packages.jsonl.gz --json gpu.json
    python -m benchmarks.gpu --from-json gpu.json --out docs/benchmarks.md

The first form runs where the GPU is: it times the torch fp16 encoder at several batch sizes on a
sample, keeps the fastest, warms up (numba JIT) on 300 documents, and maps the whole corpus with
``run_pipeline``, timing every stage and scoring the map against the Debian sections. The second form
turns that JSON into the markdown block of ``docs/benchmarks.md`` (the GPU machine is lent for
minutes; the docs are written where the repository lives).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.compare import write_report
from benchmarks.systems import DEFAULT_DATA, SEED

BATCH_SIZES = (256, 512, 1024, 2048)
SWEEP_SIZE = 20_000
TOKENS = 128


def load_corpus(path: Path) -> tuple[list[str], list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def measure(model: Path, data: Path, batch_sizes: tuple[int, ...]) -> dict[str, Any]:
    import torch
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from topicmap.pipeline.embed import Embedder
    from topicmap.pipeline.encoders import TorchEncoder, load_sentence_transformer
    from topicmap.pipeline.run import run_pipeline
    from topicmap.schemas import PipelineParams
    from topicmap.vectors import at_stored_precision

    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device: this benchmark measures the GPU path")
    texts, labels = load_corpus(data)
    encoder = TorchEncoder(load_sentence_transformer(model, "cuda", TOKENS), "cuda")
    sample = texts[:SWEEP_SIZE]
    Embedder(encoder=encoder, batch_size=max(batch_sizes)).fit(sample)  # CUDA context, kernels, clocks
    sweep = {}
    for batch_size in batch_sizes:
        start = time.perf_counter()
        Embedder(encoder=encoder, batch_size=batch_size).fit(sample)
        sweep[batch_size] = len(sample) / (time.perf_counter() - start)
        print(f"batch {batch_size}: {sweep[batch_size]:,.0f} docs/s", flush=True)
    encoder.batch_size = max(sweep, key=lambda size: sweep[size])

    start = time.perf_counter()
    run_pipeline(texts[:300], [str(i) for i in range(300)], PipelineParams(), encoder=encoder)
    run_pipeline(texts[:600], [str(i) for i in range(600)], PipelineParams(), encoder=encoder, large_corpus=300)
    warmup = time.perf_counter() - start
    torch.cuda.reset_peak_memory_stats()
    ids, params, kept = [str(i) for i in range(len(texts))], PipelineParams(seed=SEED), []
    start = time.perf_counter()
    topic_map = run_pipeline(texts, ids, params, encoder=encoder, on_embedded=kept.append)
    wall = time.perf_counter() - start
    quality = topic_map.meta.quality
    timings = dict(topic_map.meta.timings_s)
    embeddings = at_stored_precision(kept[0])  # as the first run used them
    again = run_pipeline(texts, ids, params, embeddings=embeddings)  # the GPU stages once more: the same map?
    os.environ["TOPICMAP_GPU_STAGES"] = "off"
    on_cpu = run_pipeline(texts, ids, params, embeddings=embeddings)  # the reference: every stage on the CPU
    os.environ.pop("TOPICMAP_GPU_STAGES")
    return {
        "stages_device": topic_map.meta.resolved.get("stages_device", "cpu"),
        "repeat_identical": again.documents.x == topic_map.documents.x
        and again.documents.topic == topic_map.documents.topic,
        "cpu_stages_s": dict(on_cpu.meta.timings_s),
        "cpu_nmi": normalized_mutual_info_score(labels, on_cpu.documents.topic),
        "cpu_flagged_share": on_cpu.meta.quality.outlier_share,
        "cpu_n_topics": on_cpu.meta.quality.n_topics,
        "documents": len(texts),
        "gpu": torch.cuda.get_device_name(0),
        "cpu_cores": os.cpu_count(),
        "python": platform.python_version(),
        "versions": {
            name: metadata.version(name)
            for name in ("torch", "sentence-transformers", "umap-learn", "fast-hdbscan", "numba", "scikit-learn")
        },
        "tokens": TOKENS,
        "sweep_documents": len(sample),
        "sweep_docs_per_s": sweep,
        "batch_size": encoder.batch_size,
        "warmup_s": round(warmup, 2),
        "wall_s": round(wall, 2),
        "stages_s": timings,
        "embed_docs_per_s": round(len(texts) / timings["embed"]),
        "gpu_peak_memory_mb": round(torch.cuda.max_memory_allocated() / 1024**2),
        "peak_rss_mb": topic_map.meta.peak_rss_mb,
        "n_topics": quality.n_topics,
        "unassigned_share": quality.unassigned_share,
        "flagged_share": quality.outlier_share,
        "nmi": normalized_mutual_info_score(labels, topic_map.documents.topic),
        "ari": adjusted_rand_score(labels, topic_map.documents.topic),
        "npmi": quality.npmi,
        "diversity": quality.diversity,
    }


def report(result: dict[str, Any], date: str) -> str:
    stages = result["stages_s"]
    names = [name for name in stages if name != "total"]
    sweep = " · ".join(f"{size}: {rate:,.0f}" for size, rate in result["sweep_docs_per_s"].items())
    versions = ", ".join(f"{name} {version}" for name, version in result["versions"].items())
    return "\n".join(
        [
            f"Measured {date} on {result['gpu']} with {result['cpu_cores']} CPU cores (the lent device machine), "
            f"Python {result['python']}, {versions}. torch fp16 encoder, {result['tokens']} tokens.",
            "",
            f"Batch sizes on {result['sweep_documents']:,} descriptions (docs/s): {sweep}; "
            f"fastest: **{result['batch_size']}**.",
            "",
            "| documents | embed docs/s | " + " | ".join(f"{name} s" for name in names) + " | total s | warm-up s "
            "| GPU peak MB | peak RSS MB | topics | NMI | ARI | unassigned | flagged |",
            "|---|---|" + "---|" * len(names) + "---|---|---|---|---|---|---|---|---|",
            f"| {result['documents']:,} | {result['embed_docs_per_s']:,} | "
            + " | ".join(f"{stages[name]:.2f}" for name in names)
            + f" | {stages['total']:.1f} | {result['warmup_s']:.1f} | {result['gpu_peak_memory_mb']:,} "
            f"| {result['peak_rss_mb']:,.0f} | {result['n_topics']} | {result['nmi']:.3f} | {result['ari']:.3f} "
            f"| {result['unassigned_share']:.1%} | {result['flagged_share']:.1%} |",
            *cpu_comparison(result),
        ]
    )


def cpu_comparison(result: dict[str, Any]) -> list[str]:
    """The same embeddings through the CPU stages (``TOPICMAP_GPU_STAGES=off``), when measured."""
    if "cpu_stages_s" not in result:
        return []
    gpu, cpu = result["stages_s"], result["cpu_stages_s"]
    after = [name for name in gpu if name not in ("total", "load_model", "embed")]
    return [
        "",
        f"After embedding, stages on **{result['stages_device']}** against the CPU path on the same embeddings "
        f"({result['cpu_cores']} cores); a second GPU run gave "
        f"{'the same' if result['repeat_identical'] else 'a different'} map:",
        "",
        "| stages on | "
        + " | ".join(f"{name} s" for name in after)
        + " | after embedding s | topics | NMI | flagged |",
        "|---|" + "---|" * len(after) + "---|---|---|---|",
        f"| {result['stages_device']} | "
        + " | ".join(f"{gpu[name]:.2f}" for name in after)
        + f" | {sum(gpu[name] for name in after):.1f} | {result['n_topics']} | {result['nmi']:.3f} "
        f"| {result['flagged_share']:.1%} |",
        "| cpu | "
        + " | ".join(f"{cpu[name]:.2f}" for name in after)
        + f" | {sum(cpu[name] for name in after):.1f} | {result['cpu_n_topics']} | {result['cpu_nmi']:.3f} "
        f"| {result['cpu_flagged_share']:.1%} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, help="a local sentence-transformers directory (all-MiniLM-L6-v2)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=list(BATCH_SIZES))
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--from-json", type=Path, help="render earlier measurements instead of measuring")
    parser.add_argument("--date", default=time.strftime("%Y-%m-%d"))
    parser.add_argument("--out", type=Path, help="write the markdown block into this file")
    args = parser.parse_args()
    if args.from_json:
        result = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        if args.model is None:
            from topicmap.pipeline.encoders import resolve_model_path
            from topicmap.schemas import DEFAULT_MODEL

            args.model = resolve_model_path(DEFAULT_MODEL)
        result = measure(args.model, args.data, tuple(args.batch_sizes))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    markdown = report(result, args.date)
    print(markdown)
    if args.out:
        write_report(args.out, markdown, key="gpu")


if __name__ == "__main__":
    main()
