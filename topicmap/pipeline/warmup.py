"""Compile the pipeline's numba code (UMAP, pynndescent, EVoC, HDBSCAN: the small- and the
large-corpus paths) into the JIT cache, and load the model (building its ONNX file once).

Run at install (``make install``, the worker image: ``topicmap warmup``) so that the first job in a
fresh process compiles nothing, and by each worker before its first job. Numbers: docs/benchmarks.md
("Cold start").
"""

from __future__ import annotations

import logging
import time

from topicmap.schemas import DEFAULT_MODEL, PipelineParams

logger = logging.getLogger("topicmap")
WORDS = "orbit rocket planet recipe butter flour goal league match bond market stock".split()


def warm_up(model: str = DEFAULT_MODEL) -> float:
    """Run a tiny pipeline end to end; returns the seconds it took (logged)."""
    from topicmap.pipeline.run import run_pipeline

    start = time.perf_counter()
    texts = [" ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(6)) + f" item {i}" for i in range(60)]
    ids = [str(i) for i in range(len(texts))]
    run_pipeline(texts, ids, PipelineParams(model=model))
    run_pipeline(texts, ids, PipelineParams(model=model), large_corpus=len(texts) // 2)  # the large-corpus path's JIT
    seconds = time.perf_counter() - start
    logger.info("pipeline warmed up", extra={"duration": round(seconds, 2)})
    return seconds
