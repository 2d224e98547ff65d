from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from topicmap.corpus import CorpusError, corpus_from_documents, parse_corpus, read_corpus

TEXTS = [f"document number {i} about things" for i in range(12)]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_csv_with_bom_crlf_and_quoted_newlines(tmp_path: Path) -> None:
    body = "\r\n".join(f'{i},"{t}\r\nsecond line",x' for i, t in enumerate(TEXTS))
    path = write(tmp_path, "c.csv", "\ufeffid,text,tag\r\n" + body + "\r\n")
    corpus = read_corpus(path)
    assert len(corpus) == 12
    assert corpus.texts[0] == f"{TEXTS[0]}\r\nsecond line"
    assert corpus.ids[:2] == ["0", "1"]
    assert corpus.metadata[0] == {"tag": "x"}
    assert corpus.text_column == "text"


def test_a_csv_of_semicolons_from_a_spreadsheet_is_read_by_its_header(tmp_path: Path) -> None:
    """Spreadsheets where the comma is the decimal mark save .csv with semicolons; the header says so."""
    rows = "\n".join(f'{i};"{t}, with a comma";{i},5' for i, t in enumerate(TEXTS))
    corpus = read_corpus(write(tmp_path, "c.csv", "\ufeffid;text;score\n" + rows))
    assert corpus.texts[0] == f"{TEXTS[0]}, with a comma" and corpus.metadata[1] == {"score": "1,5"}
    piped = read_corpus(write(tmp_path, "p.csv", "id|text\n" + "\n".join(f"{i}|{t}" for i, t in enumerate(TEXTS))))
    assert piped.texts == TEXTS
    excel = read_corpus(
        write(tmp_path, "e.csv", "sep=;\r\nid;text\r\n" + "\r\n".join(f"{i};{t}" for i, t in enumerate(TEXTS)))
    )
    assert excel.texts == TEXTS and excel.text_column == "text"  # Excel's "sep=;" line names the delimiter
    one_column = read_corpus(write(tmp_path, "o.csv", "text\n" + "\n".join(f'"{t}; more"' for t in TEXTS)))
    assert one_column.texts[0] == f"{TEXTS[0]}; more"  # a header of one name: commas, as before


def test_a_column_of_dates_and_times_is_not_taken_for_the_text(tmp_path: Path) -> None:
    """A date-time such as 1/3/2024 2:23 AM has spaces as text does: with a date column beside the
    answers, the text column could not be told and a survey export needed --text-column."""
    rows = "\n".join(f"{i},{t},{i % 12 + 1}/3/2024 2:{i:02d} PM" for i, t in enumerate(TEXTS))
    corpus = read_corpus(write(tmp_path, "c.csv", "respondent,answer,submitted\n" + rows))
    assert corpus.text_column == "answer" and corpus.metadata[0]["submitted"] == "1/3/2024 2:00 PM"


QUALTRICS_HEAD = [
    ["StartDate", "ResponseId", "Q1", "Q2_TEXT"],
    ["Start Date", "Response ID", "How satisfied are you?", "What could we improve?"],
    ['{"ImportId":"startDate","timeZone":"America/Denver"}', '{"ImportId":"_recordId"}', '{"ImportId":"QID1"}', ""],
]


def test_a_qualtrics_export_starts_with_its_answers(tmp_path: Path) -> None:
    """Qualtrics writes each question's text and a row of ImportIds under the header: they were
    read as two documents ("What could we improve?" in a topic of its own)."""
    path = tmp_path / "survey.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        answers = [[f"2024-01-{i + 1:02d} 10:00:00", f"R_{i}", "Satisfied", t] for i, t in enumerate(TEXTS)]
        csv.writer(handle).writerows([*QUALTRICS_HEAD, *answers])
    corpus = read_corpus(path, text_column="Q2_TEXT")
    assert corpus.texts == TEXTS and corpus.n_received == len(TEXTS) and corpus.ids[0] == "0"


def test_a_surveymonkey_export_starts_with_its_answers(tmp_path: Path) -> None:
    """SurveyMonkey writes a second header row ("Response", "Open-Ended Response"): not an answer."""
    path = tmp_path / "survey.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        rows = [["Respondent ID", "How satisfied are you?", "What could we improve?"]]
        rows += [["", "Response", "Open-Ended Response"]]
        rows += [[f"11{i}", "Satisfied", t] for i, t in enumerate(TEXTS)]
        csv.writer(handle).writerows(rows)
    corpus = read_corpus(path, text_column="What could we improve?")
    assert corpus.texts == TEXTS and corpus.n_received == len(TEXTS)


def test_blank_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    """A blank first line was read as the header: "the file is empty", and the delimiter a comma."""
    rows = "\n".join(f"{i};{t}" for i, t in enumerate(TEXTS))
    corpus = read_corpus(write(tmp_path, "c.csv", "\ufeff\n  \n;;\n,,\nid;text\n" + rows))
    assert corpus.texts == TEXTS and corpus.text_column == "text"
    with pytest.raises(CorpusError, match="the file is empty: no header row"):
        read_corpus(write(tmp_path, "e.csv", "\n , \n\n"))


@pytest.mark.parametrize("name", ["c.txt", "c.csv", "c.json", "c.jsonl"])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_with_its_mark_is_read(tmp_path: Path, name: str, encoding: str) -> None:
    """Windows PowerShell's `>` and Out-File write UTF-16 with a byte-order mark: text, not a binary file."""
    content = {
        "c.txt": "\r\n".join(TEXTS),
        "c.csv": "id;text\r\n" + "\r\n".join(f"{i};{t}" for i, t in enumerate(TEXTS)),
        "c.json": json.dumps(TEXTS),
        "c.jsonl": "\n".join(json.dumps({"text": t}) for t in TEXTS),
    }[name]
    mark = "\ufeff".encode(encoding)
    assert read_corpus(write(tmp_path, name, mark + content.encode(encoding))).texts == TEXTS
    lone_surrogate = b"\xd8\x00" if encoding.endswith("be") else b"\x00\xd8"
    broken = mark + content.encode(encoding) + "\n".encode(encoding) + lone_surrogate
    with pytest.raises(CorpusError, match=r"not UTF-16 text .* save it as UTF-8"):
        read_corpus(write(tmp_path, name, broken))


def test_unnamed_and_repeated_columns_get_names_of_their_own(tmp_path: Path) -> None:
    rows = "\n".join(f"{i},{t},first,second," for i, t in enumerate(TEXTS))
    corpus = read_corpus(write(tmp_path, "c.csv", "id,text,note,note,\n" + rows))
    assert corpus.texts == TEXTS
    assert corpus.metadata[0] == {"note": "first", "note (2)": "second", "column 5": ""}
    repeated = read_corpus(write(tmp_path, "t.csv", "text,text\n" + "\n".join(f"{t},other" for t in TEXTS)))
    assert repeated.texts == TEXTS and repeated.metadata[0] == {"text (2)": "other"}  # the first is the text


def test_without_a_header_line_the_first_line_is_a_document(tmp_path: Path) -> None:
    """A file of answers with no header line: read with a header its first answer is a column's name
    and is lost; without one, every line is a document and the columns are named by their place."""
    one_column = write(tmp_path, "answers.csv", "\n\n" + "\n".join(TEXTS) + "\n")
    assert read_corpus(one_column).texts == TEXTS[1:]
    corpus = read_corpus(one_column, header=False)
    assert corpus.texts == TEXTS and corpus.text_column == "column 1" and corpus.ids[0] == "0"
    rows = "\n".join(f"{i}\t{t}\tteam {i % 2}" for i, t in enumerate(TEXTS))
    tabbed = read_corpus(write(tmp_path, "t.tsv", rows), header=False, id_column="column 1")
    assert tabbed.texts == TEXTS and tabbed.ids[3] == "3" and tabbed.metadata[1] == {"column 3": "team 1"}
    excel = read_corpus(write(tmp_path, "e.csv", "sep=;\n" + "\n".join(f"{t};x" for t in TEXTS)), header=False)
    assert excel.texts == TEXTS and excel.metadata[0] == {"column 2": "x"}
    with pytest.raises(CorpusError, match="malformed row at line 2: 1 fields, the first row has 2"):
        read_corpus(write(tmp_path, "m.csv", "a text,x\nanother text\n"), header=False)
    with pytest.raises(CorpusError, match="JSON has no header line"):
        read_corpus(write(tmp_path, "c.json", json.dumps(TEXTS)), header=False)
    assert read_corpus(write(tmp_path, "c.txt", "\n".join(TEXTS)), header=False).texts == TEXTS


def test_a_file_in_a_named_encoding_is_read_as_its_text(tmp_path: Path) -> None:
    """Excel's plain "CSV" on Windows is cp1252: refused as not UTF-8 (the message says what to do),
    read when its encoding is named; UTF-16 without its mark likewise."""
    answers = [f"l\u2019app n\u00b0{i} co\u00fbte trop cher, d\u00e9j\u00e0 \u20ac{i}" for i in range(12)]
    excel = write(
        tmp_path,
        "r.csv",
        ("id;r\u00e9ponse\r\n" + "".join(f"{i};{a}\r\n" for i, a in enumerate(answers))).encode("cp1252"),
    )
    with pytest.raises(CorpusError, match=r"line 1\); save it as UTF-8 .* --encoding in the CLI: cp1252"):
        read_corpus(excel)
    corpus = read_corpus(excel, encoding="CP1252")
    assert corpus.texts == answers and corpus.text_column == "r\u00e9ponse"
    assert read_corpus(excel, encoding="windows-1252", header=False, text_column="column 2").texts[0] == "r\u00e9ponse"
    plain = write(tmp_path, "p.txt", "\n".join(answers).encode("utf-16-le"))
    assert read_corpus(plain, encoding="utf-16-le").texts == answers
    utf8 = write(tmp_path, "u.txt", "\n".join(answers))
    assert read_corpus(utf8, encoding="utf-8").texts == read_corpus(utf8, encoding="UTF8").texts == answers
    undefined = write(tmp_path, "x.txt", b"\n".join([b"text one", b"text two", b"a \x81 byte cp1252 lacks"] * 5))
    with pytest.raises(CorpusError, match=r"x.txt: not cp1252 text \(invalid byte at line 3\)"):
        read_corpus(undefined, encoding="cp1252")
    with pytest.raises(CorpusError, match=r"u.txt: not punycode text"):
        read_corpus(utf8, encoding="punycode")
    for unknown in ("klingon", "base64", "rot13", "undefined"):
        with pytest.raises(CorpusError, match=f"unknown text encoding '{unknown}'"):
            read_corpus(utf8, encoding=unknown)
    with pytest.raises(CorpusError, match="unknown text encoding"):  # a fuzzer's: a 500 before
        read_corpus(utf8, encoding="i-\x00-8")


def test_tsv_picks_the_only_text_column(tmp_path: Path) -> None:
    rows = "\n".join(f"{i}\t{t}\t{i * 2.5}" for i, t in enumerate(TEXTS))
    corpus = read_corpus(write(tmp_path, "c.tsv", "key\tdescription\tscore\n" + rows))
    assert corpus.text_column == "description"
    assert corpus.texts == TEXTS


def test_a_column_of_one_word_answers_is_the_text_when_it_is_the_only_one_of_words(tmp_path: Path) -> None:
    """Answers of one word or one emoji have no space in them: a file of such answers (beside
    numbers) was refused with "cannot tell which column holds the text"."""
    answers = ["👍", "😡", "great", "slow", "👍👍", "meh", "love", "❤️", "bugs", "fine", "ok", "🙏"]
    single = read_corpus(write(tmp_path, "s.csv", "feedback\n" + "\n".join(answers)))
    assert single.text_column == "feedback" and single.texts == answers
    scored = "\n".join(f"{i},{i % 5 + 1},{a}" for i, a in enumerate(answers))
    assert read_corpus(write(tmp_path, "n.csv", "respondent,score,feedback\n" + scored)).text_column == "feedback"
    labelled = "\n".join(f"{a},{'praise' if i % 2 else 'complaint'}" for i, a in enumerate(answers))
    with pytest.raises(CorpusError, match="cannot tell which column holds the text"):  # two columns of words
        read_corpus(write(tmp_path, "l.csv", "feedback,kind\n" + labelled))


def test_of_two_text_columns_the_one_of_much_longer_texts_is_the_text(tmp_path: Path) -> None:
    """A ticket's subject beside its description was refused ("cannot tell which column holds the
    text"); the page picked the description. Alike lengths (two questions' answers) are still refused."""
    subjects = [f"Problem {i} with login" for i in range(len(TEXTS))]
    details = [f"{text}: the page said my password was wrong after I changed it twice" for text in TEXTS]
    pairs = enumerate(zip(subjects, details, strict=True))
    tickets = "\n".join(f'{i},"{subject}","{text}"' for i, (subject, text) in pairs)
    corpus = read_corpus(write(tmp_path, "t.csv", "ticket,subject,description\n" + tickets))
    assert corpus.text_column == "description" and corpus.texts == details
    assert corpus.metadata[0]["subject"] == subjects[0]  # the subject stays, as metadata
    papers = [{"title": subject, "abstract": text} for subject, text in zip(subjects, details, strict=True)]
    assert read_corpus(write(tmp_path, "p.json", json.dumps(papers))).text_column == "abstract"
    answers = "\n".join(f'"{text}","{text[::-1]}"' for text in TEXTS)
    with pytest.raises(CorpusError, match="cannot tell which column holds the text"):
        read_corpus(write(tmp_path, "a.csv", "what went well,what to improve\n" + answers))


def test_explicit_text_and_id_columns(tmp_path: Path) -> None:
    rows = "\n".join(f"k{i},{t},other words here" for i, t in enumerate(TEXTS))
    corpus = read_corpus(write(tmp_path, "c.csv", "key,body,notes\n" + rows), text_column="notes", id_column="key")
    assert corpus.texts[0] == "other words here"
    assert corpus.ids[0] == "k0"


def test_json_list_of_strings_and_of_objects(tmp_path: Path) -> None:
    assert read_corpus(write(tmp_path, "s.json", json.dumps(TEXTS))).texts == TEXTS
    objects = [{"id": f"d{i}", "content": t, "year": 2000 + i} for i, t in enumerate(TEXTS)]
    corpus = read_corpus(write(tmp_path, "o.json", json.dumps(objects)))
    assert corpus.ids[3] == "d3" and corpus.texts[3] == TEXTS[3] and corpus.metadata[3] == {"year": 2003}


def test_a_file_of_api_shaped_documents_has_their_meta_keys_as_columns(tmp_path: Path) -> None:
    documents = [{"text": t, "id": f"d{i}", "meta": {"team": "a", "year": 2000 + i}} for i, t in enumerate(TEXTS)]
    documents[0]["team"] = "top-level"  # a key beside meta wins over meta's
    for name, content in [
        ("api.json", json.dumps({"documents": documents})),
        ("api.jsonl", "\n".join(json.dumps(d) for d in documents)),
    ]:
        corpus = read_corpus(write(tmp_path, name, content))
        assert corpus.metadata[3] == {"team": "a", "year": 2003}, name
        assert corpus.metadata[0]["team"] == "top-level"
        assert corpus.metadata[1:] == corpus_from_documents(documents).metadata[1:]  # as if sent as JSON


def test_jsonl_and_txt(tmp_path: Path) -> None:
    jsonl = "\n".join(json.dumps({"text": t}) for t in TEXTS) + "\n\n"
    assert read_corpus(write(tmp_path, "c.jsonl", jsonl)).texts == TEXTS
    assert read_corpus(write(tmp_path, "c.txt", "\n".join(TEXTS))).texts == TEXTS


def test_empty_documents_are_dropped_and_counted(tmp_path: Path) -> None:
    corpus = read_corpus(write(tmp_path, "c.txt", "\n".join([*TEXTS, "   ", "", "\t"])))
    assert len(corpus) == 12
    assert (corpus.n_received, corpus.n_dropped) == (15, 3)


def test_an_exports_marks_of_missing_values_are_no_text(tmp_path: Path) -> None:
    """Spreadsheets and databases write N/A, NULL, nan for a missing answer; pandas reads them as
    missing. As documents they made a topic of their own, or joined one ("answered · quickly")."""
    marks = ["N/A", "n/a", "#N/A", "NULL", "null", "nan", "NaN", "<NA>", " N/A "]
    rows = [f"{i},{t}" for i, t in enumerate([*TEXTS, *marks, "None", "NA"])]
    corpus = read_corpus(write(tmp_path, "c.csv", "id,text\n" + "\n".join(rows)))
    assert corpus.texts == [*TEXTS, "None", "NA"]  # an answer "None" and "NA" (a place) stay
    assert (corpus.n_received, corpus.n_dropped) == (len(TEXTS) + len(marks) + 2, len(marks))


def test_in_memory_documents() -> None:
    corpus = corpus_from_documents(
        [*TEXTS[:6], *({"text": t, "id": f"x{i}", "meta": {"a": 1}} for i, t in enumerate(TEXTS[6:]))]
    )
    assert corpus.ids[0] == "0" and corpus.ids[6] == "x0" and corpus.metadata[6] == {"a": 1}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.csv", "id,text\n1,hello there\n", "too few documents: 1 non-empty, at least 10"),
        ("c.txt", "\n  \n\n", "the corpus is empty"),
        ("c.json", "[]", "the corpus is empty"),
        (
            "c.csv",
            "id,text\n" + "\n".join(f'{i},"t {i} x"' for i in range(12)) + '\n12,"unclosed\n',
            "malformed CSV at line",
        ),
        ("c.csv", "id,text\n1,a b\n2,c d,extra\n", "malformed row at line 3: 3 fields, the header has 2"),
        ("c.json", '[\n"a",\n"b"\n', "malformed JSON at line 4"),
        ("c.jsonl", '"one doc"\n{"text": "x"\n', "malformed JSON at line 2"),
        ("c.json", '{"a": 1}', "expected a JSON list"),
        ("c.bin", "x", "unsupported file type '.bin'"),
        ("c.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("c.txt", "caf\xe9 au lait\n".encode("latin-1"), "not UTF-8 text (invalid byte at line 1)"),
        (
            "c.csv",
            "id;texte\n1;l\u2019app\n".encode("cp1252"),
            "line 2); save it as UTF-8 (in Excel: Save As, 'CSV UTF-8'), or name its encoding",
        ),
        (
            "c.csv",
            b"id,text\n" + b"".join(b"%d,text %d\n" % (i, i) for i in range(3000)) + b"x,caf\xe9\n",
            "line 3002)",
        ),
        ("c.txt", b"".join(b"text %d\n" % i for i in range(3000)) + b"caf\xe9\n", "invalid byte at line 3001)"),
        (
            "c.csv",
            "a,b\n1,2\n3,4\n",
            "cannot tell which column holds the text; name it (text_column in the API, --text-column in the CLI), "
            "one of: a, b",
        ),
        ("c.csv", "", "the file is empty"),
    ],
)
def test_bad_input_has_a_one_line_message(tmp_path: Path, name: str, content: str | bytes, message: str) -> None:
    with pytest.raises(CorpusError) as error:
        read_corpus(write(tmp_path, name, content))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_unknown_text_column_lists_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,text,lang\n" + "\n".join(f"{i},{t},en" for i, t in enumerate(TEXTS)))
    with pytest.raises(CorpusError, match=r"unknown text column 'body'; the columns are: id, text, lang"):
        read_corpus(path, text_column="body")


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(CorpusError, match="duplicate id 'a'"):
        corpus_from_documents([{"text": t, "id": "a"} for t in TEXTS])


def test_missing_file() -> None:
    with pytest.raises(CorpusError, match="no such file"):
        read_corpus("/nonexistent/corpus.csv")


def test_parse_bytes_directly() -> None:
    data = ("text\n" + "\n".join(TEXTS)).encode()
    assert len(parse_corpus(data, suffix=".CSV")) == 12
