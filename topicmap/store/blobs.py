"""Content-addressed blobs: corpora (by content hash), embeddings (per corpus and model) and vectors (per text)."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from typing import Any

from topicmap.bundle import corpus_hash
from topicmap.store.base import PREFIX
from topicmap.store.ledger import Ledger


class Blobs(Ledger):
    @staticmethod
    def corpus_hash(texts: Sequence[str], ids: Sequence[str]) -> str:
        return corpus_hash(texts, ids)

    @classmethod
    def compress_corpus(
        cls, texts: Sequence[str], ids: Sequence[str], metadata: Sequence[dict[str, Any]]
    ) -> tuple[str, bytes]:
        """(content hash, compressed bytes) of a corpus: its size is known before anything is stored."""
        payload = json.dumps({"texts": list(texts), "ids": list(ids), "metadata": list(metadata)})
        return cls.corpus_hash(texts, ids), zlib.compress(payload.encode(), 6)

    def put_corpus_blob(self, sha: str, blob: bytes, *, for_job: str | None = None) -> None:
        """Store a compressed corpus (or keep the stored one longer); ``for_job``: count it toward
        that job's owner (the API counts a submission's corpus itself, against the quota)."""
        key = f"{PREFIX}corpus:{sha}"
        if not self.redis.expire(key, self.retention_s):  # already stored: just keep it longer
            self.redis.set(key, blob, ex=self.retention_s)
        if for_job is not None:
            self.charge_job(for_job, {key: len(blob)})

    def put_corpus(self, texts: Sequence[str], ids: Sequence[str], metadata: Sequence[dict[str, Any]]) -> str:
        sha, blob = self.compress_corpus(texts, ids, metadata)
        self.put_corpus_blob(sha, blob)
        return sha

    def get_corpus(self, sha: str) -> dict[str, Any] | None:
        data = self.redis.get(f"{PREFIX}corpus:{sha}")
        return json.loads(zlib.decompress(data)) if data else None  # type: ignore[arg-type]

    def put_embeddings(self, corpus: str, model: str, data: bytes, *, for_job: str | None = None) -> int:
        """Store the embeddings, counted toward ``for_job``'s owner; returns the bytes stored."""
        blob = zlib.compress(data, 1)
        key = self._embedding_key(corpus, model)
        self.redis.set(key, blob, ex=self.retention_s)
        if for_job is not None:
            self.charge_job(for_job, {key: len(blob)})
        return len(blob)

    def get_embeddings(self, corpus: str, model: str) -> bytes | None:
        data = self.redis.get(self._embedding_key(corpus, model))
        return zlib.decompress(data) if data else None  # type: ignore[arg-type]

    @staticmethod
    def _embedding_key(corpus: str, model: str) -> str:
        return f"{PREFIX}embeddings:{corpus}:{hashlib.sha256(model.encode()).hexdigest()[:16]}"

    def put_vectors(
        self, model: str, texts: Sequence[str], rows: Sequence[bytes], *, for_job: str | None = None
    ) -> int:
        """Store one embedding (bytes) per text, counted toward ``for_job``'s owner as one batch;
        returns the bytes stored."""
        keys = self._vector_keys(model, texts)
        pipe = self.redis.pipeline(transaction=False)
        for key, row in zip(keys, rows, strict=True):
            pipe.set(key, row, ex=self.retention_s)
        pipe.execute()
        stored = sum(len(row) for row in rows)
        if for_job is not None and keys:
            self.charge_job(for_job, {f"{PREFIX}vec:job:{for_job}:{keys[0].rsplit(':', 1)[-1]}": stored})
        return stored

    def get_vectors(self, model: str, texts: Sequence[str], chunk: int = 2000) -> list[bytes | None]:
        """The stored embedding of each text, or None; their lifetime restarts (they are in use)."""
        keys = self._vector_keys(model, texts)
        found: list[bytes | None] = []
        for start in range(0, len(keys), chunk):
            found.extend(self.redis.mget(keys[start : start + chunk]))
        pipe = self.redis.pipeline(transaction=False)
        for key, row in zip(keys, found, strict=True):
            if row is not None:
                pipe.expire(key, self.retention_s)
        pipe.execute()
        return found

    def _vector_keys(self, model: str, texts: Sequence[str]) -> list[str]:
        prefix = f"{PREFIX}vec:{hashlib.sha256(model.encode()).hexdigest()[:16]}:"
        return [prefix + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest() for text in texts]
