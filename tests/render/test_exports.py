from __future__ import annotations

import csv
import io

from tests.api.maps import XSS, small_map
from topicmap.render.exports import neutralise, write_documents_csv


def test_one_row_per_document_with_metadata_and_quotes() -> None:
    topic_map, texts = small_map()
    texts[0] = 'he said "hi", then\nleft'
    metadata = [{"lang": "en"} for _ in texts]
    out = io.StringIO()
    write_documents_csv(out, topic_map, texts, metadata)
    assert out.getvalue().startswith("\ufeffid,")  # UTF-8's mark: Excel reads the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.getvalue().removeprefix("\ufeff"))))
    assert len(rows) == 9
    assert list(rows[0]) == ["id", "topic", "label", "x", "y", "outlier", "text", "lang"]
    assert rows[0]["text"] == texts[0] and rows[0]["label"] == "rocket · orbit"
    assert rows[4]["text"].startswith(XSS)
    assert rows[8]["topic"] == "-1" and rows[8]["outlier"] == "True"


def test_metadata_named_like_a_derived_column_is_kept_under_another_name() -> None:
    topic_map, texts = small_map()
    metadata = [{"label": f"section {i}", "topic": "mine", "metadata_label": "taken", "lang": "en"} for i in range(9)]
    out = io.StringIO()
    write_documents_csv(out, topic_map, texts, metadata)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().removeprefix("\ufeff"))))
    header = list(rows[0])
    assert header[:7] == ["id", "topic", "label", "x", "y", "outlier", "text"]
    # the upload's own names stay; a clashing one takes the prefix until it is free
    assert header[7:] == ["metadata_metadata_label", "metadata_topic", "metadata_label", "lang"]
    assert [row["metadata_metadata_label"] for row in rows] == [f"section {i}" for i in range(9)]
    assert rows[0]["metadata_topic"] == "mine" and rows[0]["metadata_label"] == "taken"
    assert rows[0]["topic"] == str(topic_map.documents.topic[0]) and rows[0]["label"] != "section 0"


def test_formula_cells_are_neutralised() -> None:
    assert [neutralise(v) for v in ["=1+1", "+A1", "-2", "@SUM", "fine", 3]] == [
        "'=1+1",
        "'+A1",
        "'-2",
        "'@SUM",
        "fine",
        3,
    ]


def test_column_names_from_the_upload_are_neutralised_too() -> None:
    topic_map, texts = small_map()
    metadata = [{'=HYPERLINK("http://x","y")': "1", "@team": "a"} for _ in texts]
    out = io.StringIO()
    write_documents_csv(out, topic_map, texts, metadata)
    header = next(csv.reader(io.StringIO(out.getvalue().removeprefix("\ufeff"))))
    assert header[7:] == ['\'=HYPERLINK("http://x","y")', "'@team"] and header[:7][0] == "id"
