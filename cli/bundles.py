"""Bundles on the command line: ``topicmap bundle`` packs a folder, and every command that reads a
map opens a ``.topicmap`` file as well as a folder (unpacked to a temporary folder; ``edit`` packs
the new version back into the same file)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from topicmap.bundle import MapContent, read_bundle, read_folder, write_bundle, write_folder

Command = Callable[[argparse.Namespace], int]
MAX_BUNDLE_BYTES = 1 << 36
"""What a bundle opened by a person may inflate to: their own machine's disk is the limit."""
PRODUCED = ("axes.html", "axes.csv")
"""Files a command writes into the map's folder that a person wants beside the bundle."""


def bundle(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    out: Path = args.out or folder.with_name(folder.name + ".topicmap")
    content = read_folder(folder)
    pack(content_folder=folder, target=out, content=content)
    print(f"topicmap: {folder} packed ({len(content.history)} versions, {len(content.maps[1].documents.id)} documents)",
          file=sys.stderr)  # fmt: skip
    print(out)
    return 0


def pack(*, content_folder: Path, target: Path, content: MapContent | None = None) -> None:
    """The folder's map as a bundle at ``target``, written beside and renamed (never half a file)."""
    checked = content if content is not None else read_folder(content_folder)
    partial = target.with_name(f".{target.name}.partial")
    try:
        write_bundle(checked, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def opening_bundles(command: Command, *, write_back: bool = False) -> Command:
    """``command`` on a map folder, or on a bundle given in its place (unpacked to a temporary folder;
    with ``write_back``, the changed map is packed back into the bundle)."""

    def run(args: argparse.Namespace) -> int:
        path: Path = args.folder
        if not path.is_file():
            return command(args)
        content = read_bundle(path, max_bytes=MAX_BUNDLE_BYTES)
        with tempfile.TemporaryDirectory(prefix="topicmap-") as temporary:
            folder = Path(temporary)
            write_folder(content, folder)
            args.folder = folder
            args.shown_as = path  # what the command names in what it prints
            if getattr(args, "out", None) is None and args.command == "assign":
                args.out = path.with_name(f"{path.stem}-assignments.csv")
            code = command(args)
            if code == 0 and write_back:
                pack(content_folder=folder, target=path)
            for name in PRODUCED:
                if (folder / name).is_file():
                    shutil.copyfile(folder / name, path.with_name(f"{path.stem}-{name}"))
                    print(f"topicmap: wrote {path.with_name(f'{path.stem}-{name}')}", file=sys.stderr)
        return code

    return run
