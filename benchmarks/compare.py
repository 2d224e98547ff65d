"""topicmap vs BERTopic, side by side on samples of the Debian package descriptions.

    python -m benchmarks.compare --sizes 5000 20000 --out docs/benchmarks.md

Each system runs in a fresh process per size (so peak RSS is its own). Both are scored with the
same functions: NMI and ARI against the Debian section, NPMI coherence and diversity of the top-10
terms (``topicmap.pipeline.metrics``). The table is printed and written to ``--out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from benchmarks.probe import probe_line, speed_probe
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.backends import cpu_flags
from topicmap.pipeline.metrics import npmi_coherence, topic_diversity

SYSTEMS = ("topicmap", "topicmap-reference", "bertopic")


def run_system(system: str, size: int, data: Path, short: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.systems", system, str(size), "--data", str(data)]
    if short:
        command.append("--short")
    print(f"… {system} on {size:,} documents", file=sys.stderr, flush=True)
    started = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True, check=False)
    process_s = time.perf_counter() - started
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        raise SystemExit(f"{system} failed on {size}:\n{process.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    result["process_s"] = process_s  # the whole process: start, imports, data, warm-up, run
    return result


def score(result: dict[str, Any], texts: list[str]) -> dict[str, Any]:
    labels, topics = result["labels"], result["topics"]
    return {
        "system": result["system"],
        "size": result["size"],
        "stages_s": result["stages_s"],
        "total_s": result["total_s"],
        "warmup_s": result["warmup_s"],
        "process_s": result.get("process_s"),
        "peak_rss_mb": result["peak_rss_mb"],
        "n_topics": len(result["terms"]),
        "outlier_share": result["outlier_share"],
        "flagged_share": result["flagged_share"],
        "nmi": normalized_mutual_info_score(labels, topics),
        "ari": adjusted_rand_score(labels, topics),
        "npmi": npmi_coherence(texts, result["terms"]),
        "diversity": topic_diversity(result["terms"]),
        "backend": result["backend"],
    }


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{cpu}, {os.cpu_count()} cores, {memory_gb:.0f} GB RAM, no GPU, Python {platform.python_version()}"


def versions() -> str:
    names = [
        "bertopic",
        "sentence-transformers",
        "torch",
        "onnxruntime",
        "umap-learn",
        "fast-hdbscan",
        "hdbscan",
        "scikit-learn",
    ]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(found)


def table(rows: list[dict[str, Any]]) -> str:
    header = (
        "| size | system | embed s | reduce+cluster+label s | total s | warm-up s | peak RSS MB | topics "
        "| outliers (-1) | flagged | NMI | ARI | NPMI | diversity |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for row in rows:
        stages = row["stages_s"]
        embed = stages.get("embed", 0.0) + stages.get("load_model", 0.0)
        lines.append(
            f"| {row['size']:,} | {row['system']} | {embed:.1f} | {row['total_s'] - embed:.1f} | {row['total_s']:.1f} "
            f"| {row['warmup_s']:.1f} | {row['peak_rss_mb']:.0f} | {row['n_topics']} | {row['outlier_share']:.1%} "
            f"| {row['flagged_share']:.1%} | {row['nmi']:.3f} | {row['ari']:.3f} | {row['npmi']:.3f} "
            f"| {row['diversity']:.3f} |"
        )
    return "\n".join(lines)


def ratios(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| size | time ratio (topicmap / BERTopic) | whole process (s, ratio) | embed ratio | peak RSS ratio "
        "| NMI diff | NPMI diff |",
        "|---|---|---|---|---|---|---|",
    ]
    by_size: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_size.setdefault(row["size"], {})[row["system"]] = row
    for size, pair in sorted(by_size.items()):
        if not {"topicmap", "bertopic"} <= set(pair):
            continue
        ours, theirs = pair["topicmap"], pair["bertopic"]
        embed_ours = ours["stages_s"].get("embed", 0.0) + ours["stages_s"].get("load_model", 0.0)
        whole = "—"
        if ours.get("process_s") and theirs.get("process_s"):
            whole = (
                f"{ours['process_s']:.1f} / {theirs['process_s']:.1f} = {ours['process_s'] / theirs['process_s']:.2f}"
            )
        lines.append(
            f"| {size:,} | {ours['total_s'] / theirs['total_s']:.2f} | {whole} "
            f"| {embed_ours / theirs['stages_s']['embed']:.2f} "
            f"| {ours['peak_rss_mb'] / theirs['peak_rss_mb']:.2f} | {ours['nmi'] - theirs['nmi']:+.3f} "
            f"| {ours['npmi'] - theirs['npmi']:+.3f} |"
        )
    return "\n".join(lines) if len(lines) > 2 else ""


def stage_detail(rows: list[dict[str, Any]]) -> str:
    lines = []
    for row in rows:
        stages = ", ".join(f"{name} {seconds:.1f}" for name, seconds in row["stages_s"].items())
        lines.append(f"- {row['system']}, {row['size']:,} documents ({row['backend']}): {stages}")
    return "\n".join(lines)


def write_report(path: Path, report: str, *, key: str) -> None:
    """Replace the block between this run's markers in ``path``, keeping the prose around it."""
    start, end = f"<!-- results {key} start -->", f"<!-- results {key} end -->"
    block = f"{start}\n{report}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + f"\n\n## Sizes {key}\n\n{block}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=["topicmap", "bertopic"])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--short", action="store_true", help="sentences of the descriptions (for 100k short documents)")
    parser.add_argument("--out", type=Path, help="write the results as markdown here")
    parser.add_argument("--json", type=Path, help="also write the raw scores as JSON here")
    args = parser.parse_args()
    if not args.data.is_file():
        raise SystemExit(f"benchmark data not found: {args.data} (pass --data)")
    probe = speed_probe()  # before the runs: how fast this shared machine is today
    rows = []
    for size in args.sizes:
        texts, _, _ = load_sample(args.data, size, short=args.short)
        for system in args.systems:
            rows.append(score(run_system(system, size, args.data, args.short), texts))
            print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    corpus = "sentences of Debian package descriptions" if args.short else "Debian package descriptions"
    report = "\n\n".join(
        part
        for part in [
            f"Run on {dt.date.today().isoformat()} on {machine()}.{probe_line(probe)}",
            f"Corpus: {corpus} ({args.data.name}), shuffled with seed 42; labels = Debian section.",
            f"Versions: {versions()}.",
            table(rows),
            ratios(rows),
            "Stage timings (s):\n\n" + stage_detail(rows),
        ]
        if part
    )
    print(report)
    if args.out:
        key = "-".join(map(str, args.sizes)) + ("-short" if args.short else "")
        write_report(args.out, report, key=key + ("-amx" if "amx_bf16" in cpu_flags() else ""))  # a block per CPU kind
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
