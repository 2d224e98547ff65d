"""Run one stored job: the logic behind the Celery task, testable without Celery.

A job is idempotent: a redelivered job that already finished, or that another live worker is
running, does no work. Each start counts an attempt; a job whose worker died ``MAX_ATTEMPTS``
times is failed instead of retried forever. Cancellation and the deadline are checked between
stages and embedding batches (the solo pool enforces neither).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import numpy.typing as npt
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import OutOfMemoryError  # type: ignore[attr-defined]  # missing from types-redis
from redis.exceptions import TimeoutError as RedisTimeoutError

from topicmap.errors import IllegalTransition
from topicmap.schemas import (
    MAX_ATTEMPTS,
    JobError,
    JobRecord,
    Progress,
    ShardProgress,
    TopicMap,
)
from topicmap.store import JobStore, gzip_written, is_terminal
from topicmap.terms import TermTable, presence_to_bytes
from topicmap.vectors import dump_array, load_array
from topicmap.views import attach_views
from worker import failpoints
from worker.assignments import run_assignment
from worker.progress import DeadlineExceeded, JobCancelled, ProgressReporter
from worker.shards import ShardFailed, Sharding, embed_sharded

if TYPE_CHECKING:
    from topicmap.pipeline.encoders import Encoder
    from topicmap.pipeline.run import EmbedFunction

logger = logging.getLogger("topicmap.worker")

# Share of a job's time each stage takes (measured on 20k documents on CPU), for the overall fraction.

T = TypeVar("T")
running_job: dict[str, str | None] = {"id": None}
"""The job this process is running, for the heartbeat thread."""


def execute_job(
    store: JobStore,
    job_id: str,
    *,
    worker_name: str,
    deadline_s: float,
    heartbeat_timeout_s: float,
    run: Callable[..., TopicMap] | None = None,
    sharding: Sharding | None = None,
) -> dict[str, Any]:
    """Run the job ``job_id`` to a terminal state; returns a small summary (the Celery result)."""
    record = store.get(job_id)
    if record is None:
        logger.warning("job not found (expired?)", extra={"job_id": job_id})
        return {"job_id": job_id, "outcome": "missing"}
    if is_terminal(record.state):
        return {"job_id": job_id, "outcome": f"already {record.state}"}
    now = time.time()
    if (
        record.state == "running"
        and record.worker != worker_name
        and (now - (record.heartbeat_at or 0)) < heartbeat_timeout_s
    ):
        return {"job_id": job_id, "outcome": "running elsewhere"}
    if store.cancel_requested(job_id):
        return finish(store, record, state="cancelled")
    if record.attempts >= MAX_ATTEMPTS:
        error = JobError(
            code="worker_lost", detail=f"the job stopped its worker {record.attempts} times; it is not retried"
        )
        return finish(store, record, state="failed", error=error)
    try:
        started = store.update(
            job_id,
            state="running",
            attempts=record.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            worker=worker_name,
            stage=None,
            progress=Progress(),
        )
    except IllegalTransition as exc:  # cancelled (or finished) since it was read
        return {"job_id": job_id, "outcome": f"already {exc.before}"}
    record = started or record
    logger.info("job started", extra={"job_id": job_id, "attempt": record.attempts})
    running_job["id"] = job_id
    try:
        if record.kind == "assignment":
            stored = run_assignment(store, record, deadline=now + deadline_s)
            return finish(store, record, state="succeeded", stored_bytes=record.stored_bytes + stored)
        terms: list[TermTable] = []
        topic_map = _run(
            store,
            record,
            deadline=now + deadline_s,
            run=run,
            sharding=sharding,
            worker_name=worker_name,
            on_terms=terms.append,
        )
    except JobCancelled:
        return finish(store, record, state="cancelled")
    except DeadlineExceeded:
        return finish(
            store,
            record,
            state="failed",
            error=JobError(code="deadline_exceeded", detail=f"the job ran longer than {deadline_s:.0f} s"),
        )
    except ShardFailed as exc:
        return finish(store, record, state="failed", error=JobError(code="shard_failed", detail=str(exc)))
    except UNREACHABLE:  # Redis went away under the job: left running, so the reaper runs it again
        logger.warning("redis unreachable during the job: it will be taken over", extra={"job_id": job_id})
        raise
    except ValueError as exc:  # bad input the API could not see, e.g. an unknown model
        return finish(store, record, state="failed", error=JobError(code="invalid_input", detail=str(exc)))
    except Exception as exc:
        logger.exception("job failed", extra={"job_id": job_id})
        return finish(
            store, record, state="failed", error=JobError(code="internal_error", detail=f"{type(exc).__name__}: {exc}")
        )
    finally:
        running_job["id"] = None
    try:
        failpoints.reached("store", record.attempts)
        map_bytes = patiently(
            lambda: store_result(store, job_id, topic_map, terms), job_id, "the map could not be stored", UNREACHABLE
        )
    except OutOfMemoryError:  # Redis at maxmemory: the job fails clearly (if that can still be written)
        logger.error("the map could not be stored: Redis is full", extra={"job_id": job_id})
        detail = "the job store is full (Redis maxmemory): the map could not be kept; run the job again later"
        return finish(store, record, state="failed", error=JobError(code="store_full", detail=detail))
    stored = (store.get(job_id) or record).stored_bytes + map_bytes
    timings = topic_map.meta.timings_s
    store.record_duration(timings.get("total", 0.0), topic_map.meta.n_documents)
    logger.info("job succeeded", extra={"job_id": job_id, "duration": timings.get("total"), "timings_s": timings})
    return finish(
        store,
        record,
        state="succeeded",
        timings=timings,
        cached=topic_map.meta.embedding.cached,
        stored_bytes=stored,
        warnings=topic_map.meta.warnings,
    )


def store_result(store: JobStore, job_id: str, topic_map: TopicMap, terms: list[TermTable]) -> int:
    """The map, the page's figure of it, and what edits need (term counts and presence); bytes stored."""
    map_bytes = store.put_map(job_id, topic_map)
    map_bytes += prerender_page_map(store, job_id, topic_map)
    if terms:  # what merges relabel from (topicmap/edits/regroup.py), kept as long as the map
        map_bytes += store.put_terms(job_id, 1, terms[0].to_bytes())
        if terms[0].presence is not None:  # and what moving documents updates the counts from
            map_bytes += store.put_presence(job_id, presence_to_bytes(terms[0].presence))
    return map_bytes


def prerender_page_map(store: JobStore, job_id: str, topic_map: TopicMap) -> int:
    """The page's figure of the map (no texts), stored as the API would on first request, so a big
    map opens in seconds once the job succeeds. Bytes stored; 0 when it could not be made (the API
    renders it on first request then)."""
    from topicmap.render.figures import document_map
    from topicmap.render.pages import figure_artifact, to_json

    try:
        blob = gzip_written(lambda out: out.write(to_json(document_map(topic_map)).encode()))
        store.put_artifact(job_id, f"v1/{figure_artifact('map', 'json', texts=False)}", blob)
    except Exception:
        logger.warning("the page's figure was not pre-rendered", extra={"job_id": job_id}, exc_info=True)
        return 0
    return len(blob)


def _run(
    store: JobStore,
    record: JobRecord,
    *,
    deadline: float,
    run: Callable[..., TopicMap] | None,
    sharding: Sharding | None = None,
    worker_name: str = "",
    on_terms: Callable[[TermTable], None] | None = None,
) -> TopicMap:
    from topicmap.pipeline.run import run_pipeline

    corpus = store.get_corpus(record.corpus)
    if corpus is None:
        raise ValueError("the corpus of this job has expired; submit it again")
    cached = store.get_embeddings(record.corpus, record.params.model)
    embeddings = load_array(cached) if cached else None
    reporter = ProgressReporter(
        store, record.id, deadline, skip_embedding=embeddings is not None, attempt=record.attempts
    )

    def remember(vectors: npt.NDArray[np.float32]) -> None:
        stored = store.put_embeddings(record.corpus, record.params.model, dump_array(vectors), for_job=record.id)
        store.add_stored_bytes(record.id, stored)

    texts = corpus["texts"]
    if embeddings is None and sharding is not None and len(set(texts)) > sharding.threshold:
        # Spread over workers; the embeddings are kept per text, not once more per corpus.
        embed = sharded_embedding(store, record, worker_name, sharding)
        topic_map = (run or run_pipeline)(
            texts, corpus["ids"], record.params, progress=reporter, embed=embed, on_terms=on_terms
        )
    else:
        topic_map = (run or run_pipeline)(
            texts,
            corpus["ids"],
            record.params,
            progress=reporter,
            embeddings=embeddings,
            on_embedded=remember,
            on_terms=on_terms,
        )
    attach_views(topic_map, corpus["metadata"], record.params)  # topics per class and over time
    return topic_map


def sharded_embedding(store: JobStore, record: JobRecord, worker_name: str, sharding: Sharding) -> EmbedFunction:
    def embed(texts: Sequence[str], encoder: Encoder, progress: Callable[[int, int], None]) -> npt.NDArray[np.float32]:
        return embed_sharded(
            store,
            record.id,
            texts,
            model=record.params.model,
            encoder=encoder,
            worker=worker_name,
            shard_size=sharding.size,
            stale_s=sharding.stale_s,
            dispatch=sharding.dispatch,
            progress=progress,
            on_shards=functools.partial(_record_shards, store, record.id),
        )

    return embed


def _record_shards(store: JobStore, job_id: str, summary: ShardProgress) -> None:
    store.update(job_id, shards=summary)


PATIENCE_S = 300.0
"""How long a worker keeps trying to store a finished map, or a job's final state, while Redis is
unreachable (restarting, partitioned) or refuses writes (full); after that the task fails and the
reaper takes the job over once Redis is back."""
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def patiently(action: Callable[[], T], job_id: str, what: str, retry_on: tuple[type[Exception], ...]) -> T:
    """``action()``, retried with backoff (0.5 s doubling to 10 s) for ``PATIENCE_S`` on ``retry_on``."""
    give_up_at = time.monotonic() + PATIENCE_S
    delay = 0.5
    while True:
        try:
            return action()
        except retry_on:
            if time.monotonic() + delay > give_up_at:
                raise
            logger.warning(f"{what}: Redis refused or is unreachable; retrying", extra={"job_id": job_id})
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


def finish(
    store: JobStore,
    record: JobRecord,
    *,
    state: str,
    error: JobError | None = None,
    timings: dict[str, float] | None = None,
    cached: bool = False,
    stored_bytes: int | None = None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    changes: dict[str, Any] = {"state": state, "finished_at": time.time(), "error": error, "eta_s": None}
    if state == "succeeded":
        changes.update(
            progress=Progress(done=1, total=1, fraction=1.0),
            timings_s=timings or {},
            embeddings_cached=cached,
            warnings=warnings or [],
        )
    if stored_bytes is not None:
        changes["stored_bytes"] = stored_bytes
    try:
        patiently(
            lambda: store.update(record.id, **changes),
            record.id,
            "the final state could not be written",
            (OutOfMemoryError, *UNREACHABLE),
        )
    except IllegalTransition as exc:  # e.g. cancelled while it ran: a final state stays final
        logger.info("job already final", extra={"job_id": record.id, "state": exc.before, "outcome": state})
        return {"job_id": record.id, "outcome": f"already {exc.before}"}
    if state != "succeeded":
        logger.info(f"job {state}", extra={"job_id": record.id, "error": error.code if error else None})
    return {"job_id": record.id, "outcome": state}
