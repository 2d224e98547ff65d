"""``topicmap edit``: the next version of a folder's map (rename, merge, reduce, move, split, tag, revert)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from cli.folder import FolderVersions, map_texts, write_renderings
from cli.messages import fail
from topicmap.bundle import MANIFEST, read_folder, write_folder
from topicmap.schemas import TopicMap
from topicmap.views import attach_views

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import scipy.sparse as sp


def edit(args: argparse.Namespace) -> int:
    """Apply the options' operations to the latest version in ``args.folder``; write the next one."""
    import getpass

    from topicmap.edits.commit import commit_version
    from topicmap.edits.operations import EditRequest, apply_edits
    from topicmap.terms import TermTable, presence_from_bytes
    from topicmap.vectors import load_array

    folder: Path = args.folder
    if not (folder / "map.json").is_file():
        return fail(f"{folder}: no map.json here; make one with: topicmap fit INPUT --out {folder}")
    content = read_folder(folder) if (folder / MANIFEST).is_file() else None  # checked before any change
    versions = FolderVersions(folder)

    def terms_of(version: int) -> TermTable | None:
        blob = versions.read_terms(version)
        return TermTable.from_bytes(blob) if blob is not None else None

    def presence_of(_corpus: str | None) -> sp.csr_matrix | None:  # a folder holds one corpus
        path = folder / "doc-terms.bin"
        return presence_from_bytes(path.read_bytes()) if path.is_file() else None

    def embeddings_of(_topic_map: TopicMap) -> npt.NDArray[np.float32] | None:
        path = folder / "embeddings.npy"
        return load_array(path.read_bytes()) if path.is_file() else None

    operations = operations_of(args)
    if isinstance(operations, str):
        return fail(operations)
    if not operations:
        return fail(
            "nothing to do: give --merge, --reduce, --move, --split, --rename, --rename-node, --tag, --untag "
            "or --revert"
        )
    latest = versions.latest
    try:
        request = EditRequest.model_validate({"operations": operations})
        result = apply_edits(
            versions.load(latest),
            request.operations,
            versions.load,
            latest_number=latest,
            load_terms=terms_of,
            load_presence=presence_of,
            load_embeddings=embeddings_of,
        )
    except ValidationError as exc:
        return fail(f"invalid edit: {exc.errors()[0]['msg']}")
    edited = result.topic_map
    texts, metadata = map_texts(folder, edited)  # the exact corpus (a revert may go to other documents)
    attach_views(edited, metadata, edited.meta.params)  # documents may have changed topics
    entry = commit_version(versions, result, latest=latest, author=getpass.getuser(), operations=operations)
    if content is not None:  # the bundle's files stay whole: the new version, its terms, the manifest
        content.maps[entry.number] = edited
        content.history = list(versions.history)
        terms = versions.read_terms(entry.number)
        if terms is not None:
            content.terms[entry.number] = terms
        write_folder(content, folder)
    name = content.name if content is not None and content.name else folder.name  # the corpus file's, as fit's
    write_renderings(folder, edited, texts, metadata, title=f"{name}, version {entry.number}")
    print(f"topicmap: version {entry.number} written ({len(operations)} operation(s))", file=sys.stderr)
    print(getattr(args, "shown_as", None) or versions.path_of(entry.number))
    return 0


def operations_of(args: argparse.Namespace) -> list[dict[str, object]] | str:
    """The edit's operations, in the order they apply, from the options; or what is wrong with one."""
    operations: list[dict[str, object]] = []
    if args.revert is not None:
        operations.append({"op": "revert", "version": args.revert})
    for value in args.merge:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) < 2 or not all(part.lstrip("-").isdigit() for part in parts):
            return f"--merge wants two or more topic numbers separated by commas, got {value!r}"
        operations.append({"op": "merge", "topics": [int(part) for part in parts]})
    if args.reduce is not None:
        operations.append({"op": "reduce", "n_topics": args.reduce})
    for value in args.move:
        target, sep, ids = value.partition("=")
        documents = [d.strip() for d in ids.split(",") if d.strip()]
        if not sep or not target.strip().isdigit() or not documents:
            return f"--move wants TOPIC=ID1,ID2,…, got {value!r}"
        operations.append({"op": "move", "topic": int(target), "documents": documents})
    for option, op, values in (("--tag", "tag", args.tag), ("--untag", "untag", args.untag)):
        for value in values:
            tag, sep, ids = value.partition("=")
            documents = [d.strip() for d in ids.split(",") if d.strip()]
            if not sep or not tag.strip() or not documents:
                return f"{option} wants TAG=ID1,ID2,…, got {value!r}"
            operations.append({"op": op, "tag": tag.strip(), "ids": documents})
    for value in args.split:
        target, sep, k = value.partition("=")
        if not target.strip().isdigit() or (sep and not k.strip().isdigit()):
            return f"--split wants TOPIC or TOPIC=K, got {value!r}"
        operations.append({"op": "split", "topic": int(target), "k": int(k) if sep else 2})
    for option, key, values in (("--rename", "topic", args.rename), ("--rename-node", "node", args.rename_node)):
        for value in values:
            target, sep, label = value.partition("=")
            if not sep or not target.strip() or not label.strip():
                return f'{option} wants {key.upper()}="LABEL", got {value!r}'
            if key == "topic" and not target.strip().lstrip("-").isdigit():
                return f"{option}: {target!r} is not a topic number"
            operations.append({"op": "rename", key: int(target) if key == "topic" else target.strip(), "label": label})
    return operations
