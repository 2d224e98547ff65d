"""``topicmap fit``: a topic map of a corpus file, written to a map folder."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from cli.folder import write_outputs
from cli.messages import fail
from cli.parser import OPTION_OF_FIELD
from cli.progress import StageProgress
from topicmap.bundle import Corpus, MapContent, corpus_hash, write_bundle, write_folder
from topicmap.corpus import read_corpus
from topicmap.schemas import MAX_JOB_NAME, MIN_DOCUMENTS, MapVersion, PipelineParams, TopicMap
from topicmap.text_column import TEXT_COLUMN_NAMES
from topicmap.views import UnknownColumn, attach_views, check_columns

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def fit(args: argparse.Namespace) -> int:
    seeds = read_seed_topics(args.seed_topics) if args.seed_topics else []
    if isinstance(seeds, str):
        return fail(seeds)
    try:
        params = PipelineParams(
            seed_topics=seeds,
            min_topic_size=args.min_topic_size,
            n_topics=args.topics,
            seed=args.seed,
            model=args.model,
            n_neighbors=args.neighbors,
            keep_outliers=args.keep_outliers,
            one_per_duplicate_group=args.one_per_duplicate_group,
            class_column=args.class_column,
            time_column=args.time_column,
            time_bins=args.time_bins,
            languages=[code for given in args.languages for code in given.split(",")] if args.languages else None,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        where = ".".join(str(part) for part in error["loc"][1:])
        option = OPTION_OF_FIELD.get(field, "--" + field.replace("_", "-"))
        if where.isdigit() and isinstance(error["input"], str):  # one of a repeated option's values
            return fail(f"invalid {option} {error['input']!r}: {error['msg']}")
        return fail(f"invalid {option}{f' ({where})' if where else ''}: {error['msg']}")
    map_name = " ".join((args.name or "").split()) or args.input.name
    if len(map_name) > MAX_JOB_NAME:
        return fail(f"--name: at most {MAX_JOB_NAME} characters")
    corpus = read_corpus(
        args.input,
        text_column=args.text_column,
        id_column=args.id_column,
        min_documents=MIN_DOCUMENTS,
        header=not args.no_header,
        encoding=args.encoding,
    )
    alone = not any(corpus.metadata)  # one column: with --no-header, "column 1" goes without saying
    named = corpus.text_column and corpus.text_column.lower() not in TEXT_COLUMN_NAMES
    if args.text_column is None and named and not (args.no_header and alone):
        print(f"topicmap: {column_note(str(corpus.text_column), alone=alone)}", file=sys.stderr)
    if corpus.n_dropped:
        left_out = f"{corpus.n_dropped} of {corpus.n_received} documents with no text (empty, N/A, NULL, nan)"
        print(f"topicmap: left out {left_out}", file=sys.stderr)
    try:
        check_columns(params, corpus.metadata)
    except UnknownColumn as exc:
        return fail(f"{args.input}: {exc}")
    # Heavy imports only once the input is known to be good: errors stay instant.
    from topicmap.pipeline.encoders import resolve_model_path
    from topicmap.pipeline.run import run_pipeline
    from topicmap.terms import TermTable, presence_to_bytes
    from topicmap.vectors import dump_array

    resolve_model_path(params.model)
    progress = StageProgress(sys.stderr, enabled=not args.quiet and sys.stderr.isatty())
    terms: list[TermTable] = []
    embeddings: list[npt.NDArray[np.float32]] = []
    try:
        topic_map = run_pipeline(
            corpus.texts,
            corpus.ids,
            params,
            progress=progress,
            on_terms=terms.append,
            on_embedded=embeddings.append,
        )
    finally:
        progress.close()
    attach_views(topic_map, corpus.metadata, params)
    for warning in topic_map.meta.warnings:  # the pipeline's (seed topics, one text) and the views'
        print(f"topicmap: warning: {warning}", file=sys.stderr)
    write_outputs(args.out, topic_map, corpus.texts, corpus.metadata, title=map_name)
    sha = corpus_hash(corpus.texts, corpus.ids)
    content = MapContent(
        maps={1: topic_map},
        history=[MapVersion(number=1, created_at=time.time(), author="topicmap fit")],
        corpus=sha,
        corpora={sha: Corpus(texts=list(corpus.texts), ids=list(corpus.ids), metadata=list(corpus.metadata))},
        embeddings={sha: dump_array(embeddings[0])} if embeddings else {},  # what split and assign compare
        name=map_name,
    )
    if terms:  # what `topicmap edit --merge` relabels from, and --move updates
        content.terms[1] = terms[0].to_bytes()
        if terms[0].presence is not None:
            content.presence[sha] = presence_to_bytes(terms[0].presence)
    write_folder(content, args.out)  # the bundle's files, unpacked
    if args.bundle:
        write_bundle(content, args.bundle)
    if args.png:
        from topicmap.render.figures import document_map
        from topicmap.render.static import StaticImageUnavailable, to_image

        try:
            picture = to_image(document_map(topic_map, title=f"Topic map of {map_name}"))
        except StaticImageUnavailable as exc:
            return fail(f"map.png: {exc} (the other files are written)")
        (args.out / "map.png").write_bytes(picture)
    quality = topic_map.meta.quality
    outliers = "kept apart" if topic_map.meta.params.keep_outliers else "assigned"
    from topicmap.languages import ENGLISH, language_names  # sklearn: loaded with the pipeline, not before

    languages = str(topic_map.meta.resolved.get("languages", ENGLISH)).split(",")
    stop_words = "" if languages == [ENGLISH] else f"{language_names(languages)} stop words, "
    print(
        f"topicmap: {len(corpus)} documents, {quality.n_topics} topic{'' if quality.n_topics == 1 else 's'}, "
        f"{quality.outlier_share:.0%} outliers {outliers}, {stop_words}{topic_map.meta.timings_s['total']:.1f} s",
        file=sys.stderr,
    )
    if not args.quiet:
        print(largest_topics(topic_map, args.out / "topics.csv"), file=sys.stderr)
    print(args.out / "map.html")
    if args.bundle:
        print(args.bundle)
    return 0


def column_note(column: str, *, alone: bool) -> str:
    """Which column the texts were read from; a file of one column whose name reads like a text
    ("Delivery took three weeks") has no header line, and its first text was taken for one."""
    if alone and len(column.split()) >= 4:
        return f"the first line, {column!r}, was read as the column's name: if it is a text, run again with --no-header"
    return f"the texts are column {column!r} (--text-column names another)"


def largest_topics(topic_map: TopicMap, table: Path, most: int = 5) -> str:
    """The map at a glance: its largest topics with their share of the documents, then where the rest are."""
    total = max(len(topic_map.documents.id), 1)
    ranked = sorted((t for t in topic_map.topics if t.id >= 0), key=lambda t: -t.size)
    lines = [f"  {100 * t.size / total:5.1f}%  {t.label} ({t.size})" for t in ranked[:most]]
    rest = f"and {len(ranked) - most} more" if len(ranked) > most else "each with its terms and examples"
    return "\n".join([*lines, f"  {rest}: {table}"])


def read_seed_topics(path: Path) -> list[Any] | str:
    """The seed topics of a JSON file (a list of objects), or what is wrong with it."""
    import json

    try:
        seeds = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"--seed-topics {path}: not a readable JSON file ({exc})"
    if not isinstance(seeds, list):
        return f'--seed-topics {path}: expected a JSON list of {{"label": ..., "description": ...}}'
    return seeds
