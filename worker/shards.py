"""Embedding spread over workers: a big job's distinct texts in shards that any worker embeds.

The worker that runs a job above the shard threshold is its **coordinator**. It splits the distinct
texts into shards (in first-seen order, so the same corpus always gives the same shards), stores each
shard's texts under a key, and sends one Celery task per shard, by name, with only the job id and the
shard index in the message (``topicmap.embed_shard``). Every worker that receives one, and the
coordinator itself while it waits, takes shards through one claim table in Redis (a hash per job):

- a claim is atomic (a Lua script); a shard already done, or held by a worker that touched it within
  ``stale_s``, is not claimed again, so a duplicate delivery does nothing;
- a worker touches its shard after every batch; a shard whose worker went silent (killed, OOM) is
  claimed again by the next worker that looks, which counts an attempt; a shard that failed
  ``MAX_SHARD_ATTEMPTS`` times fails the job with its last error;
- embeddings are stored per text (float16, the job's retention), so a re-run, or a corpus that shares
  texts with an earlier one, embeds only texts not seen before.

When every shard is done the coordinator reads the embeddings back and runs the rest of the pipeline.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from topicmap.pipeline.embed import Embedder, unique_texts
from topicmap.pipeline.encoders import Encoder
from topicmap.schemas import ShardProgress
from topicmap.store import PREFIX, JobStore, is_terminal
from topicmap.vectors import decode_rows, encode_rows

logger = logging.getLogger("topicmap.worker")

MAX_SHARD_ATTEMPTS = 3
TOUCH_INTERVAL_S = 1.0
WAIT_INTERVAL_S = 0.5

# KEYS[1]: the claim table. ARGV: shard index or "" for any, worker, now, stale_s, max attempts.
# Returns the claimed index, or -1. A shard out of attempts is marked failed instead.
CLAIM = """
local now, stale, most = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function try(i)
  local raw = redis.call('HGET', KEYS[1], tostring(i))
  if not raw then return false end
  local s = cjson.decode(raw)
  if s.state == 'done' or s.state == 'failed' then return false end
  if s.state == 'running' and s.at > now - stale then return false end
  if s.attempts >= most then
    s.state = 'failed'
    if not s.error or s.error == '' then s.error = 'its worker stopped ' .. s.attempts .. ' times' end
    redis.call('HSET', KEYS[1], tostring(i), cjson.encode(s))
    return false
  end
  s.state, s.worker, s.at, s.attempts = 'running', ARGV[2], now, s.attempts + 1
  redis.call('HSET', KEYS[1], tostring(i), cjson.encode(s))
  return true
end
if ARGV[1] ~= '' then
  if try(tonumber(ARGV[1])) then return tonumber(ARGV[1]) end
  return -1
end
local total = tonumber(redis.call('HGET', KEYS[1], 'total') or '0')
for i = 0, total - 1 do
  if try(i) then return i end
end
return -1
"""

# KEYS[1]: the claim table. ARGV: index, worker, now, new state ("running" touches, "done", "pending"),
# error. Only the worker holding the claim changes it.
SET_STATE = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local s = cjson.decode(raw)
if s.state ~= 'running' or s.worker ~= ARGV[2] then return 0 end
s.state, s.at = ARGV[4], tonumber(ARGV[3])
if ARGV[5] ~= '' then s.error = ARGV[5] end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(s))
return 1
"""


@dataclass(frozen=True)
class Sharding:
    """When and how a worker splits a job's embedding (worker settings, and the Celery group)."""

    threshold: int
    """Jobs with more distinct documents than this are sharded."""
    size: int
    """Distinct documents per shard."""
    stale_s: float
    """A shard whose worker was silent this long is claimed again."""
    dispatch: Callable[[str, int], None]


class ShardFailed(Exception):
    """A shard failed ``MAX_SHARD_ATTEMPTS`` times; the job fails with this message."""


class ShardStopped(Exception):
    """The job ended (cancelled, failed) while a shard was being embedded."""


def plan_shards(n_texts: int, shard_size: int) -> list[tuple[int, int]]:
    """Ranges ``[start, end)`` of about ``shard_size`` texts each, covering ``n_texts``."""
    if shard_size < 1:
        raise ValueError("shard_size must be at least 1")
    count = max(1, round(n_texts / shard_size))
    bounds = np.linspace(0, n_texts, count + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds)]


@dataclass
class ShardBoard:
    """A job's shards in Redis: each shard's texts, and the claim table."""

    store: JobStore
    job_id: str

    @property
    def key(self) -> str:
        return f"{PREFIX}shards:{self.job_id}"

    def texts_key(self, index: int) -> str:
        return f"{PREFIX}shard:{self.job_id}:{index}"

    def create(self, shards: Sequence[Sequence[str]]) -> bool:
        """Store the shards unless the job already has them (a resumed job keeps its progress)."""
        client, ttl = self.store.redis, self.store.retention_s
        if client.exists(self.key):
            return False
        pipe = client.pipeline()
        sizes: dict[str, int] = {}
        for index, texts in enumerate(shards):
            blob = zlib.compress(json.dumps(list(texts)).encode(), 1)
            pipe.set(self.texts_key(index), blob, ex=ttl)
            sizes[self.texts_key(index)] = len(blob)
        fresh = json.dumps({"state": "pending", "worker": "", "at": 0, "attempts": 0, "error": ""})
        pipe.hset(self.key, mapping={"total": len(shards), **{str(i): fresh for i in range(len(shards))}})
        pipe.expire(self.key, ttl)
        pipe.execute()
        self.store.charge_job(self.job_id, sizes)  # until dropped when the embedding is done
        return True

    def total(self) -> int:
        value = self.store.redis.hget(self.key, "total")
        return int(value) if value else 0

    def texts(self, index: int) -> list[str] | None:
        data = self.store.redis.get(self.texts_key(index))
        return json.loads(zlib.decompress(data)) if data else None  # type: ignore[arg-type]

    def claim(self, worker: str, stale_s: float, index: int | None = None) -> int:
        """Claim shard ``index`` (or any claimable one); -1 when there is none."""
        arguments = ("" if index is None else index, worker, time.time(), stale_s, MAX_SHARD_ATTEMPTS)
        return int(self.store.redis.eval(CLAIM, 1, self.key, *arguments))  # type: ignore[no-untyped-call]

    def set_state(self, index: int, worker: str, state: str, error: str = "") -> bool:
        arguments = (index, worker, time.time(), state, error)
        return bool(self.store.redis.eval(SET_STATE, 1, self.key, *arguments))  # type: ignore[no-untyped-call]

    def claims(self) -> list[dict[str, Any]]:
        raw = self.store.redis.hgetall(self.key)
        total = int(raw.get(b"total", 0))
        return [json.loads(raw[str(i).encode()]) for i in range(total) if str(i).encode() in raw]

    def drop(self) -> None:
        total = self.total()
        self.store.redis.delete(self.key, *(self.texts_key(i) for i in range(total)))
        self.store.release_job(self.job_id, [self.texts_key(i) for i in range(total)])


def progress_of(claims: Sequence[dict[str, Any]], documents: int) -> ShardProgress:
    workers: dict[str, int] = {}
    for claim in claims:
        if claim["state"] == "done":
            workers[claim["worker"]] = workers.get(claim["worker"], 0) + 1
    return ShardProgress(
        total=len(claims),
        done=sum(workers.values()),
        documents=documents,
        workers=workers,
        retried=sum(max(0, int(c["attempts"]) - 1) for c in claims),
    )


@dataclass
class ShardEmbedder:
    """Embeds claimed shards on this worker; shared by the coordinator and the shard task."""

    store: JobStore
    board: ShardBoard
    model: str
    encoder: Encoder
    worker: str
    stale_s: float
    should_stop: Callable[[], bool] = lambda: False
    on_batch: Callable[[int, int], None] | None = None
    _last_touch: float = field(default=0.0, init=False)

    def run(self, index: int) -> None:
        """Embed claimed shard ``index``: only texts without a stored embedding."""
        texts = self.board.texts(index)
        if texts is None:
            raise ShardStopped(f"shard {index} has expired")
        stored = self.store.get_vectors(self.model, texts)
        missing = [i for i, row in enumerate(stored) if row is None]
        if missing:

            def batch_done(done: int, total: int) -> None:
                now = time.monotonic()
                if now - self._last_touch >= TOUCH_INTERVAL_S:
                    self._last_touch = now
                    if self.should_stop():
                        raise ShardStopped("the job ended")
                    self.board.set_state(index, self.worker, "running")
                try:
                    if self.on_batch is not None:
                        self.on_batch(done, total)
                except Exception as exc:  # the coordinator's progress: cancelled, deadline
                    raise ShardStopped("the job stopped") from exc

            vectors = Embedder(encoder=self.encoder).fit([texts[i] for i in missing], on_batch=batch_done).embeddings_
            self.store.put_vectors(
                self.model, [texts[i] for i in missing], encode_rows(vectors), for_job=self.board.job_id
            )
        self.board.set_state(index, self.worker, "done")

    def run_claimed(self, index: int) -> bool:
        """Run a claimed shard; a failure hands it back (with the error) for another attempt."""
        try:
            self.run(index)
        except ShardStopped as stop:
            self.board.set_state(index, self.worker, "pending")
            if stop.__cause__ is not None:
                raise stop.__cause__ from None
            raise
        except Exception as exc:
            logger.exception("shard failed", extra={"job_id": self.board.job_id, "shard": index})
            self.board.set_state(index, self.worker, "pending", f"{type(exc).__name__}: {exc}")
            return False
        return True

    def run_any(self) -> int:
        """Claim and embed shards until none is left to claim; returns how many this worker embedded."""
        embedded = 0
        while (index := self.board.claim(self.worker, self.stale_s)) >= 0:
            embedded += self.run_claimed(index)
        return embedded


def embed_sharded(
    store: JobStore,
    job_id: str,
    texts: Sequence[str],
    *,
    model: str,
    encoder: Encoder,
    worker: str,
    shard_size: int,
    stale_s: float,
    dispatch: Callable[[str, int], None],
    progress: Callable[[int, int], None],
    on_shards: Callable[[ShardProgress], None],
) -> npt.NDArray[np.float32]:
    """The coordinator's side: plan, dispatch, embed shards too, wait, and gather the embeddings.

    ``dispatch(job_id, n_shards)`` sends the shard tasks (a Celery group); ``progress`` receives
    (distinct texts embedded, distinct texts) and may raise to stop the job;
    ``on_shards`` receives the shard table's summary whenever it changes.
    """
    unique, inverse = unique_texts(texts)
    ranges = plan_shards(len(unique), shard_size)
    board = ShardBoard(store, job_id)
    if board.create([unique[a:b] for a, b in ranges]):
        logger.info("job sharded", extra={"job_id": job_id, "shards": len(ranges), "documents": len(unique)})
    dispatch(job_id, len(ranges))
    try:
        vectors = _coordinate(store, board, [b - a for a, b in ranges], unique, model, encoder, worker, stale_s,
                              progress, on_shards)  # fmt: skip
    finally:
        board.drop()  # shard texts and claims; the embeddings stay (the per-text cache)
    return vectors[inverse]


def _coordinate(
    store: JobStore,
    board: ShardBoard,
    sizes: list[int],
    unique: list[str],
    model: str,
    encoder: Encoder,
    worker: str,
    stale_s: float,
    progress: Callable[[int, int], None],
    on_shards: Callable[[ShardProgress], None],
) -> npt.NDArray[np.float32]:
    embedder = ShardEmbedder(store, board, model, encoder, worker, stale_s)
    summary: ShardProgress | None = None
    while True:
        claims = board.claims()
        failed = [(i, c) for i, c in enumerate(claims) if c["state"] == "failed"]
        if failed:
            index, claim = failed[0]
            raise ShardFailed(f"shard {index + 1} of {len(claims)} failed {claim['attempts']} times: {claim['error']}")
        current = progress_of(claims, len(unique))
        if current != summary:
            summary = current
            on_shards(current)
        done = sum(size for size, claim in zip(sizes, claims, strict=True) if claim["state"] == "done")
        progress(done, len(unique))
        if current.done == len(claims):
            break
        index = board.claim(worker, stale_s)
        if index < 0:
            time.sleep(WAIT_INTERVAL_S)
            continue
        embedder.on_batch = functools.partial(_progress_within, progress, done, len(unique))
        embedder.run_claimed(index)
    rows = store.get_vectors(model, unique)
    if any(row is None for row in rows):
        raise ShardFailed("embeddings of finished shards have expired; submit the job again")
    return decode_rows([row for row in rows if row is not None], encoder.dimensions)


def _progress_within(progress: Callable[[int, int], None], before: int, total: int, done: int, _: int) -> None:
    progress(min(before + done, total), total)


def run_shard_task(
    store: JobStore, job_id: str, index: int, *, worker: str, stale_s: float, load: Callable[[str], Encoder]
) -> dict[str, Any]:
    """A worker's side (the Celery task): claim shard ``index``, then any other left, and embed them."""
    record = store.get(job_id)
    if record is None or is_terminal(record.state):
        return {"job_id": job_id, "shard": index, "outcome": "job finished"}
    board = ShardBoard(store, job_id)
    encoder = load(record.params.model)  # before claiming: loading must not look like a silent worker

    def stopped() -> bool:
        current = store.get(job_id)
        return current is None or is_terminal(current.state) or store.cancel_requested(job_id)

    embedder = ShardEmbedder(store, board, record.params.model, encoder, worker, stale_s, should_stop=stopped)
    embedded = 0
    try:
        if board.claim(worker, stale_s, index) >= 0:
            embedded += embedder.run_claimed(index)
        embedded += embedder.run_any()
    except ShardStopped:
        return {"job_id": job_id, "shard": index, "outcome": "job ended", "embedded": embedded}
    return {"job_id": job_id, "shard": index, "outcome": "done", "embedded": embedded}
