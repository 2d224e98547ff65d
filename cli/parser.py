"""The command line's arguments: ``topicmap fit|edit|assign|search|axes|bundle|warmup|users|backup|restore|library``."""

from __future__ import annotations

import argparse
from pathlib import Path

from topicmap.axes import PRESETS
from topicmap.corpus import SUPPORTED_SUFFIXES
from topicmap.schemas import DEFAULT_MODEL

OPTION_OF_FIELD = {
    "n_topics": "--topics",
    "n_neighbors": "--neighbors",
    "keep_outliers": "--keep-outliers",
    "seed_topics": "--seed-topics",
    "languages": "--language",
}


DESCRIPTION = """\
Build a topic map from a corpus: topics with labels, key terms, sizes and representative
documents, and a 2-D position for every document."""


FIT_EPILOG = f"""\
input formats ({", ".join(SUPPORTED_SUFFIXES)}):
  .csv/.tsv   a header row (or --no-header); the text column is --text-column, else one named
              text/content/document/body, else the only column holding text,
              or of several the one of much longer texts (description, not title)
  .json       a list of strings, or of objects (text picked as for CSV)
  .jsonl      one string or object per line
  .txt        one document per line
  Documents with no text (empty, N/A, NULL, nan) are left out and counted; an "id" column
  (or --id-column) names documents; other columns are kept as metadata in documents.csv.
  Files are read as UTF-8 (or UTF-16 with its byte-order mark); --encoding names another.

outputs (in --out):
  map.json        the topic map (topics, terms, sizes, representative documents, positions, quality)
  map.html        the interactive map; opens offline in any browser
  documents.csv   id, topic, label, x, y, outlier, text and the metadata columns
  topics.csv      topic, label, size, percent, themes, terms, representative texts
  manifest.json, versions.json, corpus.json, terms.bin, doc-terms.bin, embeddings.npy
                  the map's bundle, unpacked: what `topicmap edit` regroups and re-clusters from
                  (the exact corpus, term counts per topic, terms per document, float16
                  embeddings); `topicmap bundle OUT_DIR -o map.topicmap` packs it into one file

The model runs offline: {DEFAULT_MODEL} ships with topicmap; --model also takes a local
sentence-transformers model directory. The same input, parameters and seed give the same map."""


MAP_HELP = "a folder written by topicmap fit, or a .topicmap bundle (from fit --bundle, topicmap bundle or the service)"


def add_input_options(command: argparse.ArgumentParser) -> None:
    """INPUT and how to read it: the options of the commands that read a corpus file (fit, assign)."""
    command.add_argument("input", type=Path, metavar="INPUT", help="corpus file: " + ", ".join(SUPPORTED_SUFFIXES))
    command.add_argument("--text-column", metavar="C", help="column (or JSON field) holding the text")
    command.add_argument("--id-column", metavar="C", help="column (or JSON field) holding document ids")
    command.add_argument(
        "--encoding",
        metavar="E",
        help="the file's text encoding when not UTF-8: cp1252 (Excel's plain CSV on Windows), latin-1, shift_jis…",
    )
    command.add_argument(
        "--no-header",
        action="store_true",
        help="the .csv/.tsv file has no header line: its first line is a document; columns are 'column 1', 'column 2'…",
    )


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
    add_input_options(fit)
    fit.add_argument(
        "--name", metavar="NAME", help="what the map is called in its pages and bundle (default: the file's name)"
    )
    fit.add_argument(
        "--out", type=Path, default=Path("topicmap-out"), metavar="DIR", help="output folder (default: %(default)s)"
    )
    fit.add_argument(
        "--min-topic-size", type=int, metavar="N", help="smallest topic, in documents (default: automatic, 10 or more)"
    )
    fit.add_argument(
        "--topics",
        "--n-topics",  # the API's name
        type=int,
        dest="topics",
        metavar="N",
        help="merge similar topics until at most N remain (default: automatic)",
    )
    fit.add_argument("--seed", type=int, default=42, metavar="S", help="random seed (default: %(default)s)")
    fit.add_argument("--class-column", metavar="C", help="a column of classes (team, product): topics per class")
    fit.add_argument(
        "--time-column",
        metavar="C",
        help="a column of dates (ISO 8601, 1/15/2024, March 2024, 2024-Q1, years, Unix seconds): topics over time",
    )
    fit.add_argument(
        "--time-bins",
        choices=["auto", "day", "week", "month", "quarter", "year"],
        default="auto",
        help="width of the time bins (default: %(default)s: 8 to 60 bins, ~50 documents each where possible)",
    )
    fit.add_argument("--model", default=DEFAULT_MODEL, metavar="PATH", help="embedding model (default: %(default)s)")
    fit.add_argument(
        "--neighbors",
        "--n-neighbors",  # the API's name
        dest="neighbors",
        type=int,
        default=15,
        metavar="N",
        help="UMAP neighbours: larger gives broader topics (default: %(default)s)",
    )
    fit.add_argument("--keep-outliers", action="store_true", help="keep documents that fit no topic as topic -1")
    fit.add_argument(
        "--language",
        action="append",
        dest="languages",
        metavar="L",
        help="the texts' language (fr, de, French...): its stop words are left out of the terms, with English's; "
        "repeat for several (default: told from the texts)",
    )
    fit.add_argument(
        "--one-per-duplicate-group",
        action="store_true",
        help="cluster one representative per near-duplicate group (templates, re-posts); the others get its topic",
    )
    fit.add_argument(
        "--seed-topics",
        type=Path,
        metavar="FILE",
        help='topics you already know: a JSON list of {"label": ..., "description": ...}; documents close '
        'enough to one form it, under its label (docs/pipeline.md, "Seeded topics")',
    )
    fit.add_argument(
        "--bundle",
        type=Path,
        metavar="FILE",
        help="also pack the map into one file (FILE.topicmap) that the service imports and every command opens",
    )
    fit.add_argument("--quiet", action="store_true", help="no progress bars and no summary of the largest topics")
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
        "documents.csv and topics.csv of the new version. --revert applies first, then the merges, --reduce, the "
        "moves, the splits, then the renames (topic numbers are those of the version edited).",
    )
    edit.add_argument("folder", type=Path, metavar="MAP", help=MAP_HELP)
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
        "--tag", action="append", default=[], metavar="TAG=ID1,ID2", help="mark documents (by id) with a tag"
    )
    edit.add_argument(
        "--untag", action="append", default=[], metavar="TAG=ID1,ID2", help="take a tag off documents (by id)"
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
    assign.add_argument("folder", type=Path, metavar="MAP", help=MAP_HELP)
    add_input_options(assign)
    assign.add_argument("--out", type=Path, metavar="FILE", help="where to write (default: OUT_DIR/assignments.csv)")
    search = commands.add_parser(
        "search",
        help="the documents and topics of a fitted map closest in meaning to a query",
        description="Search the map in OUT_DIR (its latest version) by meaning: the documents and the "
        "topics whose embeddings are most similar to QUERY's (cosine), best first.",
    )
    search.add_argument("folder", type=Path, metavar="MAP", help=MAP_HELP)
    search.add_argument("query", metavar="QUERY", help="what to look for, in words")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="documents to show (default: 10)")
    axes = commands.add_parser(
        "axes",
        help="place a fitted map's documents and topics between two poles written in words",
        description="Semantic axes for the map in OUT_DIR (its latest version): each document's coordinate "
        "is its cosine similarity to the second pole minus that to the first, with the map's model. Writes "
        "axes.html and axes.csv in OUT_DIR and prints the topics from one end to the other.",
    )
    axes.add_argument("folder", type=Path, metavar="MAP", help=MAP_HELP)
    poles_help = "two poles, comma-separated (problem,praise), or a preset: " + ", ".join(PRESETS)
    axes.add_argument("--x", required=True, metavar="NEG,POS", help="the horizontal axis: " + poles_help)
    axes.add_argument("--y", metavar="NEG,POS", help="a vertical axis (optional): " + poles_help)
    bundle = commands.add_parser(
        "bundle",
        help="pack a map folder into one .topicmap file (the service imports it: POST /api/maps/import)",
        description="Pack the map in OUT_DIR (every version, its history, the exact corpus, embeddings, term "
        "tables, tags) into a bundle: one zip file that every topicmap command opens and a topicmap service "
        "imports. The folder is checked first (every file against its digest in manifest.json).",
    )
    bundle.add_argument("folder", type=Path, metavar="OUT_DIR", help="a folder written by topicmap fit")
    bundle.add_argument("-o", "--out", type=Path, metavar="FILE", help="the bundle (default: OUT_DIR.topicmap)")
    backup = commands.add_parser(
        "backup",
        help="save the service's records (people, keys, shares, library) and its map archive, while it runs",
        description="Write a backup into a new folder: every record in Redis (people, keys, shares, the "
        "library's index) taken at one moment, then every kept map's bundle in the map archive "
        "(TOPICMAP_ARCHIVE_DIR or the S3 bucket). docs/operations.md, 'Backup and restore'.",
    )
    backup.add_argument("folder", type=Path, metavar="DIR", help="a new (or empty) folder")
    restore = commands.add_parser(
        "restore",
        help="put a backup back: records into Redis, bundles into the map archive, the library rebuilt",
        description="Restore a backup written by topicmap backup: its records replace those of the same "
        "name in Redis, its bundles go into the map archive, and the library's index is rebuilt from the "
        "archive. Kept maps open again (their working copies come back from the archive when opened).",
    )
    restore.add_argument("folder", type=Path, metavar="DIR", help="a folder written by topicmap backup")
    library = commands.add_parser(
        "library",
        help="rebuild the library's index from the map archive alone",
        description="Make the library's index (which maps are kept, by whom, named how) again from the "
        "bundles in the map archive, e.g. after Redis lost its data.",
    )
    library.add_argument("action", choices=["rebuild"])
    for operation in (backup, restore, library):
        operation.add_argument(
            "--redis-url", metavar="URL", help="default: TOPICMAP_REDIS_URL, else redis://127.0.0.1:6379/0"
        )
    warmup = commands.add_parser(
        "warmup",
        help="compile the pipeline's numba code and prepare the model, once per install",
        description="Run a tiny corpus through every path of the pipeline, so numba's compiled code and the "
        "model's ONNX file land in the cache (TOPICMAP_CACHE_DIR, default ~/.cache/topicmap): the first real "
        "run in any later process compiles nothing. make install and the worker image run it.",
    )
    warmup.add_argument("--model", default=DEFAULT_MODEL, help=f"the model to prepare (default: {DEFAULT_MODEL})")
    people = commands.add_parser(
        "users",
        help="add, list or revoke the service's users and their keys (in Redis, on the server)",
        description="Manage who may use the service, straight in its Redis (TOPICMAP_REDIS_URL, or --redis-url): "
        "'add NAME --role admin|member' prints the new user's key once; 'list' shows users and key ids; "
        "'revoke NAME' removes a user and their keys; 'revoke --key ID' revokes one key.",
    )
    people.add_argument("action", choices=["add", "list", "revoke"])
    people.add_argument("name", nargs="?", metavar="NAME", help="the user")
    people.add_argument("--role", choices=["admin", "member"], default="member", help="for add (default: member)")
    people.add_argument("--key", metavar="ID", help="for revoke: one key, by its id")
    people.add_argument("--redis-url", metavar="URL", help="default: TOPICMAP_REDIS_URL, else redis://127.0.0.1:6379/0")
    return parser
