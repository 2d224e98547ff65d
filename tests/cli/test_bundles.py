"""Bundles on the command line: fit writes the bundle's files, every command opens a bundle, edits
are lossless (texts that a spreadsheet export would alter, numeric metadata), old folders still open."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from cli.main import main
from topicmap.bundle import read_bundle, read_folder

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory, sample_rows: list[dict[str, str]]) -> Path:
    folder = tmp_path_factory.mktemp("bundles")
    rows = [
        {"id": r["id"], "text": r["text"], "score": i * 1.5, "section": r["section"]}
        for i, r in enumerate(sample_rows[:80])
    ]
    for row, prefix in zip(rows, ["-", "=", "+", "@"], strict=False):
        row["text"] = prefix + row["text"]
    corpus = folder / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    out = folder / "map"
    assert main(["fit", str(corpus), "--out", str(out), "--min-topic-size", "5", "--quiet"]) == 0
    return out


def test_edits_keep_the_exact_corpus(fitted: Path, tmp_path: Path) -> None:
    folder = tmp_path / "map"
    folder.mkdir()
    for path in fitted.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    first_id = read_folder(folder).corpora[read_folder(folder).corpus].ids[0]
    assert main(["edit", str(folder), "--tag", f"refund={first_id}"]) == 0
    assert main(["edit", str(folder), "--rename", "0=Zero"]) == 0
    content = read_folder(folder)  # every file still matches the manifest
    assert [v.number for v in content.history] == [1, 2, 3]
    assert content.name == "corpus.jsonl"  # named by its file, as an upload is: the service shows it
    corpus = content.corpora[content.corpus]
    assert [t[0] for t in corpus.texts[:4]] == ["-", "=", "+", "@"]
    assert corpus.metadata[3]["score"] == 4.5  # a number, not the string "4.5"
    assert content.maps[3].documents.tags[0] == ["refund"]  # type: ignore[index]
    page = (folder / "map.html").read_text(encoding="utf-8")
    assert "Topic map of corpus.jsonl, version 3" in page  # the corpus's name, not the folder's
    start = json.dumps(corpus.texts[0][:20])[1:-1]
    assert start in page and "'" + start not in page  # the text as uploaded, no stray quote before it


def test_bundle_opens_everywhere_and_edits_pack_back(
    fitted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "m.topicmap"
    assert main(["bundle", str(fitted), "-o", str(bundle)]) == 0
    before = read_bundle(bundle, max_bytes=1 << 30)
    assert main(["edit", str(bundle), "--rename", "0=From a bundle"]) == 0
    assert capsys.readouterr().out.strip().endswith("m.topicmap")
    after = read_bundle(bundle, max_bytes=1 << 30)
    assert after.latest == before.latest + 1 and after.maps[after.latest].topics[0].label == "From a bundle"
    assert after.corpora == before.corpora
    assert main(["search", str(bundle), "font", "--limit", "2"]) == 0
    assert "font" in capsys.readouterr().out.lower()
    assert main(["axes", str(bundle), "--x", "problem,praise"]) == 0
    assert (tmp_path / "m-axes.html").is_file()


def test_old_folders_still_open(fitted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder written before bundles (folder.json, no manifest, corpus or history) still edits, with
    a note; packing it names the command that makes it again."""
    old = tmp_path / "old"
    old.mkdir()
    for name in ("map.json", "embeddings.npy", "terms.bin", "doc-terms.bin", "documents.csv", "map.html"):
        (old / name).write_bytes((fitted / name).read_bytes())
    (old / "folder.json").write_text(json.dumps({"format": "topicmap map folder", "format_version": 1}))
    assert main(["edit", str(old), "--rename", "0=Old"]) == 0
    assert "written before maps kept their exact corpus" in capsys.readouterr().err
    header = (old / "documents.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header.count("id") == 1 and not any("\ufeff" in name for name in header)  # the mark is no column
    assert main(["bundle", str(old)]) == 2
    assert "topicmap fit INPUT --out" in capsys.readouterr().err


def test_bad_bundles_exit_2_with_one_line(fitted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = tmp_path / "good.topicmap"
    assert main(["bundle", str(fitted), "-o", str(bundle)]) == 0
    broken = tmp_path / "broken.topicmap"
    broken.write_bytes(b"just text")
    newer = tmp_path / "newer.topicmap"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(newer, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "manifest.json":
                data = json.dumps({**json.loads(data), "format_version": 2}).encode()
            target.writestr(name, data)
    for path, message in [(broken, "not a readable zip"), (newer, "newer than this topicmap reads")]:
        capsys.readouterr()
        assert main(["edit", str(path), "--rename", "0=x"]) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err
