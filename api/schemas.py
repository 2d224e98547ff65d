"""HTTP request and response models (the job record itself lives in the shared contract)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from topicmap.schemas import (
    JOB_NAME,
    MAX_JOB_NAME,
    AssignmentSource,
    Callback,
    DocumentCounts,
    JobError,
    JobKind,
    JobRecord,
    JobState,
    PipelineParams,
    Progress,
    ShardProgress,
    Term,
)
from topicmap.shares import JobRole

EXAMPLE_DOCUMENTS: list[Any] = [
    "The rocket reached orbit after a smooth launch.",
    {"text": "Knead the dough and bake it for 40 minutes.", "id": "recipe-1", "meta": {"source": "blog"}},
]

EXAMPLE_BODY: Any = {"documents": EXAMPLE_DOCUMENTS, "params": {"min_topic_size": 10}}


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The document text.")
    id: str | None = Field(
        default=None, max_length=200, description="Your id for the document (default: its position)."
    )
    meta: dict[str, Any] | None = Field(default=None, description="Anything to keep with the document (in exports).")


class JobCreate(BaseModel):
    """A corpus and the parameters to map it with."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [EXAMPLE_BODY]},
    )

    documents: list[str | DocumentIn] = Field(description="Strings, or objects with `text`, optional `id` and `meta`.")
    params: PipelineParams = Field(default_factory=PipelineParams)
    name: str | None = Field(
        default=None, max_length=MAX_JOB_NAME, description="What to call the map (the page's title, the job lists).",
        examples=["Support tickets, March"],
    )  # fmt: skip
    callback_url: str | None = Field(
        default=None,
        max_length=2000,
        description="Called (POST, signed JSON) when the job finishes; public http(s) addresses only.",
        examples=["https://example.org/hooks/topicmap"],
    )


class JobChange(BaseModel):
    """A new name for a map."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_JOB_NAME, examples=["Support tickets, March"])


class JobStatus(BaseModel):
    """State and progress of a job."""

    job_id: str
    owner: str = Field(description="Who submitted the job (a user's name, or a configured key's).")
    name: str | None = Field(default=None, description=JOB_NAME)
    role: JobRole | None = Field(
        default=None, description="What the caller may do with it: owner, editor or viewer (shared with them)."
    )
    kind: JobKind = Field(description="map: a topic map; assignment: documents put into an existing map.")
    assigns_to: AssignmentSource | None = Field(
        default=None, description="For an assignment: the map (job and version), and whether it adds the documents."
    )
    state: JobState
    stage: str | None
    progress: Progress
    eta_s: float | None
    queue_position: int | None = Field(description="1 = next to start; null unless queued.")
    attempts: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    error: JobError | None
    params: PipelineParams
    documents: DocumentCounts
    embeddings_cached: bool
    timings_s: dict[str, float]
    stored_bytes: int = Field(description="Bytes this job keeps in Redis (counted against the key's quota).")
    callback: Callback | None = Field(description="The webhook, its state and every attempt.")
    worker: str | None = Field(description="The worker that runs (ran) the job: its coordinator when sharded.")
    worker_alive: bool | None = Field(description="While running: whether its worker was heard from recently.")
    shards: ShardProgress | None = Field(
        description="For a job above the workers' shard threshold: shards embedded, in all and per worker."
    )
    warnings: list[str] = Field(
        default_factory=list, description="What the job could not do as asked (e.g. a time column with no date)."
    )
    links: dict[str, str]

    @classmethod
    def from_record(
        cls,
        record: JobRecord,
        *,
        queue_position: int | None,
        worker_alive: bool | None,
        role: JobRole | None = None,
    ) -> JobStatus:
        base = f"/api/jobs/{record.id}"
        links = {"self": base, "events": f"{base}/events"}
        if record.state == "succeeded" and record.assigns_to is not None:
            links.update(assignments=f"{base}/assignments", map=f"/api/jobs/{record.assigns_to.job}/map")
        elif record.state == "succeeded":
            links.update(map=f"{base}/map", figure=f"{base}/figure?kind=map", export=f"{base}/export.csv")
            links.update(bundle=f"{base}/bundle", keep=f"{base}/keep")
        return cls(
            job_id=record.id,
            owner=record.owner,
            name=record.name,
            role=role,
            kind=record.kind,
            assigns_to=record.assigns_to,
            state=record.state,
            stage=record.stage,
            progress=record.progress,
            eta_s=record.eta_s,
            queue_position=queue_position,
            attempts=record.attempts,
            created_at=record.created_at,
            started_at=record.started_at,
            finished_at=record.finished_at,
            error=record.error,
            params=record.params,
            documents=record.documents,
            embeddings_cached=record.embeddings_cached,
            timings_s=record.timings_s,
            stored_bytes=record.stored_bytes,
            worker=record.worker,
            shards=record.shards,
            callback=record.callback,
            worker_alive=worker_alive,
            warnings=record.warnings,
            links=links,
        )


class JobAccepted(BaseModel):
    job_id: str
    state: JobState
    location: str = Field(description="Where to poll the job.")
    documents: DocumentCounts


class JobList(BaseModel):
    jobs: list[JobStatus]
    total: int
    limit: int
    offset: int


class TopicOut(BaseModel):
    id: int
    label: str
    named_by: Literal["terms", "person"] = Field(
        default="terms", description="terms: the label is made from the top terms; person: a rename or a seed topic."
    )
    size: int
    terms: list[Term]
    x: float
    y: float
    representative_documents: list[str]


class TopicStrength(BaseModel):
    topic: int
    label: str
    strength: float = Field(description="Cosine similarity to the topic's centroid, in [0, 1].")


class DocumentOut(BaseModel):
    id: str
    text: str
    topic: int
    label: str
    outlier: bool
    x: float
    y: float
    topics: list[TopicStrength] | None = Field(
        default=None, description="Its own topic, then the next closest (up to three), with strengths."
    )
    tags: list[str] = Field(default_factory=list, description="The document's tags (edits `tag`, `untag`).")


class DocumentPage(BaseModel):
    documents: list[DocumentOut]
    total: int = Field(description="Matching documents in all pages.")
    limit: int
    offset: int


class DocumentIds(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"ids": ["d1", "d2"]}]})

    ids: list[Annotated[str, Field(max_length=200)]] = Field(
        min_length=1, max_length=500, description="Document ids (those of the map's `documents.id`)."
    )


class DocumentsById(BaseModel):
    documents: list[DocumentOut] = Field(description="The documents found, in the order asked.")
    missing: list[str] = Field(description="Ids the map does not have.")


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class WebhookSecret(BaseModel):
    secret: str = Field(description="This key's webhook secret (HMAC-SHA256 key).")
    signature_header: str = "X-Topicmap-Signature"
    timestamp_header: str = "X-Topicmap-Timestamp"
    signed_content: str = Field(default="{timestamp}.{raw body}", description="What the HMAC covers.")
    format: str = Field(default="v1=<hex digest>")
