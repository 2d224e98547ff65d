"""Kept maps at 20,000 documents, through nginx: ``python -m benchmarks.kept``.

Stores a finished job (real texts, a synthetic map of 200 topics, term counts from the real
analyser, synthetic embeddings), makes three versions, then times what a person does: keep it
(bundle written to the archive directory), download its bundle, open it after its working copy
expired (every Redis key of the job deleted: the first request restores it from the archive), and
import the bundle as a new map. Median of 3. Writes the ``kept`` block of docs/benchmarks.md;
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.compare import machine, write_report
from benchmarks.stack import serving
from tests.integration.synthetic import store_finished_job

ROOT = Path(__file__).resolve().parents[1]


def timed(call: object) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = call()  # type: ignore[operator]
    return time.perf_counter() - started, response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    timings: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as archive_dir, serving(1, TOPICMAP_ARCHIVE_DIR=archive_dir) as stack:
        job_id = store_finished_job(stack.store, stack.owner, args.documents, n_topics=200, themes=10, with_terms=True)
        base = f"{stack.base}/api/jobs/{job_id}"
        with httpx.Client(headers={"X-API-Key": stack.key}, timeout=300) as client:
            for label in ("One", "Two", "Three"):
                edit = {"operations": [{"op": "rename", "topic": 3, "label": label}]}
                client.post(f"{base}/edits", json=edit).raise_for_status()
            size = 0
            for _ in range(args.repeats):
                seconds, kept = timed(lambda: client.post(f"{base}/keep", json={"name": "Benchmark"}))
                assert kept.status_code == 200, kept.text
                timings.setdefault("keep (bundle of 4 versions written to the archive)", []).append(seconds)
                size = kept.json()["bytes"]
                seconds, bundle = timed(lambda: client.get(f"{base}/bundle"))
                timings.setdefault("download the bundle", []).append(seconds)
                keys = [k for k in stack.store.redis.scan_iter(match=f"tm:*{job_id}*") if not k.startswith(b"tm:kept:")]
                stack.store.redis.delete(*keys)  # the working copy expires
                seconds, opened = timed(lambda: client.get(f"{base}/map"))
                assert opened.status_code == 200, opened.text
                timings.setdefault("open after expiry (restore from the archive + the map)", []).append(seconds)
                seconds, _ = timed(lambda: client.get(f"{base}/map"))
                timings.setdefault("open again (working copy in Redis)", []).append(seconds)
                body = bundle.content
                started = time.perf_counter()
                imported = client.post(
                    f"{stack.base}/api/maps/import", content=body, headers={"Content-Type": "application/zip"}
                )
                seconds = time.perf_counter() - started
                assert imported.status_code == 201, imported.text
                timings.setdefault("import the bundle as a new map", []).append(seconds)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; one uvicorn process behind nginx, redis-server, "
        f"the archive in a local directory; a {args.documents:,}-document map of 200 topics with 4 versions; "
        f"median of {args.repeats}. Bundle: {size / 1024**2:.1f} MiB ({size / args.documents:.0f} bytes per document).",
        "",
        "| step | median | slowest |",
        "|---|---|---|",
    ]
    for name, values in timings.items():
        lines.append(f"| {name} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
    write_report(args.out, "\n".join(lines), key="kept")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
