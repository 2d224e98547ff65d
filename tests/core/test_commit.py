"""The one version-commit function (topicmap/edits/commit.py) against an in-memory history, and the
two histories it writes to in production: a map folder's (cli/folder.py; Redis: tests/integration)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.folder import FolderVersions
from tests.api.maps import small_map as map_and_texts
from topicmap.edits.commit import commit_version
from topicmap.edits.operations import Edited
from topicmap.errors import StaleVersion
from topicmap.schemas import MapVersion, TopicMap


def small_map() -> TopicMap:
    return map_and_texts()[0]


class MemoryHistory:
    def __init__(self, latest: int = 1, terms: dict[int, bytes] | None = None) -> None:
        self.versions: dict[int, TopicMap] = {}
        self.entries: list[MapVersion] = []
        self.latest = latest
        self.terms = dict(terms or {})

    def write_version(self, expected: int, topic_map: TopicMap, entry: MapVersion) -> int:
        if expected != self.latest:
            raise StaleVersion(self.latest)
        self.versions[entry.number] = topic_map
        self.entries.append(entry)
        self.latest = entry.number
        return 1

    def read_terms(self, version: int) -> bytes | None:
        return self.terms.get(version)

    def write_terms(self, version: int, data: bytes) -> int:
        self.terms[version] = data
        return len(data)


def test_a_commit_records_who_from_what_and_how() -> None:
    history = MemoryHistory(latest=3)
    operations = [{"op": "rename", "topic": 0, "label": "Networking"}]
    entry = commit_version(history, Edited(small_map()), latest=3, author="ana", operations=operations)
    assert (entry.number, entry.based_on, entry.author, entry.operations) == (4, 3, "ana", operations)
    assert history.latest == 4 and history.entries == [entry] and 4 in history.versions


def test_if_match_on_an_older_version_is_refused_before_anything_is_written() -> None:
    history = MemoryHistory(latest=2)
    with pytest.raises(StaleVersion) as stale:
        commit_version(history, Edited(small_map()), latest=2, author="ana", operations=[], if_match=1)
    assert stale.value.latest == 2 and not history.entries


def test_a_lost_race_is_stale_too() -> None:
    history = MemoryHistory(latest=5)  # another commit made version 5 after this edit read version 4
    with pytest.raises(StaleVersion):
        commit_version(history, Edited(small_map()), latest=4, author="ana", operations=[])
    assert not history.entries


def test_term_counts_come_along_when_nothing_regrouped() -> None:
    history = MemoryHistory(latest=2, terms={1: b"counts of v1"})
    commit_version(history, Edited(small_map(), terms_from=1), latest=2, author="ana", operations=[])
    assert history.terms[3] == b"counts of v1"  # a later merge relabels from them
    commit_version(history, Edited(small_map()), latest=3, author="ana", operations=[])
    assert 4 not in history.terms  # none to keep


def test_a_map_folder_is_a_history(tmp_path: Path) -> None:
    (tmp_path / "map.json").write_text(small_map().model_dump_json(), encoding="utf-8")
    (tmp_path / "terms.bin").write_bytes(b"counts")
    folder = FolderVersions(tmp_path)
    edited = small_map()
    edited.topics[0].label = "Renamed"
    entry = commit_version(folder, Edited(edited, terms_from=1), latest=1, author="ana", operations=[{"op": "x"}])
    assert entry.number == 2 and (tmp_path / "terms.v2.bin").read_bytes() == b"counts"
    assert FolderVersions(tmp_path).load(2).topics[0].label == "Renamed"
    assert [v["number"] for v in json.loads((tmp_path / "versions.json").read_text())] == [1, 2]
    with pytest.raises(StaleVersion):
        commit_version(FolderVersions(tmp_path), Edited(edited), latest=1, author="ana", operations=[])
