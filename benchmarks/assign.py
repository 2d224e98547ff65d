"""Fit on one half of a Debian sample, assign the other half: ``python -m benchmarks.assign``.

The quality bar (issue 9): the NMI of the assigned half against the Debian sections is within 0.02 of
the fitted half's, and assigning 1,000 documents takes about as long as embedding them (nothing else
dominates). Writes the ``assign`` block of docs/benchmarks.md; nothing here asserts a number.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.metrics import normalized_mutual_info_score

from benchmarks.compare import machine, versions, write_report
from benchmarks.systems import DEFAULT_DATA, load_sample
from topicmap.assign import MapModel, added_map, assign_documents
from topicmap.pipeline.embed import Embedder
from topicmap.pipeline.encoders import load_encoder
from topicmap.pipeline.label import terms_in
from topicmap.pipeline.run import run_pipeline
from topicmap.schemas import PipelineParams
from topicmap.terms import TermTable

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="documents in all; half fitted, half assigned")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    texts, labels, _ = load_sample(args.data, args.size)
    half = len(texts) // 2
    fit_texts, fit_labels, new_texts, new_labels = texts[:half], labels[:half], texts[half:], labels[half:]
    encoder = load_encoder(PipelineParams().model)
    embedded: list[npt.NDArray[np.float32]] = []
    tables: list[TermTable] = []
    started = time.perf_counter()
    topic_map = run_pipeline(
        fit_texts,
        [str(i) for i in range(half)],
        PipelineParams(),
        encoder=encoder,
        on_embedded=embedded.append,
        on_terms=tables.append,
    )
    fit_s = time.perf_counter() - started

    started = time.perf_counter()
    vectors = Embedder(encoder=encoder).fit(new_texts).embeddings_
    embed_all_s = time.perf_counter() - started
    started = time.perf_counter()
    model = MapModel.of(topic_map, embedded[0])
    model_s = time.perf_counter() - started
    started = time.perf_counter()
    assigned = assign_documents(model, vectors)
    assign_all_s = time.perf_counter() - started

    started = time.perf_counter()  # add=true: the next version with the assigned half in it
    added, _ = added_map(
        topic_map,
        [f"new{i}" for i in range(len(new_texts))],
        assigned,
        tables[0],
        terms_in(new_texts, tables[0].vocabulary),
    )
    add_s = time.perf_counter() - started
    added_nmi = normalized_mutual_info_score(labels, added.documents.topic)

    thousand = new_texts[:1000]
    started = time.perf_counter()
    thousand_vectors = Embedder(encoder=encoder).fit(thousand).embeddings_
    embed_1k_s = time.perf_counter() - started
    started = time.perf_counter()
    assign_documents(MapModel.of(topic_map, embedded[0]), thousand_vectors)
    assign_1k_s = time.perf_counter() - started

    fitted_nmi = normalized_mutual_info_score(fit_labels, topic_map.documents.topic)
    assigned_nmi = normalized_mutual_info_score(new_labels, assigned.topic)
    outliers = sum(assigned.outlier) / len(assigned.outlier)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {versions()}. {args.size:,} Debian descriptions "
        f"(shuffled, seed 42): the first {half:,} fitted ({fit_s:.0f} s, {topic_map.meta.quality.n_topics} topics), "
        f"the other {len(new_texts):,} assigned to that map.",
        "",
        "| measure | fitted half | assigned half |",
        "|---|---|---|",
        f"| NMI against the sections | {fitted_nmi:.3f} | {assigned_nmi:.3f} "
        f"(difference {assigned_nmi - fitted_nmi:+.3f}) |",
        f"| flagged outlier | {topic_map.meta.quality.outlier_share:.1%} (by the clustering) | {outliers:.1%} "
        "(below the 5% quantile of the map's own similarity) |",
        "",
        "| assigning | embedding | the rest (centroids, nearest topic, position) |",
        "|---|---|---|",
        f"| 1,000 documents | {embed_1k_s:.2f} s | {assign_1k_s:.2f} s (+ {model_s:.2f} s to build the centroids) |",
        f"| {len(new_texts):,} documents | {embed_all_s:.1f} s | {assign_all_s:.2f} s |",
        "",
        f"Adding the assigned {len(new_texts):,} to the map as its next version (`add=true`: their terms, "
        f"the topics' counts, terms, labels, sizes and the quality scores; storing it in Redis not counted) "
        f"takes {add_s:.2f} s; the {len(added.documents.id):,}-document version's NMI against the sections "
        f"is {added_nmi:.3f}.",
    ]
    write_report(args.out, "\n".join(lines), key="assign")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
