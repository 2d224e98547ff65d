"""The contract shared by the API and the worker: parameters in, topic map out.

This module imports nothing heavier than pydantic, so the API can depend on it without pulling in
numpy, torch, umap or hdbscan (``tests/core/test_schemas.py`` enforces that).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from topicmap.duplicates import Duplicates
from topicmap.params import DEFAULT_MODEL as DEFAULT_MODEL
from topicmap.params import PipelineParams as PipelineParams
from topicmap.view_schemas import OverTime as OverTime
from topicmap.view_schemas import PerClass as PerClass
from topicmap.view_schemas import TimeUnit as TimeUnit

# Celery task names (the API queues work by name, never importing a task); short work has its own queues.
TASK_RUN_JOB = "topicmap.run_job"
TASK_EMBED_SHARD = "topicmap.embed_shard"
TASK_EMBED_QUERY = "topicmap.embed_query"
QUERY_QUEUE = "queries"
TASK_DELIVER_WEBHOOK = "topicmap.deliver_webhook"
TASK_RELAY_WEBHOOKS = "topicmap.relay_webhooks"
TASK_RETRY_ARCHIVES = "topicmap.retry_archives"
WEBHOOK_QUEUE = "webhooks"

PIPELINE_VERSION = "9"
"""Bumped whenever the same input and parameters could give a different map."""

MIN_DOCUMENTS = 10
"""Fewer documents than this cannot be embedded, reduced and clustered meaningfully."""
STAGES = ("load_model", "embed", "reduce", "cluster", "label", "layout", "hierarchy", "score")
"""Pipeline stages in order, as reported by progress and in ``meta.timings_s``."""


class Term(BaseModel):
    term: str = Field(description="A word or two-word phrase.")
    weight: float = Field(description="c-TF-IDF weight of the term in its topic.")


class Topic(BaseModel):
    id: int = Field(description="Topic id: 0 is the largest topic; -1 holds kept outliers.")
    label: str = Field(description="Readable label built from the top terms, or a person's (see named_by).")
    named_by: Literal["terms", "person"] = Field(
        default="terms", description="Whether the label was built from the terms or given by a person (an edit)."
    )
    terms: list[Term] = Field(description="Top terms with their c-TF-IDF weights, best first.")
    size: int = Field(description="Number of documents in the topic.")
    x: float = Field(description="Topic position on the 2-D map: its documents' median (a merge: its densest part).")
    y: float
    representative_documents: list[str] = Field(
        description="Ids of the documents nearest the topic centroid, closest first."
    )


class Documents(BaseModel):
    """Per-document columns, stored column-wise so 100k documents stay compact."""

    id: list[str]
    x: list[float]
    y: list[float]
    topic: list[int]
    outlier: list[bool] = Field(description="True where the clustering found no topic for the document.")
    duplicate_group: list[int] | None = Field(
        default=None, description="Each document's near-duplicate group (`duplicates.groups`), -1 for none."
    )
    top_topics: list[list[int]] | None = Field(
        default=None, description="Each document's own topic, then the closest others (up to three)."
    )
    top_strengths: list[list[float]] | None = Field(
        default=None, description="Strengths in [0, 1] of top_topics (cosine to the topic's centroid)."
    )
    tags: list[list[str]] | None = Field(default=None, description="Each document's tags (edits `tag`, `untag`).")
    text: list[str] | None = Field(default=None, description="Document texts, when requested (the last field).")

    @model_validator(mode="after")
    def _same_lengths(self) -> Documents:
        lengths = {len(self.id), len(self.x), len(self.y), len(self.topic), len(self.outlier)}
        for optional in (self.text, self.duplicate_group, self.top_topics, self.top_strengths, self.tags):
            if optional is not None:
                lengths.add(len(optional))
        if len(lengths) != 1:
            raise ValueError("document columns must all have the same length")
        return self


class Quality(BaseModel):
    n_topics: int = Field(description="Number of topics, not counting -1.")
    outlier_share: float = Field(
        description="Share of documents the clustering found no topic for (before assignment)."
    )
    unassigned_share: float = Field(description="Share of documents left in topic -1 (0 unless keep_outliers).")
    npmi: float = Field(description="Mean NPMI coherence of each topic's top terms, in [-1, 1].")
    diversity: float = Field(description="Share of unique terms among all topics' top terms.")


class EmbeddingInfo(BaseModel):
    model: str
    backend: str = Field(description="onnx-int8, torch-bf16 or torch (fp32; fp16 on CUDA), or cache.")
    device: str
    backend_reason: str | None = Field(default=None, description="Why this backend was chosen on this machine.")
    backend_docs_per_s: float | None = Field(default=None, description="Its speed on the choice's probe.")
    dimensions: int
    unique_documents: int = Field(description="Distinct texts actually embedded.")
    cached: bool = Field(default=False, description="Embeddings came from the cache.")


class Meta(BaseModel):
    n_documents: int
    params: PipelineParams
    resolved: dict[str, int | float | str] = Field(
        default_factory=dict,
        description="Parameters chosen for this corpus. stages_device: cpu, or cuda (GPU); languages: the corpus's, "
        "comma-separated ISO 639-1 codes (params.languages, else told from the texts) whose stop words, with "
        "English's, are left out of the terms.",
    )
    versions: dict[str, str]
    pipeline_version: str = PIPELINE_VERSION
    seed: int
    embedding: EmbeddingInfo
    timings_s: dict[str, float] = Field(description="Wall time per stage, in seconds.")
    peak_rss_mb: float = Field(description="Peak resident memory of the process, in MiB.")
    quality: Quality
    warnings: list[str] = Field(
        default_factory=list, description="What the map could not do as asked (e.g. a time column with no date)."
    )
    corpus: str | None = Field(
        default=None,
        description="Content hash of the stored corpus of this version's documents when documents were added "
        "to the job's (an assignment with `add=true`); null: the job's own corpus.",
    )


HierarchyLevel = Literal["root", "coarse", "medium", "fine"]


class HierarchyNode(BaseModel):
    id: str = Field(description='"root"; "c0", "c1"… (coarse), "m0"… (medium); "t{topic}" for a topic.')
    level: HierarchyLevel
    parent: str | None = Field(description="The node one level up; null for the root.")
    children: list[str] = Field(description="Nodes one level down, largest first.")
    size: int = Field(description="Documents under the node.")
    label: str = Field(description="Readable label from the node's top terms (a topic keeps its own label).")
    named_by: Literal["terms", "person"] = Field(default="terms", description="Terms, or a person's edit.")
    terms: list[Term] = Field(description="Top terms by c-TF-IDF among the nodes of the same level.")
    topics: list[int] = Field(description="The topics (fine level) under the node.")
    x: float = Field(description="Label position: a theme's on its topic where it is densest; else the median.")
    y: float


class Hierarchy(BaseModel):
    """Topics grouped into coarser themes: a tree from the root through named levels to the topics."""

    method: str = Field(description="How the tree was built, e.g. average linkage of topic centroids (cosine).")
    levels: list[HierarchyLevel] = Field(description='Levels from coarse to fine, always ending with "fine".')
    nodes: list[HierarchyNode] = Field(description="The root first, then each level's nodes, largest first.")


class TopicMap(BaseModel):
    """A topic map: topics, their terms and sizes, and a 2-D position for every document."""

    meta: Meta
    topics: list[Topic]
    hierarchy: Hierarchy | None = Field(default=None, description="Topics grouped into coarse and medium themes.")
    per_class: PerClass | None = Field(default=None, description="Topics per class (params.class_column).")
    over_time: OverTime | None = Field(default=None, description="Topics over time (params.time_column).")
    duplicates: Duplicates | None = Field(default=None, description="Groups of near-identical documents.")
    documents: Documents  # last: the API splices texts into the stored JSON's tail (api/routes/results.py)


# --- Jobs: shared by the API (which creates and reads them) and the worker (which runs them) ---

JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
JobKind = Literal["map", "assignment"]
TERMINAL_STATES: tuple[JobState, ...] = ("succeeded", "failed", "cancelled")
MAX_ATTEMPTS = 3
"""A job whose worker died this many times is failed, not retried forever."""


class ShardProgress(BaseModel):
    """A big job's embedding, split into shards that any worker embeds (worker/shards.py)."""

    total: int = Field(description="Shards the job's distinct documents were split into.")
    done: int = Field(default=0, description="Shards embedded.")
    documents: int = Field(description="Distinct documents to embed, in all shards.")
    workers: dict[str, int] = Field(default_factory=dict, description="Shards embedded, per worker name.")
    retried: int = Field(default=0, description="Shard attempts beyond the first (a worker lost or failing mid-shard).")


class JobError(BaseModel):
    code: str = Field(description="Machine-readable reason, e.g. invalid_input, deadline_exceeded, worker_lost.")
    detail: str = Field(description="What went wrong, for a person.")


class Progress(BaseModel):
    done: int = 0
    total: int = 0
    fraction: float = Field(default=0.0, description="Progress of the whole job, 0 to 1.")


class DocumentCounts(BaseModel):
    received: int = Field(description="Documents in the request.")
    dropped: int = Field(description="Documents without text removed: empty, or N/A, NULL, nan.")
    truncated: int = Field(description="Documents cut to the per-document character limit.")
    used: int = Field(description="Documents in the map.")
    text_column: str | None = Field(
        default=None,
        description="The column (or JSON field) the texts were read from: text_column, else the one chosen "
        "(named text/content/document/body, else the only column of text, or the one of much longer texts); "
        "none for plain texts.",
    )


class CallbackAttempt(BaseModel):
    at: float = Field(description="When the attempt started (Unix seconds).")
    status: int | None = Field(default=None, description="HTTP status the receiver answered, if any.")
    error: str | None = Field(default=None, description="Why the attempt failed: timeout, connection error, …")
    duration_ms: float = 0.0


class Callback(BaseModel):
    """A webhook: POSTed to ``url`` when the job reaches a final state, retried with backoff."""

    url: str
    state: Literal["pending", "delivered", "failed"] = "pending"
    attempts: list[CallbackAttempt] = Field(default_factory=list)


class MapVersion(BaseModel):
    """One version of a job's map: 1 is what the pipeline made; each edit makes the next."""

    number: int = Field(ge=1)
    created_at: float
    author: str = Field(description='The API key\'s name that made the edit ("pipeline" for version 1).')
    based_on: int | None = Field(default=None, description="The version the edit was applied to.")
    operations: list[dict[str, object]] = Field(default_factory=list, description="The edit's operations.")
    corpus: str | None = Field(
        default=None, description="The corpus of this version's documents when documents were added (null: the job's)."
    )


class AssignmentSource(BaseModel):
    """The map an assignment job puts its documents into."""

    job: str = Field(description="The job whose map it is.")
    version: int = Field(ge=1, description="The map version the documents are assigned to.")
    add: bool = Field(default=False, description="Also make a new map version that includes the documents.")


MAX_JOB_NAME = 200
JOB_NAME = "What the map is called (the page's title, the job lists): the uploaded file's name unless the job names it."


class JobRecord(BaseModel):
    """The source of truth for a job, kept in Redis by the API and the worker (never Celery's state)."""

    id: str
    owner: str
    name: str | None = Field(default=None, max_length=MAX_JOB_NAME, description=JOB_NAME)
    kind: JobKind = Field(
        default="map", description="map: make a topic map; assignment: put documents into an existing map."
    )
    assigns_to: AssignmentSource | None = Field(default=None, description="For an assignment: the map.")
    state: JobState = "queued"
    stage: str | None = Field(default=None, description="Pipeline stage while running: " + ", ".join(STAGES) + ".")
    progress: Progress = Field(default_factory=Progress)
    eta_s: float | None = Field(default=None, description="Estimated seconds left, while running.")
    attempts: int = Field(default=0, description="Times a worker started this job.")
    created_at: float
    started_at: float | None = None
    finished_at: float | None = None
    heartbeat_at: float | None = Field(default=None, description="Last sign of life from the worker running it.")
    worker: str | None = None
    params: PipelineParams
    corpus: str = Field(description="Content hash of the stored corpus.")
    documents: DocumentCounts
    error: JobError | None = None
    embeddings_cached: bool = Field(default=False, description="The embedding stage was skipped (cache hit).")
    timings_s: dict[str, float] = Field(default_factory=dict)
    stored_bytes: int = Field(
        default=0, description="Bytes this job keeps in Redis: its compressed corpus, embeddings and map."
    )
    callback: Callback | None = Field(default=None, description="The webhook called when the job finishes.")
    versions: list[MapVersion] = Field(
        default_factory=list,
        description="Versions of the map, oldest first; version 1 (the pipeline's) is implied unless listed.",
    )
    shards: ShardProgress | None = Field(
        default=None, description="Embedding spread over workers (jobs above the worker's shard threshold)."
    )
    warnings: list[str] = Field(
        default_factory=list, description="What the job could not do as asked; the map was made anyway."
    )

    def history(self) -> list[MapVersion]:
        """Every version, oldest first: version 1 is implied (the pipeline's) unless the record keeps
        it (a map imported from a bundle keeps who made it)."""
        if self.versions and self.versions[0].number == 1:
            return list(self.versions)
        first = MapVersion(number=1, created_at=self.finished_at or self.created_at, author="pipeline")
        return [first, *self.versions]

    @property
    def latest_version(self) -> int:
        return self.versions[-1].number if self.versions else 1

    def corpus_of(self, version: int) -> str:
        """The corpus whose rows are the documents of map ``version``: the job's own unless documents
        were added to it (or to the version it derives from)."""
        entry = next((v for v in self.versions if v.number == version), None)
        return entry.corpus if entry is not None and entry.corpus else self.corpus

    def corpus_of_map(self, topic_map: TopicMap) -> str:
        """The corpus whose rows are the documents of ``topic_map``, a version of this job's map."""
        return topic_map.meta.corpus or self.corpus
