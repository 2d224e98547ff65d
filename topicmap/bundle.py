"""The map file: a bundle (``.topicmap``, a zip) holds everything a map is, and a map folder is the
same files unpacked. The service exports and imports bundles, keeps them in the map archive, and the
command line writes and reads them; CSV exports are for people and are never read back.

Format version 1 (``manifest.json`` names it; a reader refuses a newer one):

=============================  ==================================================================
manifest.json                  :class:`Manifest`: format, versions, model, sizes, digests of files
versions.json                  the version history (:class:`MapVersion` list; version 1 first)
map.json, map.v{n}.json        every map version (TopicMap JSON; tags are the documents' ``tags``)
terms.bin, terms.v{n}.bin      each version's topic x term counts (topicmap/terms.py), when kept
corpus.json                    the exact corpus: {"texts", "ids", "metadata"} as uploaded
embeddings.npy                 float16 embeddings of the corpus, in its order (numpy .npy)
doc-terms.bin                  which terms each document contains (when kept)
added/{sha}/…                  corpus.json, embeddings.npy, doc-terms.bin of a version with
                               documents added to the map (``MapVersion.corpus``)
=============================  ==================================================================

Reading checks everything before anything is used: a zip, a manifest of a known format, every file
present with its digest, sizes under a cap (before inflating), maps that parse, one map per version
of the history, corpora whose hash, ids and embeddings agree with each other and with the maps.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from topicmap.errors import Invalid, TooLarge
from topicmap.schemas import MAX_JOB_NAME, MapVersion, TopicMap

BUNDLE_FORMAT = 1
"""Version of the bundle's layout: bumped when a file changes meaning."""
SUFFIX = ".topicmap"
MANIFEST = "manifest.json"
MAX_FILES = 10_000


class BundleError(Invalid):
    """A file that is not a readable bundle of a format this topicmap knows (422)."""


class KeptInfo(BaseModel):
    """What the library shows of a kept map: written into its bundle, so the archive alone can
    rebuild the library's index."""

    owner: str
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=50)
    kept_at: float = Field(default_factory=time.time)


class Manifest(BaseModel):
    format: Literal["topicmap bundle"] = "topicmap bundle"
    format_version: int = Field(ge=1)
    topicmap_version: str
    model: str
    dimensions: int = Field(ge=1)
    embedding_backend: str | None = Field(
        default=None, description="How version 1 was embedded, and why (the machine's choice: docs/pipeline.md)."
    )
    created_at: float
    documents: int = Field(ge=0)
    topics: int = Field(ge=0)
    versions: list[int] = Field(min_length=1, description="The map's version numbers, oldest first.")
    corpus: str = Field(description="Content hash of the map's own corpus (corpus.json).")
    added_corpora: list[str] = Field(default_factory=list, description="Corpora of versions with added documents.")
    job: str | None = Field(default=None, description="The job the map was made by, where it came from a service.")
    name: str | None = Field(default=None, max_length=MAX_JOB_NAME, description="What the map is called (its job's).")
    kept: KeptInfo | None = None
    files: dict[str, str] = Field(description="Every other file of the bundle → its SHA-256.")


@dataclass
class Corpus:
    """A corpus exactly as uploaded: texts, ids and metadata, row for row."""

    texts: list[str]
    ids: list[str]
    metadata: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"texts": self.texts, "ids": self.ids, "metadata": self.metadata}


@dataclass
class MapContent:
    """Everything a map is, whatever holds it (Redis, a bundle, a folder)."""

    maps: dict[int, TopicMap]
    history: list[MapVersion]
    corpus: str
    corpora: dict[str, Corpus]
    embeddings: dict[str, bytes]
    """Corpus hash → float16 .npy bytes, rows in the corpus's order."""
    terms: dict[int, bytes] = field(default_factory=dict)
    presence: dict[str, bytes] = field(default_factory=dict)
    job: str | None = None
    kept: KeptInfo | None = None
    name: str | None = None

    @property
    def latest(self) -> int:
        return self.history[-1].number

    @property
    def model(self) -> str:
        return self.maps[1].meta.params.model

    def corpus_of(self, version: int) -> str:
        return self.maps[version].meta.corpus or self.corpus


def corpus_hash(texts: Iterable[str], ids: Iterable[str]) -> str:
    """The content hash the service stores a corpus under (topicmap/store/blobs.py)."""
    digest = hashlib.sha256()
    for doc_id, text in zip(ids, texts, strict=True):
        digest.update(doc_id.encode() + b"\x1f" + text.encode() + b"\x1e")
    return digest.hexdigest()


def map_name(version: int) -> str:
    return "map.json" if version == 1 else f"map.v{version}.json"


def terms_name(version: int) -> str:
    return "terms.bin" if version == 1 else f"terms.v{version}.bin"


def _corpus_dir(content: MapContent, sha: str) -> str:
    return "" if sha == content.corpus else f"added/{sha}/"


def content_files(content: MapContent) -> dict[str, bytes]:
    """The bundle's files (all but the manifest), by name."""
    files: dict[str, bytes] = {
        "versions.json": json.dumps([v.model_dump() for v in content.history], indent=1).encode()
    }
    for number, topic_map in content.maps.items():
        files[map_name(number)] = topic_map.model_dump_json(indent=1).encode()
    for number, blob in content.terms.items():
        files[terms_name(number)] = blob
    for sha, corpus in content.corpora.items():
        where = _corpus_dir(content, sha)
        files[where + "corpus.json"] = json.dumps(corpus.to_json(), ensure_ascii=False).encode()
        if sha in content.embeddings:
            files[where + "embeddings.npy"] = content.embeddings[sha]
        if sha in content.presence:
            files[where + "doc-terms.bin"] = content.presence[sha]
    return files


def manifest_of(content: MapContent, files: dict[str, bytes]) -> Manifest:
    first, latest = content.maps[1], content.maps[content.latest]
    return Manifest(
        format_version=BUNDLE_FORMAT,
        topicmap_version=topicmap_version(),
        model=first.meta.params.model,
        dimensions=first.meta.embedding.dimensions,
        embedding_backend=" · ".join(
            part for part in (first.meta.embedding.backend, first.meta.embedding.backend_reason) if part
        ),
        created_at=time.time(),
        documents=len(latest.documents.id),
        topics=sum(1 for t in latest.topics if t.id >= 0),
        versions=[v.number for v in content.history],
        corpus=content.corpus,
        added_corpora=[sha for sha in content.corpora if sha != content.corpus],
        job=content.job,
        name=content.name,
        kept=content.kept,
        files={name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    )


def topicmap_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("topicmap")
    except PackageNotFoundError:
        return "unknown"


def write_bundle(content: MapContent, target: IO[bytes] | Path) -> Manifest:
    """Write ``content`` as a bundle (a zip) to a file or stream; returns its manifest."""
    files = content_files(content)
    manifest = manifest_of(content, files)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        archive.writestr(MANIFEST, manifest.model_dump_json(indent=1))
        for name, data in files.items():
            archive.writestr(name, data)
    return manifest


def bundle_bytes(content: MapContent) -> bytes:
    return packed(content)[0]


def packed(content: MapContent) -> tuple[bytes, Manifest]:
    """The bundle in memory, with its manifest (no need to read it back)."""
    buffer = io.BytesIO()
    manifest = write_bundle(content, buffer)
    return buffer.getvalue(), manifest


def write_folder(content: MapContent, out: Path) -> Manifest:
    """The bundle's files unpacked into ``out`` (what ``topicmap fit`` writes beside its renderings)."""
    files = content_files(content)
    manifest = manifest_of(content, files)
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    (out / MANIFEST).write_text(manifest.model_dump_json(indent=1), encoding="utf-8")
    return manifest


def read_bundle(source: IO[bytes] | Path | bytes, *, max_bytes: int) -> MapContent:
    """A bundle's content, checked whole (see the module's docstring); ``max_bytes`` caps what its
    files may inflate to. Raises :class:`BundleError` (or :class:`TooLarge`) with what is wrong."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    magic = _peek(source, 4)
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_FILES:
                raise BundleError(f"the bundle holds {len(infos)} files; a topicmap bundle holds far fewer")
            inflated = sum(info.file_size for info in infos)
            if inflated > max_bytes:
                raise TooLarge(f"the bundle inflates to {inflated} bytes, more than the {max_bytes} allowed")
            names = {info.filename for info in infos}
            if MANIFEST not in names:
                raise BundleError("not a topicmap bundle: no manifest.json in the zip")
            manifest = parse_manifest(archive.read(MANIFEST))
            missing = sorted(set(manifest.files) - names)
            if missing:
                raise BundleError(f"the bundle is missing {', '.join(missing[:5])}")
            files = {name: archive.read(name) for name in manifest.files}
    except zipfile.BadZipFile as exc:
        if magic == b"PK\x03\x04":
            raise BundleError(f"the zip is truncated or corrupt ({exc}): download or copy the bundle again") from None
        raise BundleError(f"not a readable zip file ({exc}): a bundle is a .topicmap zip") from None
    except (EOFError, zlib.error) as exc:
        raise BundleError(f"the bundle is truncated or corrupt ({exc})") from None
    return content_of_files(manifest, files)


def _peek(source: IO[bytes] | Path, size: int) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return handle.read(size)
    start = source.tell()
    head = source.read(size)
    source.seek(start)
    return head


def member_of(data: bytes, name: str) -> bytes:
    """One file of a bundle (one this service wrote: no checks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def manifest_in(data: bytes) -> Manifest:
    """The manifest of a bundle, without reading the rest."""
    return parse_manifest(member_of(data, MANIFEST))


def read_folder(folder: Path, *, max_bytes: int = 1 << 40) -> MapContent:
    """The content of a map folder written by ``topicmap fit`` (this format)."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(
            f"{folder} has no manifest.json: it was written by a topicmap before bundles (or is not a map folder); "
            f"make it again with: topicmap fit INPUT --out {folder}"
        )
    manifest = parse_manifest(manifest_path.read_bytes())
    files: dict[str, bytes] = {}
    total = 0
    for name in manifest.files:
        path = folder / name
        if not path.is_file():
            raise BundleError(f"{folder} is missing {name}")
        files[name] = path.read_bytes()
        total += len(files[name])
        if total > max_bytes:
            raise TooLarge(f"{folder} holds more than {max_bytes} bytes")
    return content_of_files(manifest, files, where=str(folder))


def parse_manifest(data: bytes) -> Manifest:
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"manifest.json is not JSON ({exc})") from None
    if isinstance(raw, dict) and isinstance(raw.get("format_version"), int) and raw["format_version"] > BUNDLE_FORMAT:
        raise BundleError(
            f"the bundle's format version is {raw['format_version']}, newer than this topicmap reads "
            f"({BUNDLE_FORMAT}): upgrade topicmap to open it"
        )
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise BundleError(f"manifest.json is not a topicmap manifest: {where}: {error['msg']}") from None


def content_of_files(manifest: Manifest, files: dict[str, bytes], *, where: str = "the bundle") -> MapContent:
    for name, digest in manifest.files.items():
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise BundleError(f"{name} in {where} does not match its digest in the manifest (corrupt or altered)")
    history = _parse(files, "versions.json", lambda data: [MapVersion.model_validate(v) for v in json.loads(data)])
    if [v.number for v in history] != manifest.versions:
        raise BundleError("versions.json does not list the versions the manifest names")
    maps = {n: _parse(files, map_name(n), TopicMap.model_validate_json) for n in manifest.versions}
    content = MapContent(maps=maps, history=history, corpus=manifest.corpus, corpora={}, embeddings={})
    content.job, content.kept, content.name = manifest.job, manifest.kept, manifest.name
    for sha in [manifest.corpus, *manifest.added_corpora]:
        prefix = _corpus_dir(content, sha)
        corpus = _parse(files, prefix + "corpus.json", lambda data: Corpus(**json.loads(data)))
        check_corpus(corpus, sha, prefix + "corpus.json")
        content.corpora[sha] = corpus
        if prefix + "embeddings.npy" in files:
            content.embeddings[sha] = files[prefix + "embeddings.npy"]
            check_embeddings(files[prefix + "embeddings.npy"], len(corpus.ids), manifest.dimensions, prefix)
        if prefix + "doc-terms.bin" in files:
            content.presence[sha] = files[prefix + "doc-terms.bin"]
    for number in manifest.versions:
        if terms_name(number) in files:
            content.terms[number] = files[terms_name(number)]
        sha = content.corpus_of(number)
        if sha not in content.corpora:
            raise BundleError(f"map version {number} names a corpus the bundle does not hold")
        if maps[number].documents.id != content.corpora[sha].ids:
            raise BundleError(f"map version {number}'s documents are not its corpus's ids, in its order")
    if content.model != manifest.model:
        raise BundleError(f"the manifest names model {manifest.model!r}; the map was made with {content.model!r}")
    return content


def _parse(files: dict[str, bytes], name: str, parse: Any) -> Any:
    if name not in files:
        raise BundleError(f"the bundle has no {name}")
    try:
        return parse(files[name])
    except (ValidationError, ValueError, TypeError) as exc:
        raise BundleError(f"{name} is not valid: {str(exc).splitlines()[0][:300]}") from None


def check_corpus(corpus: Corpus, sha: str, name: str) -> None:
    rows = {len(corpus.texts), len(corpus.ids), len(corpus.metadata)}
    if len(rows) != 1:
        raise BundleError(f"{name}: texts, ids and metadata have different lengths")
    if not all(isinstance(t, str) for t in corpus.texts) or not all(isinstance(i, str) for i in corpus.ids):
        raise BundleError(f"{name}: texts and ids must be strings")
    if len(set(corpus.ids)) != len(corpus.ids):
        raise BundleError(f"{name}: ids are not unique")
    if corpus_hash(corpus.texts, corpus.ids) != sha:
        raise BundleError(f"{name}: its content does not match the hash the manifest names")


def check_embeddings(data: bytes, rows: int, dimensions: int, prefix: str) -> None:
    """A .npy header check (shape and dtype) without numpy: the API reads bundles without it."""
    import ast

    if not data.startswith(b"\x93NUMPY"):
        raise BundleError(f"{prefix}embeddings.npy is not a numpy .npy file")
    header_len = int.from_bytes(data[8:10], "little") if data[6] == 1 else int.from_bytes(data[8:12], "little")
    start = 10 if data[6] == 1 else 12
    try:
        header = ast.literal_eval(data[start : start + header_len].decode("latin1"))
    except (ValueError, SyntaxError):
        raise BundleError(f"{prefix}embeddings.npy has an unreadable header") from None
    if header.get("shape") != (rows, dimensions) or header.get("descr") not in ("<f2", "<f4"):
        raise BundleError(
            f"{prefix}embeddings.npy holds {header.get('shape')} {header.get('descr')} embeddings; "
            f"its corpus has {rows} documents of {dimensions} dimensions"
        )
    itemsize = 2 if header["descr"] == "<f2" else 4
    if len(data) != start + header_len + rows * dimensions * itemsize:
        raise BundleError(f"{prefix}embeddings.npy is truncated")
