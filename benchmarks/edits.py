"""Edits of a 20,000-document map through nginx: ``python -m benchmarks.edits``.

Stores a finished job (real texts, a synthetic map of 200 topics, term counts made by the real
analyser from the texts) and times each kind of edit as a person sends it, each making a new
version: rename, merge two topics, reduce to 50 topics, move 200 documents, split the largest topic
in two (synthetic embeddings: a direction per topic plus noise), revert. Median of 7 (each regrouping
edit is followed by a revert, so every one starts from the same map). Writes the ``edits`` block of
docs/benchmarks.md; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import httpx

from benchmarks.compare import machine, write_report
from benchmarks.stack import serving
from tests.integration.synthetic import store_finished_job

ROOT = Path(__file__).resolve().parents[1]
EDITS = {
    "rename a topic": [{"op": "rename", "topic": 3, "label": "A person's label"}],
    "merge two topics": [{"op": "merge", "topics": [5, 9]}],
    "reduce 200 topics to 50": [{"op": "reduce", "n_topics": 50}],
    "move 200 documents": [{"op": "move", "documents": [str(i) for i in range(0, 20_000, 100)], "topic": 1}],
    "split the largest topic in two": [{"op": "split", "topic": 0, "k": 2}],
    "revert to version 1": [{"op": "revert", "version": 1}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    timings: dict[str, list[float]] = {name: [] for name in EDITS}
    with serving(1) as stack:
        job_id = store_finished_job(stack.store, stack.owner, args.documents, n_topics=200, themes=10, with_terms=True)
        url = f"{stack.base}/api/jobs/{job_id}/edits"
        with httpx.Client(headers={"X-API-Key": stack.key}, timeout=120) as client:
            client.post(url, json={"operations": EDITS["rename a topic"]}).raise_for_status()  # warm the caches
            for _ in range(args.repeats):
                for name, operations in EDITS.items():
                    started = time.perf_counter()
                    response = client.post(url, json={"operations": operations})
                    timings[name].append(time.perf_counter() - started)
                    assert response.status_code == 201, response.text
                    if not name.startswith(("rename", "revert")):
                        client.post(url, json={"operations": EDITS["revert to version 1"]}).raise_for_status()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; one uvicorn process behind nginx, "
        f"redis-server; a {args.documents:,}-document map of 200 topics with a 10-theme hierarchy; "
        f"median of {args.repeats}, each edit a new version.",
        "",
        "| edit | median | slowest |",
        "|---|---|---|",
    ]
    for name, values in timings.items():
        lines.append(f"| {name} | {statistics.median(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms |")
    write_report(args.out, "\n".join(lines), key="edits")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
