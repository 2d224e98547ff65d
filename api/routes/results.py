"""Results of a finished job: the map, its topics and documents, figures and a CSV export.

The map, figures and the export are sent from stored gzip bytes (api/stored.py): a map is stored
that way by the worker; a figure or export is rendered on its first request and stored beside it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Annotated, Any, BinaryIO, Literal, TextIO

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.access import JobAccess, ViewerDep
from api.axes import place_on_axes
from api.deps import SettingsDep, StoreDep, parsed_cache
from api.errors import ApiError
from api.maps import (
    EXPIRED,
    NOT_READY,
    VersionQuery,
    cached_corpus,
    chosen_version,
    documents_out,
    finished_map,
    finished_record,
    row_index,
)
from api.schemas import DocumentIds, DocumentPage, DocumentsById, TopicOut
from api.stored import cached_artifact, stored_response
from topicmap.render.charts import NotInMap
from topicmap.render.exports import write_documents_csv
from topicmap.render.figures import UnknownLevel
from topicmap.render.pages import (
    build_figure,
    earlier_drawings,
    figure_artifact,
    to_json,
    to_standalone_html,
    with_map_name,
)
from topicmap.render.static import StaticImageUnavailable, to_image
from topicmap.render.topic_table import write_topics_csv
from topicmap.schemas import Hierarchy, HierarchyNode, JobRecord, TopicMap
from topicmap.store import JobStore, gzip_written, inflate

router = APIRouter(prefix="/jobs/{job_id}", tags=["results"])


MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
}
STORED: dict[int | str, dict[str, Any]] = {
    **NOT_READY,
    304: {"description": "Not modified: the `If-None-Match` ETag is current"},
}


def stored_map(store: JobStore, job_id: str, version: int = 1) -> bytes:
    blob = store.get_map_bytes(job_id, version)
    if blob is None:
        raise ApiError(410, EXPIRED)
    return blob


TEXTS_CHUNK = 10_000


def write_map_with_texts(out: BinaryIO, store: JobStore, record: JobRecord, version: int) -> None:
    """The stored map JSON with the corpus texts in ``documents.text``, written without parsing the
    map and without one string of every text: the texts go out ``TEXTS_CHUNK`` at a time."""
    plain = inflate(stored_map(store, record.id, version))
    corpus = cached_corpus(store, record.corpus_of(version))
    if corpus is None:
        raise ApiError(410, EXPIRED)
    texts = corpus["texts"]
    tail = b'"text":null}}'  # documents.text is the last field of the last field (topicmap/schemas.py)
    if not plain.endswith(tail):
        topic_map = TopicMap.model_validate_json(plain)
        topic_map.documents.text = texts
        out.write(topic_map.model_dump_json().encode())
        return
    out.write(plain[: -len(tail)])
    del plain
    out.write(b'"text":[')
    for start in range(0, len(texts), TEXTS_CHUNK):
        out.write(b"," if start else b"")
        out.write(json.dumps(texts[start : start + TEXTS_CHUNK], ensure_ascii=False)[1:-1].encode())
    out.write(b"]}}")


@router.get("/map", summary="The topic map (JSON)", response_model=TopicMap, responses=STORED)
def get_map(
    job_id: str,
    request: Request,
    store: StoreDep,
    access: ViewerDep,
    include: Annotated[Literal["text"] | None, Query(description="`text` adds document texts")] = None,
    version: VersionQuery = None,
) -> Response:
    """Topics (labels, terms, sizes, representative documents) and every document's position and topic.

    Sent gzip-compressed as stored when the client accepts it; `ETag` + `If-None-Match` give 304.
    `X-Topicmap-Version` says which version this is (send it as `If-Match` with an edit).
    """
    record = finished_record(access)
    number = chosen_version(record, version)
    if include == "text":
        name = f"v{number}/map-text.json"
        blob = cached_artifact(store, job_id, name, lambda out: write_map_with_texts(out, store, record, number))
    else:
        blob = stored_map(store, job_id, number)
    response = stored_response(request, blob, "application/json")
    response.headers["X-Topicmap-Version"] = str(number)
    return response


LevelQuery = Annotated[
    str | None,
    Query(max_length=20, description="Hierarchy level: coarse, medium or fine (the topics); see /hierarchy."),
]


def require_hierarchy(topic_map: TopicMap) -> Hierarchy:
    if topic_map.hierarchy is None:
        raise ApiError(404, "this map has no hierarchy (it was made by an earlier version); re-run the job")
    return topic_map.hierarchy


@router.get("/topics", summary="The topics of a map, or the themes of a level", responses=NOT_READY)
def get_topics(
    store: StoreDep, access: ViewerDep, level: LevelQuery = None, version: VersionQuery = None
) -> list[TopicOut] | list[HierarchyNode]:
    """Every topic with its label, size, top terms and representative document ids, largest first.

    With `level` (coarse, medium, fine), the hierarchy's nodes of that level instead: their label,
    size, terms, position and the topics they group.
    """
    topic_map, _ = finished_map(store, access, version)
    if level is None:
        return [TopicOut(**t.model_dump()) for t in topic_map.topics]
    hierarchy = require_hierarchy(topic_map)
    if level not in hierarchy.levels:
        raise ApiError(422, f"level: this map has no level {level!r}; its levels are {', '.join(hierarchy.levels)}")
    return [node for node in hierarchy.nodes if node.level == level]


@router.get("/hierarchy", summary="Topics grouped from coarse themes to fine topics", responses=NOT_READY)
def get_hierarchy(store: StoreDep, access: ViewerDep, version: VersionQuery = None) -> Hierarchy:
    """The tree: the root, then each level's nodes (id, parent, children, size, label, terms, topics)."""
    topic_map, _ = finished_map(store, access, version)
    return require_hierarchy(topic_map)


@router.get("/topics/{topic_id}/documents", summary="Documents of one topic", responses=NOT_READY)
def get_topic_documents(
    topic_id: int,
    store: StoreDep,
    access: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    version: VersionQuery = None,
    also: Annotated[
        int | None, Query(description="Only the documents that also belong to this topic (among their top three)")
    ] = None,
) -> DocumentPage:
    """The documents assigned to `topic_id`, core documents first, paged; with `also`, those whose
    next topics include `also` (strongest first)."""
    topic_map, corpus = finished_map(store, access, version)
    known = {t.id for t in topic_map.topics}
    for wanted in (topic_id, also):
        if wanted is not None and wanted not in known:
            raise ApiError(404, f"the map has no topic {wanted}")
    docs = topic_map.documents
    rows = [i for i, t in enumerate(docs.topic) if t == topic_id]
    rows.sort(key=lambda i: docs.outlier[i])
    if also is not None:
        if docs.top_topics is None or docs.top_strengths is None:
            raise ApiError(409, "this map was made before documents had several topics; run the job again")
        tops, strengths = docs.top_topics, docs.top_strengths
        rows = [i for i in rows if also in tops[i][1:]]
        rows.sort(key=lambda i: -strengths[i][tops[i].index(also)])
    return page(topic_map, corpus, rows, limit, offset)


@router.get("/documents", summary="Search the documents of a map", responses=NOT_READY)
def search_documents(
    store: StoreDep,
    access: ViewerDep,
    q: Annotated[str | None, Query(max_length=200, description="Case-insensitive text to look for")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
    version: VersionQuery = None,
) -> DocumentPage:
    """Documents whose text contains `q` (all documents without `q`), with their topic and position."""
    topic_map, corpus = finished_map(store, access, version)
    needle = (q or "").casefold()
    rows = [i for i, text in enumerate(corpus["texts"]) if needle in text.casefold()]
    return page(topic_map, corpus, rows, limit, offset)


@router.post("/documents/by-ids", summary="Documents by id (hover, selection)", responses=NOT_READY)
def documents_by_ids(
    job_id: str, body: DocumentIds, store: StoreDep, access: ViewerDep, version: VersionQuery = None
) -> DocumentsById:
    """The documents with these ids, in the order asked, with their text, topic and position; ids
    the map does not have are listed in `missing`. The page fetches texts this way, a page at a time,
    instead of downloading every text with the map."""
    number = chosen_version(finished_record(access), version)
    topic_map, corpus = finished_map(store, access, number)
    rows = parsed_cache().get(("rows", job_id, number), lambda: row_index(topic_map), lambda r: 150 * len(r)) or {}
    found = [rows[doc_id] for doc_id in body.ids if doc_id in rows]
    missing = [doc_id for doc_id in body.ids if doc_id not in rows]
    return DocumentsById(documents=documents_out(topic_map, corpus, found), missing=missing)


def page(topic_map: TopicMap, corpus: dict[str, Any], rows: list[int], limit: int, offset: int) -> DocumentPage:
    return DocumentPage(
        documents=documents_out(topic_map, corpus, rows[offset : offset + limit]),
        total=len(rows),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/figure",
    summary="A Plotly figure of the map",
    response_class=Response,
    responses={
        **STORED,
        200: {
            "content": {"application/json": {}, "text/html": {}, "image/png": {}, "image/svg+xml": {}},
            "description": "Plotly JSON, a standalone HTML page, or a picture",
        },
        503: {"description": "Pictures need Chromium on the API host"},
    },
)
def get_figure(
    job_id: str,
    request: Request,
    store: StoreDep,
    access: ViewerDep,
    settings: SettingsDep,
    kind: Annotated[
        Literal["map", "sizes", "terms", "tree", "per_class", "over_time", "axes"],
        Query(
            description="map: every document; sizes: topic sizes; terms: top terms; tree: the hierarchy; "
            "per_class: topics per class (params.class_column); over_time: topics over time (params.time_column); "
            "axes: semantic axes (x, y: see GET …/axes)"
        ),
    ] = "map",
    format: Annotated[
        Literal["json", "html", "png", "svg"],
        Query(description="json: Plotly figure JSON; html: a standalone page; png, svg: a picture (labels placed)"),
    ] = "json",
    level: Annotated[
        Literal["coarse", "medium", "fine"] | None,
        Query(description="With kind=map: colour and label the documents by this hierarchy level"),
    ] = None,
    texts: Annotated[
        bool,
        Query(description="With kind=map: false leaves document texts out of the hover (fetch them by id)"),
    ] = True,
    version: VersionQuery = None,
    x: Annotated[list[str] | None, Query(description="With kind=axes: the horizontal axis' two poles")] = None,
    y: Annotated[list[str] | None, Query(description="With kind=axes: the vertical axis' two poles")] = None,
) -> Response:
    """Plotly figure JSON (`format=json`) or a standalone offline HTML page (`format=html`); a page or
    picture of a named map has its name in the title."""
    record = finished_record(access)
    number = chosen_version(record, version)
    map_name = record.name if format != "json" else None  # a download: the page titles the JSON itself

    def render(out: BinaryIO) -> None:
        if kind == "axes":
            figure = axes_figure_of(store, access, number, x, y, settings.query_timeout_s)
        else:
            topic_map, corpus = finished_map(store, access, number)
            try:
                figure = build_figure(kind, topic_map, corpus["texts"] if texts else None, level=level)
            except UnknownLevel as exc:
                raise ApiError(422 if level else 404, str(exc)) from None
            except NotInMap as exc:
                raise ApiError(404, str(exc)) from None
        if map_name:
            with_map_name(figure, map_name)
        if format == "html":
            out.write(to_standalone_html(figure, title=map_name or f"topicmap {kind}").encode())
        elif format in ("png", "svg"):
            try:
                out.write(to_image(figure, format))
            except StaticImageUnavailable as exc:
                raise ApiError(503, str(exc)) from None
        else:
            out.write(to_json(figure).encode())

    if kind == "axes":  # one per pair of poles: drawn each time (a matrix product), not stored
        return stored_response(request, gzip_written(render), MEDIA_TYPES[format])
    name = figure_artifact(kind, format, level=level, texts=texts, titled=map_name)
    earlier = [f"v{number}/{old}" for old in earlier_drawings(name)]
    blob = cached_artifact(store, job_id, f"v{number}/{name}", render, replaces=earlier)  # renderings are per version
    media_type = MEDIA_TYPES[format]
    return stored_response(request, blob, media_type)


def axes_figure_of(
    store: JobStore, access: JobAccess, version: int, x: list[str] | None, y: list[str] | None, timeout_s: float
) -> Any:
    from topicmap.axes import parse_axis
    from topicmap.render.axes import axes_figure

    if not x:
        raise ApiError(422, "x: kind=axes needs an axis, e.g. x=problem,praise")
    x_axis, y_axis = parse_axis("x", x), parse_axis("y", y) if y else None
    placed = place_on_axes(store, access, version, x_axis, y_axis, timeout_s)
    return axes_figure(placed.topic_map, x_axis, placed.x, y_axis, placed.y, placed.places)


@router.get(
    "/export.csv",
    summary="Documents as CSV",
    response_class=Response,
    responses={**STORED, 200: {"content": {"text/csv": {}}, "description": "One row per document"}},
)
def export_csv(
    job_id: str, request: Request, store: StoreDep, access: ViewerDep, version: VersionQuery = None
) -> Response:
    """One row per document: id, topic, label, x, y, outlier, text and metadata (spreadsheet-safe)."""

    def write(out: TextIO, topic_map: TopicMap, corpus: dict[str, Any]) -> None:
        write_documents_csv(out, topic_map, corpus["texts"], corpus["metadata"])

    return csv_response(request, store, access, job_id, version, "documents.csv", f"topicmap-{job_id}.csv", write)


@router.get(
    "/topics.csv",
    summary="Topics as CSV",
    response_class=Response,
    responses={**STORED, 200: {"content": {"text/csv": {}}, "description": "One row per topic"}},
)
def topics_csv(
    job_id: str, request: Request, store: StoreDep, access: ViewerDep, version: VersionQuery = None
) -> Response:
    """One row per topic: topic, label, size, percent of the documents, its coarse and medium themes,
    terms and the texts of its three most representative documents (spreadsheet-safe)."""

    def write(out: TextIO, topic_map: TopicMap, corpus: dict[str, Any]) -> None:
        write_topics_csv(out, topic_map, corpus["texts"])

    return csv_response(request, store, access, job_id, version, "topics.csv", f"topicmap-{job_id}-topics.csv", write)


def csv_response(
    request: Request,
    store: JobStore,
    access: JobAccess,
    job_id: str,
    version: int | None,
    artifact: str,
    filename: str,
    write: Callable[[TextIO, TopicMap, dict[str, Any]], None],
) -> Response:
    """A CSV download of a map version, written once (by ``write``, from the map and its corpus) and stored."""
    number = chosen_version(finished_record(access), version)

    def render(out: BinaryIO) -> None:
        topic_map, corpus = finished_map(store, access, number)
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        write(text, topic_map, corpus)
        text.flush()
        text.detach()  # the gzip stream stays open: cached_artifact closes it

    blob = cached_artifact(store, job_id, f"v{number}/{artifact}", render)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return stored_response(request, blob, "text/csv; charset=utf-8", headers=headers)
