"""``topicmap axes``: a folder's map between two poles written in words (semantic axes)."""

from __future__ import annotations

import argparse
from pathlib import Path

from cli.folder import latest_map
from cli.messages import fail


def axes(args: argparse.Namespace) -> int:
    """Write axes.html (and axes.csv: each document's coordinates) for the map in ``args.folder``,
    and print the topics from one pole to the other."""
    import csv

    import numpy as np

    from topicmap.axes import axis_scores, parse_axis, topic_places
    from topicmap.pipeline.encoders import load_encoder
    from topicmap.render.axes import axes_figure
    from topicmap.render.pages import to_standalone_html
    from topicmap.vectors import load_array

    folder: Path = args.folder
    if not (folder / "embeddings.npy").is_file():
        return fail(f"{folder}: no embeddings.npy here; make the folder with topicmap fit")
    x_axis = parse_axis("--x", [args.x])
    y_axis = parse_axis("--y", [args.y]) if args.y else None
    _, topic_map = latest_map(folder)
    vectors = load_array((folder / "embeddings.npy").read_bytes())
    poles = list(x_axis.poles) + (list(y_axis.poles) if y_axis else [])
    embedded = np.asarray(load_encoder(topic_map.meta.params.model).encode(poles), dtype=np.float32)
    x = axis_scores(vectors, embedded[0], embedded[1])
    y = axis_scores(vectors, embedded[2], embedded[3]) if y_axis else None
    places = topic_places(topic_map.documents.topic, x, y)
    figure = axes_figure(topic_map, x_axis, x, y_axis, y, places)
    (folder / "axes.html").write_text(to_standalone_html(figure, title="topicmap semantic axes"), encoding="utf-8")
    with (folder / "axes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "topic", "x", "y"])
        for row, doc_id in enumerate(topic_map.documents.id):
            ys = "" if y is None else f"{y[row]:.4f}"
            writer.writerow([doc_id, topic_map.documents.topic[row], f"{x[row]:.4f}", ys])
    labels = {t.id: t.label for t in topic_map.topics}
    print(
        f"x: {x_axis.negative} ← → {x_axis.positive}"
        + (f"; y: {y_axis.negative} ↓ ↑ {y_axis.positive}" if y_axis else "")
    )
    for place in sorted(places, key=lambda p: p.x):
        where = f"{place.x:+.3f}" + ("" if place.y is None else f", {place.y:+.3f}")
        print(f"{where}\t{labels.get(place.topic, '')}")
    if getattr(args, "shown_as", None) is None:  # a bundle's: copied beside it (cli/bundles.py)
        print(f"wrote {folder / 'axes.html'} and {folder / 'axes.csv'}")
    return 0
