"""The bundle format on its own: a round trip keeps everything, and each kind of damage is refused
with a sentence that says what is wrong (before anything is used)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest

from tests.integration.synthetic import synthetic_embeddings, synthetic_map
from topicmap.bundle import (
    BundleError,
    Corpus,
    MapContent,
    bundle_bytes,
    corpus_hash,
    read_bundle,
    read_folder,
    write_folder,
)
from topicmap.errors import TooLarge
from topicmap.schemas import MapVersion
from topicmap.vectors import dump_array

MAX = 1 << 30


@pytest.fixture
def content() -> MapContent:
    topic_map = synthetic_map(50, n_topics=4)
    ids = topic_map.documents.id
    texts = [f"-text {i} =1+1 @someone" for i in range(50)]
    metadata = [{"score": i * 0.5, "team": "a" if i % 2 else "b"} for i in range(50)]
    sha = corpus_hash(texts, ids)
    second = topic_map.model_copy(deep=True)
    second.topics[0].label = "Renamed"
    return MapContent(
        maps={1: topic_map, 2: second},
        history=[
            MapVersion(number=1, created_at=1.0, author="pipeline"),
            MapVersion(number=2, created_at=2.0, author="ana", based_on=1, operations=[{"op": "rename"}]),
        ],
        corpus=sha,
        corpora={sha: Corpus(texts=texts, ids=ids, metadata=metadata)},
        embeddings={sha: dump_array(synthetic_embeddings(topic_map))},
        terms={1: b"terms of v1"},
    )


def test_round_trip_keeps_everything(content: MapContent, tmp_path: object) -> None:
    content.name = "Support tickets, March"
    back = read_bundle(bundle_bytes(content), max_bytes=MAX)
    assert back.maps == content.maps and back.history == content.history and back.name == content.name
    assert back.corpora == content.corpora and back.embeddings == content.embeddings and back.terms == content.terms
    assert back.corpora[back.corpus].metadata[3]["score"] == 1.5
    folder = tmp_path / "folder"  # type: ignore[operator]
    folder.mkdir()
    write_folder(content, folder)
    assert read_folder(folder).maps == content.maps


def rewritten(data: bytes, name: str, new: bytes | None, *, fix_digest: bool = True) -> bytes:
    """The bundle with ``name`` replaced (or removed), its digest in the manifest updated."""
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(new if name == "manifest.json" and new else source.read("manifest.json"))
    if new is not None and fix_digest and name != "manifest.json":
        manifest["files"][name] = hashlib.sha256(new).hexdigest()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            if item == "manifest.json":
                target.writestr(item, json.dumps(manifest))
            elif item != name:
                target.writestr(item, source.read(item))
        if new is not None and name != "manifest.json":
            target.writestr(name, new)
    return out.getvalue()


def test_damage_is_refused_with_what_is_wrong(content: MapContent) -> None:
    good = bundle_bytes(content)
    corpus = json.loads(zipfile.ZipFile(io.BytesIO(good)).read("corpus.json"))
    swapped = {**corpus, "ids": list(reversed(corpus["ids"]))}
    fewer_rows = dump_array(synthetic_embeddings(content.maps[1])[:-3])
    cases = {
        "does not match the hash": rewritten(good, "corpus.json", json.dumps(swapped).encode()),
        "embeddings.npy holds (47, 384)": rewritten(good, "embeddings.npy", fewer_rows),
        "does not match its digest": rewritten(good, "terms.bin", b"altered", fix_digest=False),
        "the bundle is missing map.v2.json": rewritten(good, "map.v2.json", None),
        "map.json is not valid": rewritten(good, "map.json", b"{}"),
        "different lengths": rewritten(good, "corpus.json", json.dumps({**corpus, "ids": corpus["ids"][:-1]}).encode()),
        "not a readable zip": b"hello",
        "truncated or corrupt": good[: len(good) // 3],
    }
    for expected, data in cases.items():
        with pytest.raises(BundleError) as refused:
            read_bundle(data, max_bytes=MAX)
        assert expected in str(refused.value), (expected, str(refused.value))
    with pytest.raises(TooLarge):
        read_bundle(good, max_bytes=1000)


def test_maps_must_match_their_corpus(content: MapContent) -> None:
    other = content.maps[2].model_copy(deep=True)
    other.documents.id = [f"x{i}" for i in range(50)]
    data = rewritten(bundle_bytes(content), "map.v2.json", other.model_dump_json().encode())
    with pytest.raises(BundleError, match="are not its corpus's ids"):
        read_bundle(data, max_bytes=MAX)


def test_a_newer_format_names_the_upgrade(content: MapContent) -> None:
    good = bundle_bytes(content)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(good)).read("manifest.json"))
    newer = rewritten(good, "manifest.json", json.dumps({**manifest, "format_version": 7}).encode())
    with pytest.raises(BundleError, match="upgrade topicmap"):
        read_bundle(newer, max_bytes=MAX)
