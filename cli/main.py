"""The ``topicmap`` command: build a topic map from a corpus file, no server needed.

    topicmap fit corpus.csv --out maps/corpus
    topicmap edit maps/corpus --rename 3="Networking"
    topicmap assign maps/corpus next-week.csv
    topicmap search maps/corpus "complaints about invoices"
    topicmap axes maps/corpus --x problem,praise --y cheap,premium
    topicmap bundle maps/corpus -o corpus.topicmap
    topicmap edit corpus.topicmap --tag refund=17,42
    topicmap warmup
    topicmap users add ana --role admin

``fit`` writes ``map.json`` (the topic map), ``map.html`` (the interactive map, works offline),
``documents.csv`` (one row per document) and ``topics.csv`` (one per topic). ``edit`` writes the next
version beside the first (``map.v2.json``, …, with ``versions.json``) and renders ``map.html`` and the
two CSV files of it.
``assign`` puts new documents into the map's topics (``assignments.csv``): a fitted folder is a
reusable model. A folder holds a bundle's files unpacked (``manifest.json``, format in
topicmap/bundle.py); every command that reads a map also opens a ``.topicmap`` bundle.
Problems with the input end the command with exit code 2 and a one-line message.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from cli.assign import assign
from cli.axes import axes
from cli.bundles import bundle, opening_bundles
from cli.edit import edit
from cli.fit import fit
from cli.messages import EXIT_INTERNAL, fail
from cli.operations import operate
from cli.parser import build_parser
from cli.search import search
from cli.users import users
from cli.warmup import warmup
from topicmap.errors import TopicmapError


def main(argv: Sequence[str] | None = None) -> int:
    from topicmap.pipeline.encoders import ModelNotFoundError

    args = build_parser().parse_args(argv)
    try:
        commands = {
            "edit": opening_bundles(edit, write_back=True),
            "assign": opening_bundles(assign),
            "search": opening_bundles(search),
            "axes": opening_bundles(axes),
            "bundle": bundle,
            "fit": fit,
            "warmup": warmup,
            "users": users,
            "backup": operate,
            "restore": operate,
            "library": operate,
        }
        return commands[args.command](args)
    except (TopicmapError, ModelNotFoundError) as exc:
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
