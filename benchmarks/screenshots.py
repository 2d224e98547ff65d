"""Screenshots of a real 20,000-document map on the page, zoomed out and in: ``python -m benchmarks.screenshots``.

The map is made by the pipeline from 20,000 Debian sentences (their embeddings from the 100k run's
cache when ``python -m benchmarks.compare --sizes 100000 --short`` has made it, else embedded here
once and cached), stored as a finished job, and opened in headless Chromium through nginx. Writes
docs/img/map-20000.png and docs/img/map-20000-zoomed.png.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from benchmarks.million import base_embeddings
from benchmarks.page import CHROMIUM, READY
from benchmarks.stack import serving
from benchmarks.systems import DEFAULT_DATA, load_sample
from tests.integration.synthetic import store_job

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "topicmap" / "benchmarks"
ZOOM_IN = """() => { const gd = document.getElementById('plot');
  const [x0, x1] = gd._fullLayout.xaxis.range, [y0, y1] = gd._fullLayout.yaxis.range;
  const cx = x0 + (x1 - x0) * 0.4, cy = y0 + (y1 - y0) * 0.55, wx = (x1 - x0) / 6, wy = (y1 - y0) / 6;
  return Plotly.relayout(gd, {'xaxis.range': [cx - wx, cx + wx], 'yaxis.range': [cy - wy, cy + wy]}); }"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    from topicmap.pipeline.run import run_pipeline
    from topicmap.schemas import PipelineParams

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    texts, _, _ = load_sample(DEFAULT_DATA, 100_000, short=True)
    texts = texts[: args.size]
    cached = sorted(CACHE.glob("sentences-100000-*.npy"))
    embeddings = np.load(cached[0], mmap_mode="r")[: args.size] if cached else base_embeddings(texts)
    ids = [f"s{i}" for i in range(args.size)]
    topic_map = run_pipeline(texts, ids, PipelineParams(seed=42), embeddings=np.asarray(embeddings))
    args.out.mkdir(parents=True, exist_ok=True)
    with serving(1) as stack, sync_playwright() as playwright:
        store_job(stack.store, stack.owner, texts, topic_map)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--enable-unsafe-swiftshader"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{stack.base}/")
        page.fill("#api-key", stack.key)
        page.click("#key-form button[type=submit]")
        page.click("#jobs li button")
        page.wait_for_function(READY, timeout=120_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(args.out / f"map-{args.size}.png"))
        page.evaluate(ZOOM_IN)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(args.out / f"map-{args.size}-zoomed.png"))
        browser.close()
    print(args.out / f"map-{args.size}.png", args.out / f"map-{args.size}-zoomed.png")


if __name__ == "__main__":
    main()
