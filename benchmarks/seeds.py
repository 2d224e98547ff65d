"""Seeded topics on a labelled corpus: ``python -m benchmarks.seeds``.

Seeds written from five Debian section names (a label and a few words each, as a person would).
1. The rule: the documents matched to each seed against the documents of its section (precision,
   recall, F1), for a fixed cosine threshold (the closest seed, similarity at least t) and for the
   robust z rule (similarity at least z robust standard deviations above the median similarity to
   that seed, and at least ``SEED_FLOOR``), with the seed embedded as "label: description" and as the
   label alone.
2. The whole map with the defaults (``SEED_Z``, ``SEED_FLOOR``), seeded and unseeded, on the same
   embeddings: each seeded topic's precision and recall against its section (the topic also takes
   the outliers the clustering assigns to it), and the NMI of the whole map against the sections.
Writes the ``seeds`` block of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from benchmarks.compare import machine, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.pipeline.encoders import load_encoder
from topicmap.pipeline.run import run_pipeline
from topicmap.pipeline.seeds import SEED_FLOOR, SEED_Z, match_seeds, seed_text
from topicmap.schemas import DEFAULT_MODEL, PipelineParams
from topicmap.seed_topics import SeedTopic
from topicmap.vectors import at_stored_precision

ROOT = Path(__file__).resolve().parents[1]
SEEDS = {
    "games": "computer games, puzzles and toys to play",
    "sound": "audio and music: players, editors, codecs and sound servers",
    "fonts": "fonts and typefaces for the screen and printing",
    "haskell": "Haskell libraries and tools",
    "golang": "Go programming language libraries and modules",
}
COSINES = (0.30, 0.40, 0.45, 0.50)
ZS = (2.0, 2.5, 3.0, 3.5, 4.0, 5.0)


def precision_recall(chosen: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    hits = float((chosen & truth).sum())
    return (hits / chosen.sum() if chosen.sum() else 0.0), (hits / truth.sum() if truth.sum() else 0.0)


def cosine_rule(embeddings: np.ndarray, seed_vectors: np.ndarray, threshold: float) -> np.ndarray:
    """The fixed-threshold rule, for comparison: the closest seed when its cosine is at least ``threshold``."""
    similarity = embeddings @ seed_vectors.T
    best = similarity.argmax(axis=1)
    return np.where(similarity[np.arange(len(best)), best] >= threshold, best, -1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, sections, _ = load_sample(DEFAULT_DATA, args.size)
    labels = np.asarray(sections)
    ids = [str(i) for i in range(len(texts))]
    encoder = load_encoder(DEFAULT_MODEL)
    kept: dict[str, Any] = {}
    plain = run_pipeline(texts, ids, PipelineParams(), encoder=encoder, on_embedded=lambda e: kept.update(e=e))
    embeddings = at_stored_precision(kept["e"])
    seeds = [SeedTopic(label=name, description=words) for name, words in SEEDS.items()]

    threshold_rows = []
    for embedded_as, seed_texts in (
        ("label: description", [seed_text(s) for s in seeds]),
        ("label alone", [s.label for s in seeds]),
    ):
        seed_vectors = at_stored_precision(np.asarray(encoder.encode(seed_texts), dtype=np.float32))
        rules = [(f"cosine ≥ {c:.2f}", cosine_rule(embeddings, seed_vectors, c)) for c in COSINES]
        rules += [(f"z ≥ {z:g}", match_seeds(embeddings, seed_vectors, z=z)) for z in ZS]
        for rule, matched in rules:
            scores = [precision_recall(matched == i, labels == name) for i, name in enumerate(SEEDS)]
            p, r = float(np.mean([s[0] for s in scores])), float(np.mean([s[1] for s in scores]))
            f1 = float(np.mean([2 * a * b / (a + b) if a + b else 0.0 for a, b in scores]))
            default = embedded_as.startswith("label:") and rule == f"z ≥ {SEED_Z:g}"
            count = int((matched >= 0).sum())
            threshold_rows.append(
                f"| {embedded_as} | {rule}{' (default)' if default else ''} | {p:.3f} | {r:.3f} | {f1:.3f} | {count} |"
            )

    started = time.perf_counter()
    seeded = run_pipeline(texts, ids, PipelineParams(seed_topics=seeds), embeddings=embeddings, encoder=encoder)
    seeded_s = time.perf_counter() - started
    topic_rows = []
    for name in SEEDS:
        topic = next((t for t in seeded.topics if t.label == name and t.named_by == "person"), None)
        if topic is None:
            topic_rows.append(f"| {name} | — | — | — | (matched no document) |")
            continue
        members = np.asarray(seeded.documents.topic) == topic.id
        p, r = precision_recall(members, labels == name)
        topic_rows.append(
            f"| {name} | {int(members.sum())} | {p:.3f} | {r:.3f} | {', '.join(t.term for t in topic.terms[:4])} |"
        )
    nmi_plain = normalized_mutual_info_score(sections, plain.documents.topic)
    nmi_seeded = normalized_mutual_info_score(sections, seeded.documents.topic)
    report = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {args.size:,} shuffled Debian descriptions (seed 42); "
        "seeds: " + "; ".join(f"“{name}: {words}”" for name, words in SEEDS.items()) + ".",
        "",
        "Documents matched to each seed, against the seed's section, mean over the five seeds:",
        "",
        "| seed embedded as | rule | precision | recall | F1 | documents matched |",
        "|---|---|---|---|---|---|",
        *threshold_rows,
        "",
        f"The whole map with the defaults (z ≥ {SEED_Z:g}, cosine ≥ {SEED_FLOOR:g}), seeded topics (with the "
        f"outliers assigned to them), {seeded_s:.1f} s from the embeddings:",
        "",
        "| seed | documents | precision | recall | top terms |",
        "|---|---|---|---|---|",
        *topic_rows,
        "",
        f"NMI of the whole map against the sections: unseeded {nmi_plain:.3f} "
        f"({plain.meta.quality.n_topics} topics), seeded {nmi_seeded:.3f} ({seeded.meta.quality.n_topics} topics).",
    ]
    write_report(args.out, "\n".join(report), key="seeds")
    print("\n".join(report))


if __name__ == "__main__":
    main()
