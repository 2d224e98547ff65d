"""JIT warm-up, first and second run: ``python -m benchmarks.jit --size 5000``.

Embeds a shuffled Debian sample once (so embedding, which has no JIT, is out of the picture), then
runs the rest of the pipeline in a new process twice against one empty numba cache directory: the
first process compiles umap's and pynndescent's numba code and stores it, the second loads it.
Reports each process's wall time from start (imports included) and its stage timings. Writes the
``jit-{size}`` block of docs/benchmarks.md.
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

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import hashlib, json, sys, time
start = time.perf_counter()
import numpy as np
from topicmap.pipeline.cores import available_cores
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams
texts = json.load(open(sys.argv[1]))
embeddings = np.load(sys.argv[2])
marks = {}  # stage -> [start, end] on time.monotonic(), the clock of benchmarks/busy.py's sampler
def progress(stage, done, total):
    marks.setdefault(stage, [time.monotonic(), 0.0])[1] = time.monotonic()
if sys.argv[3:] == ["warm"]:  # as a worker before its first job (topicmap/pipeline/warmup.py): both paths, small
    for large in (10_000, 150):
        run_pipeline(texts[:300], [str(i) for i in range(300)], PipelineParams(), embeddings=embeddings[:300],
                     large_corpus=large)
called, called_at = time.perf_counter(), time.monotonic()
topic_map = run_pipeline(texts, [str(i) for i in range(len(texts))], PipelineParams(), embeddings=embeddings,
                         progress=progress)
pipeline_s = time.perf_counter() - called
marks["called"], marks["returned"] = [called_at, called_at], [time.monotonic(), time.monotonic()]
documents = topic_map.documents
digest = hashlib.sha256()
for column in (documents.topic, documents.outlier, documents.x, documents.y):
    digest.update(np.asarray(column).tobytes())
print(json.dumps({"wall_s": time.perf_counter() - start, "pipeline_s": pipeline_s, "stages": topic_map.meta.timings_s,
                  "cores": available_cores(), "topics": topic_map.meta.quality.n_topics,
                  "digest": digest.hexdigest()[:16], "marks": marks}))
"""
"""The pipeline on given texts and embeddings in a new process; prints its timings and a digest of
the map (every document's topic, outlier flag and coordinates) as one JSON line. A third argument
``warm`` first runs both paths on 300 of the documents, as a worker warms up before its first job."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    from topicmap.pipeline.embed import Embedder
    from topicmap.pipeline.encoders import load_encoder

    texts, _, _ = load_sample(args.data, args.size)
    embeddings = Embedder(encoder=load_encoder("all-MiniLM-L6-v2")).fit(texts).embeddings_
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "texts.json").write_text(json.dumps(texts))
        np.save(folder / "embeddings.npy", embeddings)
        env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba")}
        for _ in range(2):
            started = time.perf_counter()
            command = [sys.executable, "-W", "ignore", "-c", CHILD, str(folder / "texts.json")]
            command.append(str(folder / "embeddings.npy"))
            output = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd=ROOT).stdout
            result = json.loads(output.strip().splitlines()[-1])
            result["process_s"] = time.perf_counter() - started
            runs.append(result)
    lines = [
        f"{args.size:,} Debian descriptions, embeddings given (no model); each run a new process; {machine()}.",
        "",
        "| run | process wall time | reduce | cluster | layout | after embedding, in all |",
        "|---|---|---|---|---|---|",
    ]
    for name, run in zip(("first (compiles, fills the cache)", "second (loads the cache)"), runs, strict=True):
        stages = run["stages"]
        lines.append(
            f"| {name} | {run['process_s']:.1f} s | {stages['reduce']:.1f} s | {stages['cluster']:.1f} s | "
            f"{stages['layout']:.1f} s | {stages['total']:.1f} s |"
        )
    write_report(args.out, "\n".join(lines), key=f"jit-{args.size}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
