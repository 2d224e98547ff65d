"""Everything topicmap keeps in Redis: corpora, job records, maps, embeddings, heartbeats.

Shared by the API and the worker; it imports redis-py and the contract, nothing heavy. Keys (all
under ``tm:``):

========================  ==========================================================  ==========
key                       value                                                       expires
========================  ==========================================================  ==========
corpus:{sha256}           zlib JSON {"texts", "ids", "metadata"}, stored once           retention
                          (a version with added documents has its own: MapVersion.corpus)
job:{id}                  JSON :class:`JobRecord`: the source of truth                  retention
jobs:{owner}              sorted set of the owner's job ids by creation time            retention
queue                     sorted set of queued job ids by creation time (positions)     retention
running                   sorted set of running job ids by start time                   retention
cancel:{id}               "1" when cancellation was asked                               retention
map:{id}                  gzip JSON :class:`TopicMap` (served to clients as stored)     retention
map:{id}:v{n}             version n ≥ 2 of the map (an edit), same format               the map's
artifacts:{id}            hash: "v{n}/name" → gzip bytes of a rendering of version n   the map's
                          (and terms, "doc-terms[/{corpus}].bin": term presence)
assignments:{id}          gzip JSON rows of an assignment job (documents put into a map) retention
embeddings:{sha}:{model}  zlib float16 embeddings, so other parameters skip embedding   retention
vec:{model}:{sha1}       float16 embedding of one text (sharded jobs: per document)    retention
shards:{id}               hash: shard index → JSON claim {state, worker, at, attempts}   retention
shard:{id}:{n}            zlib JSON texts of shard n of a sharded job                   retention
worker:{name}             JSON heartbeat {"name", "at", "job"}                          3 × beat
workers                   sorted set of worker names by last heartbeat                  3 × beat
idempotency:{owner}:{k}   "{job id} {request hash}"                                    1 day
durations                 list of the last 50 "{seconds} {documents}" of finished jobs  retention
stats                     hash of counters: submitted, succeeded, failed, cancelled     never (6 fields)
webhooks                  sorted set of job ids whose webhook is due, by due time       retention
user:{name}, users        people (topicmap/store/people.py)                             never
key:{sha256}, keyid:{id}  API keys of people, by hash and by id; user-keys:{name}       never
shares:{job}, …           shares of a map with people and by link (store/shares.py)     never
kept:{job}, library…      the library's index of kept maps (store/library.py)            never
========================  ==========================================================  ==========

People, keys and shares (store/people.py, store/shares.py) are records: they never expire. Every other key
expires, except ``stats`` (a fixed handful of counters). Each set is trimmed of members
older than retention when written. Every change of a job record is also published on the channel
``events:{id}`` (the record's JSON), and ``events:queue`` when a job leaves the queue, so progress
streams wait for messages instead of polling (api/events.py).
"""

from __future__ import annotations

from topicmap.errors import StaleVersion
from topicmap.store.base import HEARTBEAT_INTERVAL_S, PREFIX, QUEUE_EVENTS
from topicmap.store.blobs import Blobs
from topicmap.store.codec import gzip_bytes, gzip_written, inflate
from topicmap.store.copies import WorkingCopies
from topicmap.store.library import Library
from topicmap.store.people import People
from topicmap.store.quotas import Quotas, Usage
from topicmap.store.records import is_terminal
from topicmap.store.shares import Shares
from topicmap.store.versions import MapVersions
from topicmap.store.workers import Workers

__all__ = [
    "HEARTBEAT_INTERVAL_S",
    "PREFIX",
    "QUEUE_EVENTS",
    "JobStore",
    "StaleVersion",
    "Usage",
    "gzip_bytes",
    "gzip_written",
    "inflate",
    "is_terminal",
]


class JobStore(WorkingCopies, MapVersions, Blobs, Quotas, Workers, People, Shares, Library):
    """Typed access to topicmap's Redis keys, one part per concern (records, blobs, versions,
    quotas, workers, people, shares, working copies, the library's index). ``retention_s`` applies to
    everything a job owns."""
