"""The ``topicmap`` command: every input format, every bad input, the outputs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def documents(sample_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """60 real descriptions (12 per section) keep each run to a few seconds."""
    by_section: dict[str, list[dict[str, str]]] = {}
    for row in sample_rows:
        by_section.setdefault(row["section"], []).append(row)
    return [row for rows in by_section.values() for row in rows[:12]]


def write_format(path: Path, rows: list[dict[str, str]]) -> Path:
    if path.suffix in (".csv", ".tsv"):
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=["id", "section", "text"], delimiter="\t" if path.suffix == ".tsv" else ","
            )
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".json":
        path.write_text(json.dumps(rows), encoding="utf-8")
    elif path.suffix == ".jsonl":
        path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    else:
        path.write_text("\n".join(r["text"] for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".jsonl", ".txt"])
def test_every_format_gives_a_map(
    tmp_path: Path, documents: list[dict[str, str]], suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_format(tmp_path / f"corpus{suffix}", documents)
    out = tmp_path / "out"
    quiet = [] if suffix == ".csv" else ["--quiet"]
    assert main(["fit", str(source), "--out", str(out), "--min-topic-size", "5", *quiet]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip() == str(out / "map.html")
    topic_map = json.loads((out / "map.json").read_text())
    if not quiet:  # the map at a glance: the largest topic first, with its share, and where the rest are
        largest = topic_map["topics"][0]
        share = 100 * largest["size"] / topic_map["meta"]["n_documents"]
        assert f"{share:5.1f}%  {largest['label']} ({largest['size']})" in printed.err
        assert printed.err.rstrip().endswith(str(out / "topics.csv"))
    else:
        assert "%  " not in printed.err
    assert topic_map["meta"]["n_documents"] == 60 and topic_map["meta"]["params"]["min_topic_size"] == 5
    with (out / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60 and rows[0]["text"] == documents[0]["text"]
    assert {"duplicate_group", "strength", "topic_2", "strength_2", "topic_3", "strength_3"} <= set(rows[0])
    assert ("section" in rows[0]) == (suffix != ".txt")
    expected_id = "0" if suffix == ".txt" else documents[0]["id"]
    assert rows[0]["id"] == expected_id
    with (out / "topics.csv").open(encoding="utf-8-sig", newline="") as handle:
        topics = list(csv.DictReader(handle))  # the table a report starts from: one row per topic
    assert [int(t["size"]) for t in topics] == [t["size"] for t in topic_map["topics"]]
    assert topics[0]["label"] == topic_map["topics"][0]["label"] and topics[0]["coarse_theme"]
    assert topics[0]["representative_1"] in {r["text"] for r in rows}
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "<script src=" not in page and "scattergl" in page
    hierarchy = topic_map["hierarchy"]
    assert hierarchy["levels"][-1] == "fine" and hierarchy["nodes"][0]["id"] == "root"
    assert "sunburst" in page and page.count("plotly.js v") == 1  # three figures, plotly.js inlined once


def test_topics_and_seed_options(tmp_path: Path, documents: list[dict[str, str]]) -> None:
    source = write_format(tmp_path / "c.csv", documents)
    command = ["fit", str(source), "--out", str(tmp_path / "a"), "--topics", "3", "--seed", "7", "--quiet", "--png"]
    assert main(command) == 0
    topic_map = json.loads((tmp_path / "a" / "map.json").read_text())
    assert topic_map["meta"]["quality"]["n_topics"] <= 3 and topic_map["meta"]["seed"] == 7
    picture = (tmp_path / "a" / "map.png").read_bytes()  # --png: a picture of the map beside the rest
    assert picture.startswith(b"\x89PNG\r\n\x1a\n") and len(picture) > 20_000
    one_per = ["fit", str(source), "--out", str(tmp_path / "b"), "--one-per-duplicate-group", "--quiet"]
    assert main(one_per) == 0
    params = json.loads((tmp_path / "b" / "map.json").read_text())["meta"]["params"]
    assert params["one_per_duplicate_group"] is True


def test_xss_document_is_escaped_in_the_html(tmp_path: Path, documents: list[dict[str, str]]) -> None:
    rows = [dict(r) for r in documents]
    rows[0]["text"] = "<script>alert(1)</script> a package that draws fonts " + rows[0]["text"]
    source = write_format(tmp_path / "c.jsonl", rows)
    assert main(["fit", str(source), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    page = (tmp_path / "o" / "map.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


BAD_INPUTS = [
    ("empty.txt", "\n \n", "the corpus is empty"),
    ("few.txt", "one document\nand another", "too few documents: 2 non-empty, at least 10"),
    ("bad.csv", 'id,text\n1,"unclosed\n', "malformed CSV at line"),
    ("ragged.csv", "text\nhello,world,extra\n", "malformed row at line 2: 3 fields, the header has 1"),
    ("bad.json", '[\n"a",\n', "malformed JSON at line 3"),
    ("bad.jsonl", '{"text": "ok"}\n{"text": oops}\n', "malformed JSON at line 2"),
    ("columns.json", '{"text": {"0": "a", "1": "b"}, "score": {"0": 1}}', "an object of columns, as pandas' to_json()"),
    ("split.json", '{"columns": ["text"], "index": [0], "data": [["a"]]}', "pandas' orient='split'"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
    ("latin1.txt", "d\xe9j\xe0 vu\n".encode("latin-1"), "not UTF-8 text"),
    ("data.xlsx", "x", "unsupported file type '.xlsx'; use one of .csv, .tsv, .json, .jsonl, .txt; a spreadsheet"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, name: str, content: str | bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = run_command("fit", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.startswith("topicmap: error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_column_missing_file_bad_model_and_bad_params(tmp_path: Path, documents: list[dict[str, str]]) -> None:
    source = write_format(tmp_path / "c.csv", documents)
    cases = [
        (["--text-column", "body"], "unknown text column 'body'; the columns are: id, section, text"),
        (["--model", str(tmp_path / "nope")], "embedding model"),
        (["--min-topic-size", "1"], "invalid --min-topic-size"),
        (["--topics", "0"], "invalid --topics: Input should be greater than or equal to 2"),
        (["--n-topics", "0"], "invalid --topics: Input should be greater than or equal to 2"),  # the API's name
        (["--n-neighbors", "1"], "invalid --neighbors"),
        (["--encoding", "klingon"], "unknown text encoding 'klingon' (for example utf-8, cp1252"),
    ]
    for extra, message in cases:
        result = run_command("fit", str(source), *extra)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    missing = run_command("fit", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_the_text_column_chosen_is_named(
    tmp_path: Path, documents: list[dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Of a title and a description, the description is the text (it was refused), and fit says so."""
    source = tmp_path / "titled.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "description"])
        writer.writerows((" ".join(row["text"].split()[:3]), row["text"]) for row in documents)
    assert main(["fit", str(source), "--out", str(tmp_path / "out"), "--class-column", "team"]) == 2  # stops early
    assert "the texts are column 'description' (--text-column names another)" in capsys.readouterr().err
    write_format(tmp_path / "named.csv", documents)
    assert main(["fit", str(tmp_path / "named.csv"), "--out", str(tmp_path / "out"), "--class-column", "team"]) == 2
    assert "the texts are column" not in capsys.readouterr().err  # a column named text says so itself
    headerless = tmp_path / "answers.csv"  # one column, no header line: its first text is taken for a name
    with headerless.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([row["text"]] for row in documents)
    assert main(["fit", str(headerless), "--out", str(tmp_path / "out"), "--class-column", "team"]) == 2
    err = capsys.readouterr().err
    assert "was read as the column's name: if it is a text, run again with --no-header" in err
    assert documents[0]["text"][:20] in err
    assert main(["fit", str(headerless), "--no-header", "--out", str(tmp_path / "out"), "--class-column", "c"]) == 2
    err = capsys.readouterr().err  # every line a document, of the one column: nothing to note
    assert "the texts are" not in err and "column's name" not in err
    with headerless.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([row["text"], row["section"]] for row in documents)
    assert main(["fit", str(headerless), "--no-header", "--out", str(tmp_path / "out"), "--class-column", "c"]) == 2
    err = capsys.readouterr().err  # columns named by their place
    assert "the texts are column 'column 1'" in err and "their columns are: column 2" in err


def test_a_file_in_the_windows_code_page_is_read_with_its_encoding(
    tmp_path: Path, documents: list[dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Excel's plain "CSV" on Windows: refused as not UTF-8 with a message that names --encoding;
    read with it (fit stops at the unknown class column, after naming the file's columns)."""
    source = tmp_path / "r\u00e9ponses.csv"
    rows = [{**row, "text": f"caf\u00e9 \u2013 {row['text']}"} for row in documents]
    with source.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "section", "text"], delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    out = str(tmp_path / "out")
    assert main(["fit", str(source), "--out", out]) == 2
    assert "not UTF-8 text (invalid byte at line 2)" in capsys.readouterr().err
    assert main(["fit", str(source), "--encoding", "cp1252", "--out", out, "--class-column", "team"]) == 2
    assert "réponses.csv: class_column: the documents have no column 'team'; their columns are: section" in (
        capsys.readouterr().err
    )


def test_help_documents_the_options() -> None:
    result = run_command("fit", "--help")
    assert result.returncode == 0
    for option in ["--text-column", "--out", "--min-topic-size", "--topics", "--seed", "--model", ".jsonl", "map.html"]:
        assert option in result.stdout


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("topicmap")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=300)


def test_edit_writes_the_next_version_beside_the_first(
    tmp_path: Path, documents: list[dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["fit", str(write_format(tmp_path / "c.csv", documents)), "--out", str(out), "--quiet"]) == 0
    first = json.loads((out / "map.json").read_text())
    capsys.readouterr()

    assert main(["edit", str(out), "--rename", "0=Networking & <b>servers</b>"]) == 0
    assert capsys.readouterr().out.strip() == str(out / "map.v2.json")
    second = json.loads((out / "map.v2.json").read_text())
    assert second["topics"][0]["label"] == "Networking & <b>servers</b>" and second["topics"][0]["named_by"] == "person"
    assert json.loads((out / "map.json").read_text()) == first  # version 1 stays as it was
    with (out / "documents.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["label"] for r in rows if r["topic"] == "0"} == {"Networking & <b>servers</b>"}
    assert len(rows) == 60 and rows[0]["section"]  # texts and metadata carried over
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "Networking &amp; &lt;b&gt;servers&lt;" in page and "<b>servers" not in page  # escaped, not markup

    assert main(["edit", str(out), "--revert", "1"]) == 0
    third = json.loads((out / "map.v3.json").read_text())
    assert [t["label"] for t in third["topics"]] == [t["label"] for t in first["topics"]]
    history = json.loads((out / "versions.json").read_text())
    assert [(v["number"], v["based_on"]) for v in history] == [(1, None), (2, 1), (3, 2)]
    assert history[1]["operations"] == [{"op": "rename", "topic": 0, "label": "Networking & <b>servers</b>"}]

    # Move two documents of topic 1 into topic 0, then merge the two and rename the result in one
    # edit: the counts kept beside each version. (A small corpus may have only two topics.)
    assert (out / "terms.bin").is_file() and (out / "terms.v3.bin").is_file()
    moved = [d for d, t in zip(third["documents"]["id"], third["documents"]["topic"], strict=True) if t == 1][:2]
    assert main(["edit", str(out), "--move", f"0={','.join(moved)}"]) == 0
    fourth = json.loads((out / "map.v4.json").read_text())
    assert {fourth["documents"]["topic"][fourth["documents"]["id"].index(d)] for d in moved} == {0}
    sizes = {t["id"]: t["size"] for t in fourth["topics"] if t["id"] >= 0}
    assert sizes[0] == {t["id"]: t["size"] for t in third["topics"]}[0] + 2
    assert main(["edit", str(out), "--merge", "0,1", "--rename", "0=Both"]) == 0
    fifth = json.loads((out / "map.v5.json").read_text())
    merged = {t["id"]: t for t in fifth["topics"]}
    assert 1 not in merged and merged[0]["size"] == sizes[0] + sizes[1] and merged[0]["label"] == "Both"
    assert main(["edit", str(out), "--reduce", "1"]) == 0
    assert len([t for t in json.loads((out / "map.v6.json").read_text())["topics"] if t["id"] >= 0]) == 1
    assert (out / "embeddings.npy").is_file()  # what a split re-clusters
    assert main(["edit", str(out), "--split", "0=3"]) == 0
    seventh = json.loads((out / "map.v7.json").read_text())
    assert len([t for t in seventh["topics"] if t["id"] >= 0]) == 3 and set(seventh["documents"]["topic"]) >= {0}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--rename", "0"], 'wants TOPIC="LABEL"'),
        (["--rename", "zero=x"], "not a topic number"),
        (["--rename", "99=x"], "no topic 99"),
        (["--rename-node", "zz=x"], "no hierarchy node 'zz'"),
        (["--revert", "7"], "no version 7"),
        (["--merge", "0"], "two or more topic numbers"),
        (["--merge", "0,99"], "no topic 99"),
        (["--move", "0"], "wants TOPIC=ID1,ID2"),
        (["--move", "0=nope"], "no document 'nope'"),
        (["--split", "first"], "wants TOPIC or TOPIC=K"),
        (["--split", "0=20"], "needs at least 20 x"),
        ([], "nothing to do"),
    ],
)
def test_bad_edits_exit_2_with_one_line(
    tmp_path: Path,
    documents: list[dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    out = tmp_path / "out"
    assert main(["fit", str(write_format(tmp_path / "c.csv", documents)), "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["edit", str(out), *arguments]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("topicmap: error:") and message in error and "\n" not in error
    assert not (out / "map.v2.json").exists()


def test_edit_needs_a_map_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["edit", str(tmp_path), "--rename", "0=x"]) == 2
    assert "no map.json here" in capsys.readouterr().err


def test_topics_per_class_and_over_time_from_the_command_line(
    tmp_path: Path, documents: list[dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "dated.csv"
    with corpus.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "section", "date", "text"])
        writer.writeheader()
        for i, row in enumerate(documents):
            writer.writerow({**row, "date": "n/a" if i == 0 else f"2023-{i % 12 + 1:02d}-15"})
    out = tmp_path / "out"
    arguments = ["fit", str(corpus), "--out", str(out), "--quiet", "--class-column", "section"]
    assert main([*arguments, "--time-column", "date", "--time-bins", "quarter"]) == 0
    err = capsys.readouterr().err
    assert "warning: time column 'date': 1 of 60 values" in err
    topic_map = json.loads((out / "map.json").read_text())
    assert len(topic_map["per_class"]["classes"]) == 5 and sum(map(sum, topic_map["per_class"]["counts"])) == 60
    assert topic_map["over_time"]["bins"] == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "Topics over time" in page and "Topics per section" in page
    assert main(["edit", str(out), "--merge", "0,1"]) == 0  # the next version's views follow its topics
    second = json.loads((out / "map.v2.json").read_text())
    assert 1 not in second["per_class"]["topics"] and sum(map(sum, second["over_time"]["counts"])) == 59

    assert main([*arguments[:-1], "team"]) == 2
    assert "no column 'team'; their columns are: section, date" in capsys.readouterr().err


def test_a_fitted_folder_assigns_new_documents(
    tmp_path: Path,
    documents: list[dict[str, str]],
    sample_rows: list[dict[str, str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert main(["fit", str(write_format(tmp_path / "c.csv", documents)), "--out", str(out), "--quiet"]) == 0
    described = json.loads((out / "manifest.json").read_text())
    assert described["format_version"] == 1 and described["model"] == "all-MiniLM-L6-v2"
    fitted = json.loads((out / "map.json").read_text())
    section_of = {row["id"]: row["section"] for row in documents}
    topic_sections: dict[int, list[str]] = {}
    for doc_id, topic in zip(fitted["documents"]["id"], fitted["documents"]["topic"], strict=True):
        topic_sections.setdefault(topic, []).append(section_of[doc_id])
    majority = {topic: max(set(s), key=s.count) for topic, s in topic_sections.items()}
    seen = {row["id"] for row in documents}
    by_section: dict[str, list[dict[str, str]]] = {}
    for row in sample_rows:
        if row["id"] not in seen:
            by_section.setdefault(row["section"], []).append(row)
    new = [row for rows in by_section.values() for row in rows[:6]]
    capsys.readouterr()

    with (tmp_path / "new.csv").open("w", newline="", encoding="utf-8") as handle:  # a survey's own "score"
        writer = csv.writer(handle)
        writer.writerow(["id", "section", "score", "text"])
        writer.writerows([r["id"], r["section"], "=9+1" if i == 0 else "9", r["text"]] for i, r in enumerate(new))
    assert main(["assign", str(out), str(tmp_path / "new.csv")]) == 0
    assert capsys.readouterr().out.strip() == str(out / "assignments.csv")
    assert (out / "assignments.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")  # Excel reads it as UTF-8
    with (out / "assignments.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["id"] for r in rows] == [r["id"] for r in new]
    # the upload's "score" is kept beside the assignment's (it was overwritten), formulas neutralised
    assert [r["metadata_score"] for r in rows[:2]] == ["'=9+1", "9"]
    fitted_pairs = zip(fitted["documents"]["id"], fitted["documents"]["topic"], strict=True)
    purity = sum(majority[topic] == section_of[doc_id] for doc_id, topic in fitted_pairs) / len(documents)
    agree = sum(majority[int(r["topic"])] == r["section"] for r in rows) / len(rows)  # metadata columns are kept
    assert agree >= min(0.7, purity - 0.1), (agree, purity)  # a new haskell library lands in the haskell topic
    xs, ys = fitted["documents"]["x"], fitted["documents"]["y"]
    for row in rows:
        assert min(xs) <= float(row["x"]) <= max(xs) and min(ys) <= float(row["y"]) <= max(ys)
        assert row["outlier"] in ("True", "False") and -1 <= float(row["score"]) <= 1 and row["label"]
    assert json.loads((out / "map.json").read_text()) == fitted  # the map itself is unchanged

    assert main(["search", str(out), "typefaces for printing", "--limit", "5"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("topics: ") and len(lines) == 6
    found = [line.split("\t")[1] for line in lines[1:]]
    assert sum(section_of[doc_id] == "fonts" for doc_id in found) >= 4, lines
    assert main(["search", str(out), " "]) == 2

    (out / "embeddings.npy").unlink()
    assert main(["assign", str(out), str(tmp_path / "new.csv")]) == 2
    assert "no embeddings.npy" in capsys.readouterr().err


def test_a_french_corpus_is_labelled_without_french_stop_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Debian's French translations of its descriptions: the map says its language, and no term
    is "le jeu", "des polices" or "pour haskell"."""
    with (Path(__file__).resolve().parents[1] / "data" / "debian_translated.csv").open(encoding="utf-8") as handle:
        french = [row for row in csv.DictReader(handle) if row["language"] == "fr"]
    source = write_format(tmp_path / "fr.csv", [{k: row[k] for k in ("id", "section", "text")} for row in french])
    assert main(["fit", str(source), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert ", French stop words, " in capsys.readouterr().err
    fitted = json.loads((tmp_path / "out" / "map.json").read_text())
    assert fitted["meta"]["resolved"]["languages"] == "fr"
    french_stop_words = {"le", "la", "les", "des", "de", "du", "pour", "est", "et", "un", "une"}
    words = {word for topic in fitted["topics"] for term in topic["terms"] for word in term["term"].split()}
    assert len(words) > 20 and not words & french_stop_words

    # Told to read them as English (a job's `languages`), the map keeps the French stop words it left out.
    english = ["fit", str(source), "--out", str(tmp_path / "en"), "--quiet", "--language", "English", "--topics", "3"]
    assert main([*english, "--name", "French, read as English"]) == 0
    assert " stop words, " not in capsys.readouterr().err
    assert "<title>topicmap: French, read as English</title>" in (tmp_path / "en" / "map.html").read_text()
    assert json.loads((tmp_path / "en" / "manifest.json").read_text())["name"] == "French, read as English"
    fitted = json.loads((tmp_path / "en" / "map.json").read_text())
    assert fitted["meta"]["resolved"]["languages"] == "en" and fitted["meta"]["params"]["languages"] == ["en"]
    assert {word for topic in fitted["topics"] for term in topic["terms"] for word in term["term"].split()} & (
        french_stop_words
    )
    assert main(["fit", str(source), "--language", "Klingon"]) == 2
    assert "invalid --language 'klingon': Input should be 'ar', 'bg'" in capsys.readouterr().err
    assert main(["fit", str(source), "--name", "x" * 201]) == 2
    assert "--name: at most 200 characters" in capsys.readouterr().err
