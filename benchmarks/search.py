"""Search by meaning and semantic axes on a 20,000-document map, the job worker busy: ``python -m benchmarks.search``.

A real redis-server, the API behind nginx, a job worker and a query worker (queue ``queries``). A
finished 20,000-document job is stored (real texts, a synthetic map and embeddings: the time of a
search does not depend on how the map was made); a second job of 20,000 new texts keeps the job
worker embedding for minutes. Meanwhile: distinct queries (each embedded by the query worker) and
repeated ones (their embedding kept in Redis), semantic axes with new and repeated poles (JSON and
the Plotly figure), timed as a client sees them through nginx; and the
memory of the query worker and of the API process before and after. Writes the ``search`` block of
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
from tests.integration.servers import Worker, wait_for
from tests.integration.synthetic import corpus_rows, store_finished_job

ROOT = Path(__file__).resolve().parents[1]
PACE_S = 0.1
"""A pause before each timed request (not timed): nginx limits heavy reads to 20 per second per key."""
WORDS = ["fonts", "printing", "mail server", "spam filter", "haskell library", "music player", "sound driver",
         "chess game", "puzzle", "typefaces", "email client", "audio codec", "compiler", "strategy game"]  # fmt: skip


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    with serving(1) as stack:
        assert stack.folder is not None
        jobs = Worker(stack.redis_url, stack.folder / "worker.log", "bench-jobs")
        queries = Worker(stack.redis_url, stack.folder / "queries.log", "bench-queries", queries=True)
        jobs.start()
        queries.start()
        try:
            job_id = store_finished_job(
                stack.store, stack.owner, args.documents, n_topics=200, themes=10, with_terms=True
            )
            with httpx.Client(base_url=stack.base, headers={"X-API-Key": stack.key}, timeout=60) as client:
                busy_texts = [f"busy {i}: {text}" for i, (text, _) in enumerate(corpus_rows(args.documents))]
                busy = client.post("/api/jobs", json={"documents": busy_texts}).json()["job_id"]
                wait_for(lambda: client.get(f"/api/jobs/{busy}").json()["state"] == "running", 120, "the long job")
                api_before = rss_mib(stack.api_pid)
                search = f"/api/jobs/{job_id}/search"
                started = time.perf_counter()
                client.get(search, params={"q": "warm up the embeddings"}).raise_for_status()
                first = time.perf_counter() - started
                fresh, repeated = [], []
                for i in range(args.queries):
                    query = f"{WORDS[i % len(WORDS)]} {WORDS[(i * 5 + 3) % len(WORDS)]} {i}"
                    for timings in (fresh, repeated):  # the second time, its embedding is kept
                        time.sleep(PACE_S)
                        started = time.perf_counter()
                        client.get(search, params={"q": query, "limit": 20}).raise_for_status()
                        timings.append(time.perf_counter() - started)
                topics_times = []
                for i in range(10):
                    time.sleep(PACE_S)
                    started = time.perf_counter()
                    client.get(
                        f"/api/jobs/{job_id}/topics/search", params={"q": f"{WORDS[i]} topic {i}"}
                    ).raise_for_status()
                    topics_times.append(time.perf_counter() - started)
                axes_new, axes_repeated, axes_figure = [], [], []
                for i in range(10):
                    poles = {
                        "x": f"{WORDS[i % len(WORDS)]} {i},{WORDS[(i + 4) % len(WORDS)]} {i}",
                        "y": f"{WORDS[(i + 7) % len(WORDS)]} {i},{WORDS[(i + 9) % len(WORDS)]} {i}",
                    }
                    for timings, path, extra in (
                        (axes_new, "axes", {}),  # four poles embedded by the query worker
                        (axes_repeated, "axes", {}),  # the same poles: kept in Redis
                        (axes_figure, "figure", {"kind": "axes"}),
                    ):
                        time.sleep(PACE_S)
                        started = time.perf_counter()
                        client.get(f"/api/jobs/{job_id}/{path}", params={**poles, **extra}).raise_for_status()
                        timings.append(time.perf_counter() - started)
                state = client.get(f"/api/jobs/{busy}").json()
                api_after = rss_mib(stack.api_pid)
                query_rss = rss_mib(queries.process.pid) if queries.process else 0.0
                client.delete(f"/api/jobs/{busy}")
        finally:
            queries.stop()
            jobs.stop()
    assert state["state"] == "running", "the long job ended before the queries did: raise --documents"

    def row(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        return (
            f"| {name} | {len(values)} | {statistics.median(values) * 1000:.0f} ms | {p95 * 1000:.0f} ms | "
            f"{max(values) * 1000:.0f} ms |"
        )

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; one uvicorn process behind nginx, redis-server, a "
        f"job worker embedding a {args.documents:,}-document job the whole time (stage "
        f"{state.get('stage')!r} when the queries ended) and a query worker; a {args.documents:,}-document map.",
        "",
        "| request | n | median | p95 | slowest |",
        "|---|---|---|---|---|",
        row("search, a new query (embedded by the query worker)", fresh),
        row("search, a repeated query (its embedding kept)", repeated),
        row("topics/search, a new query", topics_times),
        row("axes (2 axes), new poles (4 embedded by the query worker)", axes_new),
        row("axes (2 axes), repeated poles (their embeddings kept)", axes_repeated),
        row("figure?kind=axes (Plotly JSON of every document)", axes_figure),
        "",
        f"First search of the map (its {args.documents:,} embeddings read from Redis into the API process): "
        f"{first * 1000:.0f} ms. Memory: the query worker {query_rss:.0f} MiB resident (the int8 model); "
        f"the API process {api_before:.0f} → {api_after:.0f} MiB with the map's embeddings kept "
        f"({args.documents:,} x 384 float32 = {args.documents * 384 * 4 / 2**20:.0f} MiB).",
    ]
    write_report(args.out, "\n".join(lines), key="search")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
