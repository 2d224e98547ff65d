"""The ``topicmap`` command: build a topic map from a corpus file, no server needed.

    topicmap fit corpus.csv --out maps/corpus
    topicmap edit maps/corpus --rename 3="Networking"
    topicmap assign maps/corpus next-week.csv
    topicmap search maps/corpus "complaints about invoices"

``fit`` writes ``map.json`` (the topic map), ``map.html`` (the interactive map, works offline) and
``documents.csv`` (one row per document). ``edit`` writes the next version beside the first
(``map.v2.json``, …, with ``versions.json``) and renders ``map.html`` and ``documents.csv`` of it.
``assign`` puts new documents into the map's topics (``assignments.csv``): a fitted folder is a
reusable model, described by ``folder.json`` (format version ``FOLDER_FORMAT``).
Problems with the input end the command with exit code 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pydantic import ValidationError

from topicmap.corpus import SUPPORTED_SUFFIXES, CorpusError, read_corpus
from topicmap.schemas import DEFAULT_MODEL, MIN_DOCUMENTS, STAGES, PipelineParams, TopicMap
from topicmap.views import UnknownColumn, attach_views, check_columns

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import scipy.sparse as sp

FOLDER_FORMAT = 1
"""Version of a map folder's layout (folder.json): bumped when a file changes meaning."""
EXIT_USAGE = 2
EXIT_INTERNAL = 1
OPTION_OF_FIELD = {"n_topics": "--topics", "n_neighbors": "--neighbors", "keep_outliers": "--keep-outliers"}

DESCRIPTION = """\
Build a topic map from a corpus: topics with labels, key terms, sizes and representative
documents, and a 2-D position for every document."""

FIT_EPILOG = f"""\
input formats ({", ".join(SUPPORTED_SUFFIXES)}):
  .csv/.tsv   a header row; the text column is --text-column, else one named
              text/content/document/body, else the only column holding text
  .json       a list of strings, or of objects (text picked as for CSV)
  .jsonl      one string or object per line
  .txt        one document per line
  Empty documents are dropped and counted; an "id" column (or --id-column) names documents;
  other columns are kept as metadata in documents.csv. Files must be UTF-8.

outputs (in --out):
  map.json        the topic map (topics, terms, sizes, representative documents, positions, quality)
  map.html        the interactive map; opens offline in any browser
  documents.csv   id, topic, label, x, y, outlier, text and the metadata columns
  terms.bin, doc-terms.bin, embeddings.npy
                  what `topicmap edit` regroups and re-clusters from (term counts per topic,
                  terms per document, float16 embeddings)

The model runs offline: {DEFAULT_MODEL} ships with topicmap; --model also takes a local
sentence-transformers model directory. The same input, parameters and seed give the same map."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="topicmap", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    fit = commands.add_parser(
        "fit",
        help="build a topic map from a corpus file",
        description=DESCRIPTION,
        epilog=FIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument("input", type=Path, metavar="INPUT", help="corpus file: " + ", ".join(SUPPORTED_SUFFIXES))
    fit.add_argument("--text-column", metavar="C", help="column (or JSON field) holding the text")
    fit.add_argument("--id-column", metavar="C", help="column (or JSON field) holding document ids")
    fit.add_argument(
        "--out", type=Path, default=Path("topicmap-out"), metavar="DIR", help="output folder (default: %(default)s)"
    )
    fit.add_argument(
        "--min-topic-size", type=int, metavar="N", help="smallest topic, in documents (default: automatic, 10 or more)"
    )
    fit.add_argument(
        "--topics", type=int, metavar="N", help="merge similar topics until at most N remain (default: automatic)"
    )
    fit.add_argument("--seed", type=int, default=42, metavar="S", help="random seed (default: %(default)s)")
    fit.add_argument("--class-column", metavar="C", help="a column of classes (team, product): topics per class")
    fit.add_argument(
        "--time-column", metavar="C", help="a column of dates (ISO 8601 or Unix seconds): topics over time"
    )
    fit.add_argument(
        "--time-bins",
        choices=["auto", "day", "week", "month", "quarter", "year"],
        default="auto",
        help="width of the time bins (default: %(default)s, at most 60 bins)",
    )
    fit.add_argument("--model", default=DEFAULT_MODEL, metavar="PATH", help="embedding model (default: %(default)s)")
    fit.add_argument(
        "--neighbors",
        type=int,
        default=15,
        metavar="N",
        help="UMAP neighbours: larger gives broader topics (default: %(default)s)",
    )
    fit.add_argument("--keep-outliers", action="store_true", help="keep documents that fit no topic as topic -1")
    fit.add_argument("--quiet", action="store_true", help="no progress bars")
    fit.add_argument(
        "--png",
        action="store_true",
        help="also write map.png, a picture of the map (needs Chromium: apt-get install chromium)",
    )

    edit = commands.add_parser(
        "edit",
        help="edit a map folder: the next version beside the first",
        description="Edit the map in a folder written by `topicmap fit`. Writes map.vN.json (the next "
        "version; map.json stays version 1), appends to versions.json, and renders map.html and "
        "documents.csv of the new version. --revert applies first, then the merges, --reduce, the "
        "moves, the splits, then the renames (topic numbers are those of the version edited).",
    )
    edit.add_argument("folder", type=Path, metavar="OUT_DIR", help="a folder written by topicmap fit")
    edit.add_argument(
        "--rename", action="append", default=[], metavar='TOPIC="LABEL"', help="a person's label for a topic"
    )
    edit.add_argument(
        "--rename-node",
        action="append",
        default=[],
        metavar='NODE="LABEL"',
        help="a person's label for a hierarchy node (c0, m3, …)",
    )
    edit.add_argument("--revert", type=int, metavar="K", help="start from version K (undo)")
    edit.add_argument(
        "--merge",
        action="append",
        default=[],
        metavar="T1,T2[,…]",
        help="join topics into one (the largest keeps its id)",
    )
    edit.add_argument("--reduce", type=int, metavar="N", help="merge the most similar topics until at most N remain")
    edit.add_argument(
        "--move", action="append", default=[], metavar="TOPIC=ID1,ID2", help="put documents (by id) into a topic"
    )
    edit.add_argument(
        "--split",
        action="append",
        default=[],
        metavar="TOPIC[=K]",
        help="re-cluster a topic's documents into K topics (default 2)",
    )
    assign = commands.add_parser(
        "assign",
        help="put new documents into a fitted map's topics (the map is not changed)",
        description="Assign the documents of INPUT to the topics of the map in OUT_DIR (its latest "
        "version): for each, its topic, similarity to the topic's centroid, an outlier flag when it is "
        "far from every topic, and a position on the map among its nearest documents. Embeds with the "
        "map's model; writes assignments.csv in OUT_DIR (or --out).",
    )
    assign.add_argument("folder", type=Path, metavar="OUT_DIR", help="a folder written by topicmap fit")
    assign.add_argument("input", type=Path, metavar="INPUT", help="corpus file: " + ", ".join(SUPPORTED_SUFFIXES))
    assign.add_argument("--text-column", metavar="C", help="column (or JSON field) holding the text")
    assign.add_argument("--id-column", metavar="C", help="column (or JSON field) holding document ids")
    assign.add_argument("--out", type=Path, metavar="FILE", help="where to write (default: OUT_DIR/assignments.csv)")
    search = commands.add_parser(
        "search",
        help="the documents and topics of a fitted map closest in meaning to a query",
        description="Search the map in OUT_DIR (its latest version) by meaning: the documents and the "
        "topics whose embeddings are most similar to QUERY's (cosine), best first.",
    )
    search.add_argument("folder", type=Path, metavar="OUT_DIR", help="a folder written by topicmap fit")
    search.add_argument("query", metavar="QUERY", help="what to look for, in words")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="documents to show (default: 10)")
    return parser


class StageProgress:
    """A tqdm bar per stage on a terminal; nothing when output is not a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.stage: str | None = None
        self.bar: object | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            number = STAGES.index(stage) + 1 if stage in STAGES else 0
            self.stage = stage
            self.bar = tqdm(
                total=total,
                desc=f"[{number}/{len(STAGES)}] {stage:<10}",
                file=self.stream,
                unit="doc" if stage == "embed" else "step",
                leave=True,
            )
        assert isinstance(self.bar, tqdm)
        if total != self.bar.total:
            self.bar.reset(total=total)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()  # type: ignore[attr-defined]
            self.bar = None


def fit(args: argparse.Namespace) -> int:
    try:
        params = PipelineParams(
            min_topic_size=args.min_topic_size,
            n_topics=args.topics,
            seed=args.seed,
            model=args.model,
            n_neighbors=args.neighbors,
            keep_outliers=args.keep_outliers,
            class_column=args.class_column,
            time_column=args.time_column,
            time_bins=args.time_bins,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        return fail(f"invalid {OPTION_OF_FIELD.get(field, '--' + field.replace('_', '-'))}: {error['msg']}")
    corpus = read_corpus(
        args.input, text_column=args.text_column, id_column=args.id_column, min_documents=MIN_DOCUMENTS
    )
    if corpus.n_dropped:
        print(f"topicmap: dropped {corpus.n_dropped} empty documents of {corpus.n_received}", file=sys.stderr)
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
    for warning in attach_views(topic_map, corpus.metadata, params):
        print(f"topicmap: warning: {warning}", file=sys.stderr)
    write_outputs(args.out, topic_map, corpus.texts, corpus.metadata, title=args.input.name)
    if terms:  # what `topicmap edit --merge` relabels from, and --move updates
        (args.out / "terms.bin").write_bytes(terms[0].to_bytes())
        if terms[0].presence is not None:
            (args.out / "doc-terms.bin").write_bytes(presence_to_bytes(terms[0].presence))
    if embeddings:  # what `topicmap edit --split` re-clusters and `topicmap assign` compares with
        (args.out / "embeddings.npy").write_bytes(dump_array(embeddings[0]))
    describe_folder(args.out, topic_map)
    if args.png:
        from topicmap.render.figures import document_map
        from topicmap.render.static import StaticImageUnavailable, to_image

        try:
            picture = to_image(document_map(topic_map, title=f"Topic map of {args.input.name}"))
        except StaticImageUnavailable as exc:
            return fail(f"map.png: {exc} (the other files are written)")
        (args.out / "map.png").write_bytes(picture)
    quality = topic_map.meta.quality
    print(
        f"topicmap: {len(corpus)} documents, {quality.n_topics} topics, "
        f"{quality.outlier_share:.0%} outliers assigned, {topic_map.meta.timings_s['total']:.1f} s",
        file=sys.stderr,
    )
    print(args.out / "map.html")
    return 0


def describe_folder(out: Path, topic_map: TopicMap) -> None:
    """folder.json: what the folder holds, so a later topicmap can use it as a model (or refuse)."""
    description = {
        "format": "topicmap map folder",
        "format_version": FOLDER_FORMAT,
        "model": topic_map.meta.params.model,
        "dimensions": topic_map.meta.embedding.dimensions,
        "pipeline_version": topic_map.meta.pipeline_version,
        "files": {
            "map.json": "version 1 of the map (map.vN.json: later versions, versions.json: their history)",
            "embeddings.npy": "float16 embeddings of the documents, in map order (numpy .npy)",
            "terms.bin": "topic x term counts of version 1 (terms.vN.bin: of version N)",
            "doc-terms.bin": "each document's terms (zlib numpy .npz)",
            "documents.csv": "the newest version's documents with their texts and metadata",
            "map.html": "the newest version, interactive",
        },
    }
    (out / "folder.json").write_text(json.dumps(description, indent=1), encoding="utf-8")


def write_outputs(
    out: Path, topic_map: TopicMap, texts: Sequence[str], metadata: Sequence[dict[str, object]], *, title: str
) -> None:
    """map.json (version 1) and its renderings."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "map.json").write_text(topic_map.model_dump_json(indent=1), encoding="utf-8")
    write_renderings(out, topic_map, texts, metadata, title=title)


def write_renderings(
    out: Path, topic_map: TopicMap, texts: Sequence[str], metadata: Sequence[dict[str, object]], *, title: str
) -> None:
    """map.html (the map, the coarse themes, the tree) and documents.csv of ``topic_map``."""
    from topicmap.render.charts import topics_over_time, topics_per_class
    from topicmap.render.exports import write_documents_csv
    from topicmap.render.figures import document_map, to_standalone_page, topic_tree

    figures = [document_map(topic_map, texts, title=f"Topic map of {title}")]
    if topic_map.hierarchy is not None:  # the coarse themes on the map, then the whole tree
        if "coarse" in topic_map.hierarchy.levels:
            figures.append(document_map(topic_map, texts, title=f"Coarse themes of {title}", level="coarse"))
        figures.append(topic_tree(topic_map))
    if topic_map.over_time is not None:
        figures.append(topics_over_time(topic_map))
    if topic_map.per_class is not None:
        figures.append(topics_per_class(topic_map))
    (out / "map.html").write_text(to_standalone_page(figures, title=f"topicmap: {title}"), encoding="utf-8")
    with (out / "documents.csv").open("w", encoding="utf-8", newline="") as handle:
        write_documents_csv(handle, topic_map, texts, metadata)


def edit(args: argparse.Namespace) -> int:
    """Apply --revert and the renames to the latest version in ``args.folder``; write the next one."""
    import csv
    import getpass
    import time

    from topicmap.edits.operations import EditError, EditRequest, apply_edits
    from topicmap.schemas import MapVersion
    from topicmap.terms import TermTable, presence_from_bytes
    from topicmap.vectors import load_array

    folder: Path = args.folder
    if not (folder / "map.json").is_file():
        return fail(f"{folder}: no map.json here; make one with: topicmap fit INPUT --out {folder}")
    history_file = folder / "versions.json"
    history = (
        [MapVersion.model_validate(v) for v in json.loads(history_file.read_text(encoding="utf-8"))]
        if history_file.is_file()
        else [MapVersion(number=1, created_at=(folder / "map.json").stat().st_mtime, author="topicmap fit")]
    )
    latest = history[-1].number

    def path_of(version: int) -> Path:
        return folder / ("map.json" if version == 1 else f"map.v{version}.json")

    def load(version: int) -> TopicMap:
        if not 1 <= version <= latest or not path_of(version).is_file():
            raise EditError(404, f"{folder} has no version {version}; its versions are 1 to {latest}")
        return TopicMap.model_validate_json(path_of(version).read_text(encoding="utf-8"))

    def terms_path(version: int) -> Path:
        return folder / ("terms.bin" if version == 1 else f"terms.v{version}.bin")

    def terms_of(version: int) -> TermTable | None:
        if not terms_path(version).is_file():
            return None
        return TermTable.from_bytes(terms_path(version).read_bytes())

    def presence_of(_corpus: str | None) -> sp.csr_matrix | None:  # a folder holds one corpus
        path = folder / "doc-terms.bin"
        return presence_from_bytes(path.read_bytes()) if path.is_file() else None

    def embeddings_of(_topic_map: TopicMap) -> npt.NDArray[np.float32] | None:
        path = folder / "embeddings.npy"
        return load_array(path.read_bytes()) if path.is_file() else None

    operations: list[dict[str, object]] = []
    if args.revert is not None:
        operations.append({"op": "revert", "version": args.revert})
    for value in args.merge:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) < 2 or not all(part.lstrip("-").isdigit() for part in parts):
            return fail(f"--merge wants two or more topic numbers separated by commas, got {value!r}")
        operations.append({"op": "merge", "topics": [int(part) for part in parts]})
    if args.reduce is not None:
        operations.append({"op": "reduce", "n_topics": args.reduce})
    for value in args.move:
        target, sep, ids = value.partition("=")
        documents = [d.strip() for d in ids.split(",") if d.strip()]
        if not sep or not target.strip().isdigit() or not documents:
            return fail(f"--move wants TOPIC=ID1,ID2,…, got {value!r}")
        operations.append({"op": "move", "topic": int(target), "documents": documents})
    for value in args.split:
        target, sep, k = value.partition("=")
        if not target.strip().isdigit() or (sep and not k.strip().isdigit()):
            return fail(f"--split wants TOPIC or TOPIC=K, got {value!r}")
        operations.append({"op": "split", "topic": int(target), "k": int(k) if sep else 2})
    for option, key, values in (("--rename", "topic", args.rename), ("--rename-node", "node", args.rename_node)):
        for value in values:
            target, sep, label = value.partition("=")
            if not sep or not target.strip() or not label.strip():
                return fail(f'{option} wants {key.upper()}="LABEL", got {value!r}')
            if key == "topic" and not target.strip().lstrip("-").isdigit():
                return fail(f"{option}: {target!r} is not a topic number")
            operations.append({"op": "rename", key: int(target) if key == "topic" else target.strip(), "label": label})
    if not operations:
        return fail("nothing to do: give --merge, --reduce, --move, --split, --rename, --rename-node or --revert")
    try:
        request = EditRequest.model_validate({"operations": operations})
        result = apply_edits(
            load(latest),
            request.operations,
            load,
            latest_number=latest,
            load_terms=terms_of,
            load_presence=presence_of,
            load_embeddings=embeddings_of,
        )
    except ValidationError as exc:
        return fail(f"invalid edit: {exc.errors()[0]['msg']}")
    except EditError as exc:
        return fail(str(exc))
    entry = MapVersion(
        number=latest + 1, created_at=time.time(), author=getpass.getuser(), based_on=latest, operations=operations
    )
    with (folder / "documents.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    from topicmap.render.exports import BASE_COLUMNS

    texts = [row.get("text", "") for row in rows]
    metadata = [{k: v for k, v in row.items() if k not in BASE_COLUMNS} for row in rows]
    edited = result.topic_map
    attach_views(edited, metadata, edited.meta.params)  # documents may have changed topics
    path_of(entry.number).write_text(edited.model_dump_json(indent=1), encoding="utf-8")
    kept = result.terms or (terms_of(result.terms_from) if result.terms_from is not None else None)
    if kept is not None:  # the next merge relabels from the new version's term counts
        terms_path(entry.number).write_bytes(kept.to_bytes())
    history_file.write_text(json.dumps([v.model_dump() for v in [*history, entry]], indent=1), encoding="utf-8")
    write_renderings(folder, edited, texts, metadata, title=f"{folder.name}, version {entry.number}")
    print(f"topicmap: version {entry.number} written ({len(operations)} operation(s))", file=sys.stderr)
    print(path_of(entry.number))
    return 0


def latest_map(folder: Path) -> tuple[int, TopicMap]:
    """The newest version of the map in a folder written by fit (and edit), with its number."""
    history_file = folder / "versions.json"
    latest = json.loads(history_file.read_text(encoding="utf-8"))[-1]["number"] if history_file.is_file() else 1
    path = folder / ("map.json" if latest == 1 else f"map.v{latest}.json")
    return latest, TopicMap.model_validate_json(path.read_text(encoding="utf-8"))


def assign(args: argparse.Namespace) -> int:
    """Assign the documents of ``args.input`` to the latest version of the map in ``args.folder``."""
    import csv

    folder: Path = args.folder
    if not (folder / "map.json").is_file():
        return fail(f"{folder}: no map.json here; make one with: topicmap fit INPUT --out {folder}")
    described = folder / "folder.json"
    version = json.loads(described.read_text(encoding="utf-8")).get("format_version", 0) if described.is_file() else 0
    if version > FOLDER_FORMAT:
        return fail(f"{folder}: folder format {version} is newer than this topicmap reads ({FOLDER_FORMAT}); upgrade")
    if not (folder / "embeddings.npy").is_file():
        return fail(f"{folder}: no embeddings.npy (the folder was made by an earlier topicmap); fit it again")
    corpus = read_corpus(args.input, text_column=args.text_column, id_column=args.id_column, min_documents=1)
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
    columns = list(dict.fromkeys(key for meta in corpus.metadata for key in meta if key not in rows[0]))
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0].keys(), *columns], extrasaction="ignore")
        writer.writeheader()
        for row, meta in zip(rows, corpus.metadata, strict=True):
            writer.writerow({**meta, **row})
    outliers = sum(1 for row in rows if row["outlier"])
    print(
        f"topicmap: {len(rows)} documents assigned to version {latest} of {folder.name}, "
        f"{outliers} far from every topic",
        file=sys.stderr,
    )
    print(out)
    return 0


def search(args: argparse.Namespace) -> int:
    """Print the documents and topics of the map in ``args.folder`` closest to ``args.query``."""
    import csv

    from topicmap.vectors import nearest, topic_centroids

    folder: Path = args.folder
    if not args.query.strip() or len(args.query) > 1000:
        return fail("the query must have 1 to 1,000 characters")
    if not (folder / "embeddings.npy").is_file() or not (folder / "documents.csv").is_file():
        return fail(f"{folder}: no embeddings.npy or documents.csv here; make the folder with topicmap fit")
    _, topic_map = latest_map(folder)
    from topicmap.pipeline.encoders import load_encoder
    from topicmap.vectors import load_array

    vectors = load_array((folder / "embeddings.npy").read_bytes())
    query = load_encoder(topic_map.meta.params.model).encode([args.query])[0]
    with (folder / "documents.csv").open(encoding="utf-8", newline="") as handle:
        texts = [row.get("text", "") for row in csv.DictReader(handle)]
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


def fail(message: str) -> int:
    print(f"topicmap: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    from topicmap.pipeline.encoders import ModelNotFoundError

    args = build_parser().parse_args(argv)
    try:
        commands = {"edit": edit, "assign": assign, "search": search, "fit": fit}
        return commands[args.command](args)
    except (CorpusError, ModelNotFoundError) as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        print("topicmap: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: say so in one line, details on request
        if os.environ.get("TOPICMAP_DEBUG"):
            traceback.print_exc()
        print(
            f"topicmap: internal error: {type(exc).__name__}: {exc} (TOPICMAP_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
