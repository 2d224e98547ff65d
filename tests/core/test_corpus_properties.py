"""Hostile inputs, generated (hypothesis): whatever bytes arrive, the corpus reader answers with a
corpus or a one-line error of a known kind (4xx in the API), never anything else, and it stops at
its caps."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topicmap.corpus import Caps, CorpusError, TooManyDocuments, parse_corpus

SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".txt")
CAPS = Caps(documents=50, columns=8)
KNOWN = (CorpusError, TooManyDocuments)


def parsed(data: bytes, suffix: str) -> None:
    try:
        corpus = parse_corpus(data, suffix=suffix, min_documents=1, caps=CAPS)
    except KNOWN as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert 1 <= len(corpus) <= CAPS.documents
    assert len(corpus.ids) == len(set(corpus.ids)) == len(corpus.texts) == len(corpus.metadata)
    assert all(text.strip() for text in corpus.texts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_give_a_corpus_or_a_known_error(data: bytes, suffix: str) -> None:
    parsed(data, suffix)


texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
bom = st.sampled_from([b"", b"\xef\xbb\xbf"])


@settings(max_examples=200, deadline=None)
@given(
    header=st.lists(texts, min_size=1, max_size=12),
    cells=st.lists(st.lists(texts, max_size=14), max_size=80),
    delimiter=st.sampled_from([",", "\t", ";"]),
    prefix=bom,
)
def test_delimited_files_of_any_shape(header: list[str], cells: list[list[str]], delimiter: str, prefix: bytes) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(cells)
    parsed(prefix + buffer.getvalue().encode(), ".tsv" if delimiter == "\t" else ".csv")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(items=st.lists(json_values | st.dictionaries(texts, json_values, max_size=10), max_size=80), wrap=st.booleans())
def test_json_and_jsonl_of_any_shape(items: list[object], wrap: bool) -> None:
    body = {"documents": items} if wrap else items
    parsed(json.dumps(body).encode(), ".json")
    parsed("\n".join(json.dumps(item) for item in items).encode(), ".jsonl")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_reading_stops_at_the_document_cap(suffix: str) -> None:
    """A million documents past the cap are never read: the error names the cap."""
    rows = {
        ".txt": b"word\n" * 1_000_000,
        ".csv": b"text\n" + b"some words\n" * 1_000_000,
        ".tsv": b"text\n" + b"some words\n" * 1_000_000,
        ".jsonl": b'"some words"\n' * 1_000_000,
        ".json": b"[" + b'"some words",' * 1_000_000 + b'"end"]',
    }[suffix]
    with pytest.raises(TooManyDocuments, match="more than 50"):
        parse_corpus(rows, suffix=suffix, caps=CAPS)
