"""The API process's cache of parsed corpora and maps (api/cache.py) is bounded by bytes."""

from __future__ import annotations

from api.cache import ParsedCache
from api.maps import corpus_bytes


def test_the_cache_keeps_bytes_not_documents() -> None:
    cache = ParsedCache(max_bytes=1_000_000)
    short = {"texts": ["a tweet"] * 1000}
    long = {"texts": ["x" * 10_000] * 60}  # 60 documents, 600 kB of text
    assert len(long["texts"]) < len(short["texts"]) and corpus_bytes(long) > 2 * corpus_bytes(short)
    cache.get("short", lambda: short, corpus_bytes)
    cache.get("long", lambda: long, corpus_bytes)
    cache.get("long-2", lambda: {"texts": ["y" * 10_000] * 60}, corpus_bytes)  # over the bound: oldest go
    assert cache.held <= 1_000_000
    loads: list[str] = []
    cache.get("short", lambda: loads.append("short") or short, corpus_bytes)
    assert loads == ["short"]  # evicted, loaded again
    huge = {"texts": ["z" * 2_000_000]}
    assert cache.get("huge", lambda: huge, corpus_bytes) is huge and cache.held <= 1_000_000  # not kept
