"""A map folder: what ``topicmap fit`` writes and later commands read: the files of a bundle
(topicmap/bundle.py) unpacked, and renderings of the newest version (map.html, documents.csv)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from topicmap.errors import NotFound, StaleVersion
from topicmap.schemas import MapVersion, TopicMap

FOLDER_FORMAT = 1
"""Version of the layout of folders written before bundles (folder.json); folders are now the files
of a bundle unpacked (manifest.json, topicmap/bundle.py: BUNDLE_FORMAT)."""


def map_texts(folder: Path, topic_map: TopicMap) -> tuple[list[str], list[dict[str, object]]]:
    """The texts and metadata of ``topic_map``'s documents, in its order: from the exact corpus a
    folder holds (corpus.json, or added/{sha}/corpus.json for a version with added documents); a
    folder written before bundles has only documents.csv, an export whose texts may have been altered
    against spreadsheet formulas (a leading quote before -, =, + or @)."""
    import csv

    from topicmap.render.exports import DERIVED_COLUMNS

    corpus_file = folder / "corpus.json"
    if corpus_file.is_file():
        if topic_map.meta.corpus:
            added = folder / "added" / topic_map.meta.corpus / "corpus.json"
            corpus_file = added if added.is_file() else corpus_file
        corpus = json.loads(corpus_file.read_text(encoding="utf-8"))
        return list(corpus["texts"]), list(corpus["metadata"])
    with (folder / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:  # with or without the mark
        rows = list(csv.DictReader(handle))
    print(
        f"topicmap: note: {folder} was written before maps kept their exact corpus; texts come from documents.csv "
        f"(make it again with topicmap fit for exact texts)",
        file=sys.stderr,
    )
    texts = [row.get("text", "") for row in rows]
    return texts, [{k: v for k, v in row.items() if k not in DERIVED_COLUMNS} for row in rows]


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
    """map.html (the map, the coarse themes, the tree), documents.csv and topics.csv of ``topic_map``."""
    from topicmap.render.charts import topics_over_time, topics_per_class
    from topicmap.render.exports import write_documents_csv
    from topicmap.render.figures import document_map, topic_tree
    from topicmap.render.pages import to_standalone_page
    from topicmap.render.topic_table import write_topics_csv

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
    with (out / "topics.csv").open("w", encoding="utf-8", newline="") as handle:
        write_topics_csv(handle, topic_map, texts)


def latest_map(folder: Path) -> tuple[int, TopicMap]:
    """The newest version of the map in a folder written by fit (and edit), with its number."""
    history_file = folder / "versions.json"
    latest = json.loads(history_file.read_text(encoding="utf-8"))[-1]["number"] if history_file.is_file() else 1
    path = folder / ("map.json" if latest == 1 else f"map.v{latest}.json")
    return latest, TopicMap.model_validate_json(path.read_text(encoding="utf-8"))


class FolderVersions:
    """The versions of the map in a folder: ``map.json`` is version 1, ``map.vN.json`` version N,
    ``versions.json`` their history, ``terms[.vN].bin`` their term counts. A
    :class:`topicmap.edits.commit.VersionHistory`, so ``topicmap edit`` commits as the service does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.history_file = folder / "versions.json"
        self.history = (
            [MapVersion.model_validate(v) for v in json.loads(self.history_file.read_text(encoding="utf-8"))]
            if self.history_file.is_file()
            else [MapVersion(number=1, created_at=(folder / "map.json").stat().st_mtime, author="topicmap fit")]
        )

    @property
    def latest(self) -> int:
        return self.history[-1].number

    def path_of(self, version: int) -> Path:
        return self.folder / ("map.json" if version == 1 else f"map.v{version}.json")

    def load(self, version: int) -> TopicMap:
        if not 1 <= version <= self.latest or not self.path_of(version).is_file():
            raise NotFound(f"{self.folder} has no version {version}; its versions are 1 to {self.latest}")
        return TopicMap.model_validate_json(self.path_of(version).read_text(encoding="utf-8"))

    def terms_path(self, version: int) -> Path:
        return self.folder / ("terms.bin" if version == 1 else f"terms.v{version}.bin")

    def read_terms(self, version: int) -> bytes | None:
        path = self.terms_path(version)
        return path.read_bytes() if path.is_file() else None

    def write_terms(self, version: int, data: bytes) -> int:
        self.terms_path(version).write_bytes(data)
        return len(data)

    def write_version(self, expected: int, topic_map: TopicMap, entry: MapVersion) -> int:
        if self.latest != expected:
            raise StaleVersion(self.latest)
        data = topic_map.model_dump_json(indent=1).encode()
        self.path_of(entry.number).write_bytes(data)
        self.history.append(entry)
        history = json.dumps([v.model_dump() for v in self.history], indent=1)
        self.history_file.write_text(history, encoding="utf-8")
        return len(data)
