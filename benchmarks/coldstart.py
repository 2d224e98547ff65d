"""Cold start at 100,000 documents: ``python -m benchmarks.coldstart``.

The pipeline after embedding (embeddings given, so only the JIT differs) on the 100,000 Debian
sentences of the 100k benchmark, each run a new process, against a fresh cache folder
(``TOPICMAP_CACHE_DIR``, numba's cache inside it):

1. no warm-up: what a fresh process paid before ``topicmap warmup`` ran at install;
2. ``topicmap warmup`` itself, in a second fresh cache folder, as ``make install`` and the worker
   image run it;
3. the first run after it, then a second run (the cache as a worker leaves it).

Writes the ``coldstart`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.compare import machine, versions, write_report
from benchmarks.jit import CHILD
from benchmarks.million import BASE, base_embeddings
from benchmarks.systems import DEFAULT_DATA, load_sample

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], cache: Path) -> tuple[float, dict[str, float]]:
    """Seconds the process took, and the pipeline's stage timings when it printed them."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | {"TOPICMAP_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    seconds = time.perf_counter() - started
    lines = output.strip().splitlines()
    stages = json.loads(lines[-1])["stages"] if lines and lines[-1].startswith("{") else {}
    return seconds, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, _, _ = load_sample(args.data, BASE, short=True)
    embeddings = base_embeddings(texts)
    topicmap = str(Path(sys.executable).parent / "topicmap")
    rows: list[tuple[str, float, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "texts.json").write_text(json.dumps(texts))
        np.save(folder / "embeddings.npy", embeddings)
        pipeline = [
            sys.executable,
            "-W",
            "ignore",
            "-c",
            CHILD,
            str(folder / "texts.json"),
            str(folder / "embeddings.npy"),
        ]
        seconds, stages = run(pipeline, folder / "cache-without-warmup")
        rows.append(("fresh process, no warm-up (before)", seconds, stages))
        installed = folder / "cache-installed"
        seconds, _ = run([topicmap, "warmup"], installed)
        rows.append(("`topicmap warmup` (at install)", seconds, {}))
        for name in ("first run after install", "second run"):
            seconds, stages = run(pipeline, installed)
            rows.append((name, seconds, stages))
    lines = [
        f"{BASE:,} Debian sentences, embeddings given (no model); each run a new process with a fresh cache "
        f"folder; {machine()}. {versions()}.",
        "",
        "| run | process wall time | reduce | cluster | layout | after embedding, in all |",
        "|---|---|---|---|---|---|",
    ]
    for name, seconds, stages in rows:
        cells = [f"{stages[s]:.1f} s" if s in stages else "—" for s in ("reduce", "cluster", "layout", "total")]
        lines.append(f"| {name} | {seconds:.1f} s | " + " | ".join(cells) + " |")
    write_report(args.out, "\n".join(lines), key="coldstart")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
