"""``topicmap assign``: new documents put into the topics of a folder's map."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli.folder import FOLDER_FORMAT, latest_map
from cli.messages import fail
from topicmap.bundle import MANIFEST, parse_manifest
from topicmap.corpus import read_corpus


def assign(args: argparse.Namespace) -> int:
    """Assign the documents of ``args.input`` to the latest version of the map in ``args.folder``."""
    import csv

    from topicmap.render.exports import metadata_headers, neutralise

    folder: Path = args.folder
    if not (folder / "map.json").is_file():
        return fail(f"{folder}: no map.json here; make one with: topicmap fit INPUT --out {folder}")
    described = folder / "folder.json"  # folders written before bundles; newer ones have manifest.json
    version = json.loads(described.read_text(encoding="utf-8")).get("format_version", 0) if described.is_file() else 0
    if version > FOLDER_FORMAT:
        return fail(f"{folder}: folder format {version} is newer than this topicmap reads ({FOLDER_FORMAT}); upgrade")
    if (folder / MANIFEST).is_file():
        parse_manifest((folder / MANIFEST).read_bytes())  # a newer format is refused with a clear message
    if not (folder / "embeddings.npy").is_file():
        return fail(f"{folder}: no embeddings.npy (the folder was made by an earlier topicmap); fit it again")
    corpus = read_corpus(
        args.input,
        text_column=args.text_column,
        id_column=args.id_column,
        min_documents=1,
        header=not args.no_header,
        encoding=args.encoding,
    )
    latest, topic_map = latest_map(folder)
    from topicmap.assign import MapModel, assign_documents, assignment_rows
    from topicmap.pipeline.embed import Embedder
    from topicmap.pipeline.encoders import load_encoder, resolve_model_path
    from topicmap.vectors import load_array

    try:
        model = MapModel.of(topic_map, load_array((folder / "embeddings.npy").read_bytes()))
    except ValueError as exc:
        return fail(f"{folder}: {exc}")
    resolve_model_path(topic_map.meta.params.model)
    vectors = Embedder(encoder=load_encoder(topic_map.meta.params.model)).fit(corpus.texts).embeddings_
    rows = assignment_rows(topic_map, corpus.ids, assign_documents(model, vectors), corpus.texts)
    out = args.out or folder / "assignments.csv"
    base = list(rows[0])
    columns = list(dict.fromkeys(key for meta in corpus.metadata for key in meta))
    # As the documents CSV: an uploaded "score" is kept as metadata_score beside the assignment's,
    # formulas are neutralised, and the mark makes Excel read UTF-8 (topicmap/render/exports.py).
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([neutralise(name) for name in (*base, *metadata_headers(columns, base))])
        for row, meta in zip(rows, corpus.metadata, strict=True):
            writer.writerow([neutralise(value) for value in (*row.values(), *(meta.get(c, "") for c in columns))])
    outliers = sum(1 for row in rows if row["outlier"])
    print(
        f"topicmap: {len(rows)} documents assigned to version {latest} of {folder.name}, "
        f"{outliers} far from every topic",
        file=sys.stderr,
    )
    print(out)
    return 0
