"""The page's modules agree with the core where they repeat it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from topicmap.axes import PRESETS
from topicmap.corpus import parse_corpus

WEB = Path(__file__).resolve().parents[2] / "api" / "web"


def test_the_axes_panel_offers_the_core_presets() -> None:
    source = (WEB / "axes.js").read_text()
    block = re.search(r"export const PRESETS = (\{.*?\n\});", source, re.S)
    assert block is not None
    as_json = re.sub(r"(\w+):", r'"\1":', block.group(1)).replace(",\n}", "\n}")
    assert {name: tuple(poles) for name, poles in json.loads(as_json).items()} == PRESETS


@pytest.mark.skipif(shutil.which("node") is None, reason="no node here; the browser tests load every module")
@pytest.mark.parametrize("module", sorted(p.name for p in WEB.glob("*.js")))
def test_every_page_module_parses(module: str) -> None:
    """A syntax error in one module stops the whole page: found here in a second, not in a browser test."""
    done = subprocess.run(
        ["node", "--input-type=module", "--check"], input=(WEB / module).read_bytes(), capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()


@pytest.mark.skipif(shutil.which("node") is None, reason="no node here; the browser tests pick a time column")
def test_the_page_offers_a_column_named_for_dates_or_periods_for_over_time() -> None:
    cases = [
        (["text", "created_at", "team"], "created_at"),
        (["comment", "Year", "nps"], "Year"),  # a survey's year: the dates module reads 2024 as a year
        (["text", "quarter"], "quarter"),
        (["text", "years_of_experience"], ""),  # a number, not a time
        (["date"], ""),  # the text column itself is never offered
    ]
    script = f"""
        import {{ guessTimeColumn }} from {json.dumps((WEB / "preview.js").as_uri())};
        const cases = {json.dumps([columns for columns, _ in cases])};
        console.log(JSON.stringify(cases.map((columns) => guessTimeColumn(columns, columns[0]))));
    """
    done = subprocess.run(["node", "--input-type=module"], input=script.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout) == [expected for _, expected in cases]


@pytest.mark.skipif(shutil.which("node") is None, reason="no node here; the browser tests add the header line")
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_a_header_line_the_page_adds_makes_the_first_line_a_text(encoding: str) -> None:
    """A one-column file without a header: "It is a text" adds one, and the server reads every line."""
    answers = [f"Answer number {i}, said twice" if i % 2 else f"Price is fair for item {i}" for i in range(12)]
    original = "\n".join(f'"{answer}"' if "," in answer else answer for answer in answers).encode(encoding)
    script = f"""
        import {{ withHeaderLine }} from {json.dumps((WEB / "preview.js").as_uri())};
        const file = new File([Buffer.from({json.dumps(original.hex())}, "hex")], "answers.csv");
        const fixed = await withHeaderLine(file);
        console.log(JSON.stringify([fixed.name, Buffer.from(await fixed.arrayBuffer()).toString("hex")]));
    """
    done = subprocess.run(["node", "--input-type=module"], input=script.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    name, fixed = json.loads(done.stdout)
    corpus = parse_corpus(bytes.fromhex(fixed), suffix=".csv")
    assert name == "answers.csv" and corpus.texts == answers
