"""Fixed costs of a small command-line run: ``python -m benchmarks.fixed_costs``.

``topicmap fit`` on 1,000 Debian descriptions in a fresh process, caches warm (the int8 file, the
backend choice, numba's compiled code): the wall time, the pipeline's stages, and what is outside
the pipeline (interpreter, imports, reading, writing the outputs); then the same with torch fp32
forced (``TOPICMAP_EMBEDDING_BACKEND=torch``: torch and sentence-transformers are loaded).
Median of 3. Writes the ``fixed-costs`` block of docs/benchmarks.md; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.compare import machine, write_report
from topicmap.pipeline.backends import cpu_flags

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "debian-packages.jsonl.gz"


def run_once(corpus: Path, out: Path, env: dict[str, str]) -> tuple[float, dict[str, float], str]:
    started = time.perf_counter()
    command = [sys.executable, "-m", "cli.main", "fit", str(corpus), "--out", str(out), "--quiet"]
    subprocess.run(command, check=True, env=env, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - started
    meta = json.loads((out / "map.json").read_text())["meta"]
    return wall, meta["timings_s"], meta["embedding"]["backend"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, gzip.open(DATA, "rt", encoding="utf-8") as source:
        corpus = Path(tmp) / "corpus.jsonl"
        lines = [json.loads(line) for _, line in zip(range(args.documents), source, strict=False)]
        corpus.write_text("\n".join(json.dumps({"id": str(i), "text": r["text"]}) for i, r in enumerate(lines)))
        amx = "amx_bf16" in cpu_flags()
        cases = [("auto", "auto"), *([("int8 (forced)", "onnx-int8")] if amx else []), ("torch fp32 (forced)", "torch")]
        for label, backend in cases:
            env = {**os.environ, "TOPICMAP_EMBEDDING_BACKEND": backend}
            chosen = run_once(corpus, Path(tmp) / "warm", env)[2]  # caches warm for this backend
            if backend == "auto":
                label = f"auto: {chosen}" + (", the cached int8 file, no torch" if chosen == "onnx-int8" else "")
            runs = [run_once(corpus, Path(tmp) / f"run{i}", env) for i in range(args.repeats)]
            wall = statistics.median(r[0] for r in runs)
            stage = {k: statistics.median(r[1].get(k, 0.0) for r in runs) for k in ("load_model", "embed", "total")}
            outside = wall - stage["total"]
            rows.append(
                f"| {label} | {wall:.1f} s | {stage['load_model']:.2f} s | {stage['embed']:.1f} s "
                f"| {stage['total'] - stage['load_model'] - stage['embed']:.1f} s | {outside:.1f} s "
                f"| {stage['embed'] / wall:.0%} |"
            )
    report = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; `topicmap fit` of {args.documents:,} Debian "
            f"descriptions, a fresh process each time, caches warm; median of {args.repeats}.",
            "",
            "| encoder | wall | load_model | embed | other stages | outside the pipeline | embed share |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    write_report(args.out, report, key="fixed-costs" + ("-amx" if "amx_bf16" in cpu_flags() else ""))
    print(report)


if __name__ == "__main__":
    main()
