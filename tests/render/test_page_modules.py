"""The page's modules agree with the core where they repeat it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from topicmap.axes import PRESETS

WEB = Path(__file__).resolve().parents[2] / "api" / "web"


def test_the_axes_panel_offers_the_core_presets() -> None:
    source = (WEB / "axes.js").read_text()
    block = re.search(r"export const PRESETS = (\{.*?\n\});", source, re.S)
    assert block is not None
    as_json = re.sub(r"(\w+):", r'"\1":', block.group(1)).replace(",\n}", "\n}")
    assert {name: tuple(poles) for name, poles in json.loads(as_json).items()} == PRESETS
