"""``topicmap search``: the documents and topics of a folder's map closest to a query."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.folder import latest_map, map_texts
from cli.messages import fail


def search(args: argparse.Namespace) -> int:
    """Print the documents and topics of the map in ``args.folder`` closest to ``args.query``."""
    from topicmap.vectors import nearest, topic_centroids

    folder: Path = args.folder
    if not args.query.strip() or len(args.query) > 1000:
        return fail("the query must have 1 to 1,000 characters")
    if not (folder / "embeddings.npy").is_file():
        return fail(f"{folder}: no embeddings.npy here; make the folder with topicmap fit")
    _, topic_map = latest_map(folder)
    from topicmap.pipeline.encoders import load_encoder
    from topicmap.vectors import load_array

    vectors = load_array((folder / "embeddings.npy").read_bytes())
    query = load_encoder(topic_map.meta.params.model).encode([args.query])[0]
    texts, _ = map_texts(folder, topic_map)
    labels = {t.id: t.label for t in topic_map.topics}
    ids, centroids = topic_centroids(vectors, topic_map.documents.topic)
    rows, scores = nearest(centroids, query, 3)
    print("topics: " + "; ".join(f"{labels[ids[r]]} ({s:.2f})" for r, s in zip(rows, scores, strict=True)))
    rows, scores = nearest(vectors, query, max(1, args.limit))
    docs = topic_map.documents
    for row, score in zip(rows, scores, strict=True):
        text = " ".join(texts[row].split()) if row < len(texts) else ""
        print(f"{score:.3f}\t{docs.id[row]}\t{labels.get(docs.topic[row], '')}\t{text[:160]}")
    return 0
