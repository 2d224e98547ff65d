"""A worker's overhead per job: ``python -m benchmarks.job_overhead``.

A real redis-server, API and warm Celery worker (solo); jobs of 300 Debian descriptions submitted one
after another (each with its own seed, so none reuses another's map; the embeddings come from the
cache after the first, so the pipeline is the stages after embedding). For each: the time from the
submission's answer to the job's ``succeeded`` as a client sees it (polled every 20 ms), against the
pipeline's own total (``meta.timings_s.total``): the difference is what a job costs around the
pipeline (queue, reading the corpus, storing the map and its page rendering, state changes).
Median of 5 after one warm-up job. Writes the ``job-overhead`` block of docs/benchmarks.md; nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.compare import machine, write_report
from tests.integration.servers import Api, Redis, Worker
from tests.integration.synthetic import corpus_rows

ROOT = Path(__file__).resolve().parents[1]


def one_job(client: httpx.Client, texts: list[str], seed: int) -> tuple[float, float]:
    accepted = client.post("/api/jobs", json={"documents": texts, "params": {"seed": seed}})
    accepted.raise_for_status()
    started = time.perf_counter()
    job = accepted.json()["job_id"]
    while (status := client.get(f"/api/jobs/{job}").json())["state"] not in ("succeeded", "failed"):
        time.sleep(0.02)
    wall = time.perf_counter() - started
    assert status["state"] == "succeeded", status
    total = client.get(f"/api/jobs/{job}/map").json()["meta"]["timings_s"]["total"]
    return wall, float(total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts = [text for text, _ in corpus_rows(args.documents)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        redis_server = Redis(folder / "redis")
        redis_server.start()
        api = Api(redis_server.url, folder / "api.log")
        worker = Worker(redis_server.url, folder / "worker.log", "bench-1")
        try:
            api.start()
            worker.start()
            with api.client("alice") as client:
                one_job(client, texts, 1)  # the worker's first job: its caches
                runs = [one_job(client, texts, seed) for seed in range(2, 2 + args.repeats)]
        finally:
            worker.stop()
            api.stop()
            redis_server.stop()
    wall = statistics.median(r[0] for r in runs)
    pipeline = statistics.median(r[1] for r in runs)
    overhead = [r[0] - r[1] for r in runs]
    report = "\n".join(
        [
            f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; redis-server, one API process, one warm "
            f"worker (solo); jobs of {args.documents} Debian descriptions one after another, median of "
            f"{args.repeats}; the same corpus each time, so the embeddings come from the cache.",
            "",
            "| submission answered → succeeded (client) | the pipeline | around it (the job's overhead) |",
            "|---|---|---|",
            f"| {wall:.2f} s | {pipeline:.2f} s | {statistics.median(overhead):.2f} s "
            f"(slowest {max(overhead):.2f} s) |",
        ]
    )
    write_report(args.out, report, key="job-overhead")
    print(report)


if __name__ == "__main__":
    main()
