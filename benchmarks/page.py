"""The page with big maps, in headless Chromium through nginx: ``python -m benchmarks.page``.

For each size, stores one finished job (a real corpus, a synthetic map with about one topic per
250 documents: serving and drawing do not depend on how the map was made), opens the page as a
person does (key, then the job in "My jobs") and measures: bytes received from opening the job
until the map is interactive, the time until then (the map drawn and the topic list shown), the
JS heap after a garbage collection, and frame times while panning; then the time of the first
(rendering) request of the CSV export and of the map with texts, and the API process's peak RSS.
Writes the ``page`` block of docs/benchmarks.md; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.compare import machine, write_report
from benchmarks.stack import Stack, serving
from tests.integration.synthetic import store_finished_job

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
READY = """() => !document.getElementById('result').hidden
  && document.querySelector('#plot .main-svg') !== null
  && document.querySelectorAll('#topics li').length > 0"""
FRAMES = """() => { window.__frames = []; const tick = (t) => { window.__frames.push(t);
  if (window.__frames.length < 100000) requestAnimationFrame(tick); }; requestAnimationFrame(tick); }"""
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@dataclass
class PageRun:
    documents: int
    topics: int
    bytes_received: int
    interactive_s: float
    heap_mb: float
    frame_median_ms: float
    frame_p95_ms: float
    export_s: float
    export_mb: float
    texts_s: float
    api_peak_mb: float


def topics_for(n: int) -> int:
    return min(max(n // 250, 30), 4000)


def measure(stack: Stack, n: int, browser: Any, shots: Path | None = None) -> PageRun:
    n_topics = topics_for(n)
    job_id = store_finished_job(stack.store, stack.owner, n, n_topics)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received: list[int] = []
    cdp.on("Network.loadingFinished", lambda event: received.append(int(event["encodedDataLength"])))
    page.goto(f"{stack.base}/")
    page.fill("#api-key", stack.key)
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#jobs li button")
    page.wait_for_load_state("networkidle")
    received.clear()
    started = time.perf_counter()
    page.click("#jobs li button")
    page.wait_for_function(READY, timeout=300_000, polling=50)
    page.evaluate(NEXT_FRAME)
    interactive = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    bytes_received = sum(received)
    cdp.send("HeapProfiler.collectGarbage")
    usage = cdp.send("Runtime.getHeapUsage")
    heap = (usage["usedSize"] + usage.get("backingStorageSize", 0)) / 1e6  # objects + array buffers
    if shots is not None:
        page.screenshot(path=str(shots / f"page-{n}.png"))
    box = page.locator("#plot .nsewdrag").first.bounding_box()
    assert box is not None
    page.evaluate(FRAMES)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(60):
        page.mouse.move(x + 3 * (step % 30) - 45, y + 2 * (step % 20) - 20)
        page.wait_for_timeout(16)
    page.mouse.up()
    frames = page.evaluate("window.__frames")
    if shots is not None:  # a topic chosen in the list: its points stay, the others dim
        page.click("#topics .topic >> nth=0")
        page.wait_for_selector("#docs-caption:has-text('Topic:')")
        page.wait_for_timeout(1000)
        page.screenshot(path=str(shots / f"page-{n}-topic.png"))
    gaps = [later - earlier for earlier, later in itertools.pairwise(frames)]
    context.close()
    export_s, export_mb = download(f"{stack.base}/api/jobs/{job_id}/export.csv", stack.key)
    texts_s, _ = download(f"{stack.base}/api/jobs/{job_id}/map?include=text", stack.key)
    stack.store.purge(stack.store.get(job_id))  # type: ignore[arg-type]
    return PageRun(
        documents=n,
        topics=n_topics,
        bytes_received=bytes_received,
        interactive_s=interactive,
        heap_mb=heap,
        frame_median_ms=statistics.median(gaps),
        frame_p95_ms=statistics.quantiles(gaps, n=20)[-1],
        export_s=export_s,
        export_mb=export_mb,
        texts_s=texts_s,
        api_peak_mb=peak_rss_mb(stack.api_pid),
    )


def download(url: str, key: str) -> tuple[float, float]:
    """Seconds to receive ``url`` (its first request renders and stores it) and megabytes on the wire."""
    started = time.perf_counter()
    size = 0
    headers = {"X-API-Key": key, "Accept-Encoding": "gzip"}
    with httpx.stream("GET", url, headers=headers, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            size += len(chunk)
    return time.perf_counter() - started, size / 1e6


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--shots", type=Path, help="save a screenshot of each map here")
    args = parser.parse_args()
    runs = []
    limits = {"TOPICMAP_MAX_DOCUMENTS": str(max(args.sizes))}
    with serving(1, **limits) as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--enable-unsafe-swiftshader"])
        for n in args.sizes:
            runs.append(measure(stack, n, browser, args.shots))
            print(runs[-1], flush=True)
        browser.close()
    report(args.out, runs)


def report(out: Path, runs: list[PageRun]) -> None:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; headless Chromium (software WebGL, no GPU), "
        "one uvicorn process behind nginx, redis-server, all on this machine. From the click on the job "
        "(its map already made) until the map is drawn and the topic list shown.",
        "",
        "| documents | topics | bytes received | interactive | JS heap (objects + array buffers) "
        "| frame while panning: median | p95 | export.csv (first request) | map with texts (first) "
        "| API peak RSS so far |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.documents:,} | {r.topics:,} | {r.bytes_received / 1e6:.1f} MB | {r.interactive_s:.1f} s | "
            f"{r.heap_mb:.0f} MB | {r.frame_median_ms:.0f} ms | {r.frame_p95_ms:.0f} ms | "
            f"{r.export_s:.1f} s, {r.export_mb:.0f} MB gzip | {r.texts_s:.1f} s | {r.api_peak_mb:,.0f} MB |"
        )
    write_report(out, "\n".join(lines), key="page")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
