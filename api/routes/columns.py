"""The metadata columns a job's corpus came with, as per-document values: colour and filter the map."""

from __future__ import annotations

from fastapi import APIRouter

from api.access import JobAccess, ViewerDep
from api.deps import StoreDep
from api.errors import ApiError
from api.maps import EXPIRED, NOT_READY, VersionQuery, cached_corpus, chosen_version, finished_record
from topicmap.render.columns import ColumnInfo, ColumnValues, column_names, column_values, describe_columns

router = APIRouter(prefix="/jobs/{job_id}", tags=["results"])


def corpus_metadata(store: StoreDep, access: JobAccess, version: int | None) -> list[dict[str, object]]:
    """The metadata of the documents of a version of the map (documents may have been added)."""
    record = finished_record(access)
    corpus = cached_corpus(store, record.corpus_of(chosen_version(record, version)))
    if corpus is None:
        raise ApiError(410, EXPIRED)
    return corpus["metadata"]  # type: ignore[no-any-return]


@router.get("/columns", summary="The metadata columns of the corpus", responses=NOT_READY)
def list_columns(store: StoreDep, access: ViewerDep, version: VersionQuery = None) -> list[ColumnInfo]:
    """Each column uploaded beside the text (CSV columns, `meta` keys): numeric or categorical, how
    many distinct values, how many documents lack one."""
    return describe_columns(corpus_metadata(store, access, version))


@router.get("/columns/{name:path}", summary="One metadata column, per document", responses=NOT_READY)
def get_column(name: str, store: StoreDep, access: ViewerDep, version: VersionQuery = None) -> ColumnValues:
    """In document order (that of the map's `documents`): numeric `values`, or categorical
    `categories` (most common first; beyond 200 the rest are "other") and each document's `codes`
    (-1 where it has none). A name with `/` in it is sent encoded (`team%2Farea`) or as it is."""
    metadata = corpus_metadata(store, access, version)
    try:
        return column_values(metadata, name)
    except KeyError:
        names = ", ".join(column_names(metadata)) or "none"
        raise ApiError(404, f"the corpus has no column {name!r}; its columns are: {names}") from None
