"""The analyst's views in a real browser, through nginx: semantic axes (the query worker embeds the
poles) and seed topics given in the new-map form."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Worker
from tests.integration.test_web import LABEL_BOXES, assert_apart, open_stored_job, shot

pytestmark = pytest.mark.integration


def test_place_a_map_on_semantic_axes_from_the_page(
    page: object, client: httpx.Client, worker: Worker, query_worker: Worker
) -> None:
    job_id = mapped_job(client, sample_documents(300, offset=900), min_topic_size=5)
    open_stored_job(page, job_id)
    page.select_option("#axes-x-preset", "sentiment")  # type: ignore[attr-defined]
    assert page.input_value("#axes-x-negative") == "problem"  # type: ignore[attr-defined]
    page.fill("#axes-x-negative", "fonts and typefaces")  # type: ignore[attr-defined]
    page.fill("#axes-x-positive", "games to play")  # type: ignore[attr-defined]
    page.fill("#axes-y-negative", "sending e-mail")  # type: ignore[attr-defined]
    page.fill("#axes-y-positive", "music and audio")  # type: ignore[attr-defined]
    page.click("#axes-draw")  # type: ignore[attr-defined]
    page.wait_for_selector("#axes-status:has-text('0 is halfway')", timeout=60_000)  # type: ignore[attr-defined]
    meta = page.evaluate("document.getElementById('plot').layout.meta")  # type: ignore[attr-defined]
    assert {key: meta[key] for key in ("kind", "x", "y")} == {
        "kind": "axes",
        "x": ["fonts and typefaces", "games to play"],
        "y": ["sending e-mail", "music and audio"],
    }
    assert meta["labels"]["text"]  # the topics' labels, placed apart as on the map
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    drawn = page.evaluate(LABEL_BOXES)  # type: ignore[attr-defined]
    assert drawn and {box["text"] for box in drawn} <= set(meta["labels"]["text"])
    assert_apart(drawn)  # they were text beside each marker, on top of each other where topics sat close
    path: Path = shot(page, "9-axes")
    assert path.stat().st_size > 10_000
    with page.expect_download() as picture:  # type: ignore[attr-defined]
        page.click("#download-png")  # type: ignore[attr-defined]
    assert picture.value.suggested_filename.endswith("-axes.png")
    # A topic chosen in the list: its documents stand out on the axes (they were all dimmed).
    page.click("#topics .topic >> nth=0")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').data[0].selectedpoints?.length > 0")  # type: ignore[attr-defined]
    chosen = page.evaluate("window.topicmap.state.listing.topic")  # type: ignore[attr-defined]
    standing_out = page.evaluate(AXES_SELECTED_TOPICS)  # type: ignore[attr-defined]
    size = page.evaluate(f"window.topicmap.state.map.documents.topic.filter(t => t === {chosen}).length")  # type: ignore[attr-defined]
    assert set(standing_out) == {chosen} and len(standing_out) == size
    # The address names the axes view: a reload (or a copied link) opens it again.
    assert "ax=fonts+and+typefaces&ax=games+to+play" in page.url  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot')?.layout?.meta?.kind === 'axes'", timeout=60_000)  # type: ignore[attr-defined]
    assert page.input_value("#axes-y-positive") == "music and audio"  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').data[0].selectedpoints?.length > 0")  # type: ignore[attr-defined]
    assert set(page.evaluate(AXES_SELECTED_TOPICS)) == {chosen}  # type: ignore[attr-defined]  # the topic, as linked
    # A search on the axes dims all but its matches, and draws no rings at their places on the map.
    page.fill("#search", "fonts")  # type: ignore[attr-defined]
    page.click("#search-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#docs-caption:has-text('Matching')")  # type: ignore[attr-defined]
    total = int((page.text_content("#docs-caption") or "").split(": ")[1].split(" ")[0])  # type: ignore[attr-defined]
    page.wait_for_function(f"document.getElementById('plot').data[0].selectedpoints.length === {min(total, 500)}")  # type: ignore[attr-defined]
    traces = page.evaluate("document.getElementById('plot').data.map(t => Boolean(t.meta?.highlight))")  # type: ignore[attr-defined]
    assert total > 0 and not any(traces)
    page.click("#axes-back")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').layout.meta?.kind !== 'axes'")  # type: ignore[attr-defined]
    assert "ax=" not in page.url  # type: ignore[attr-defined]
    assert not [line for line in page.console if line.startswith(("error", "pageerror"))], page.console  # type: ignore[attr-defined]


AXES_SELECTED_TOPICS = """() => {
  const points = document.getElementById('plot').data[0];
  const documents = window.topicmap.state.map.documents;
  const row = new Map(documents.id.map((id, r) => [id, r]));
  return points.selectedpoints.map((i) => documents.topic[row.get(points.customdata[i][0])]);
}"""
"""The topic of each point standing out on the semantic axes (a point carries its id and name)."""


def test_seed_topics_from_the_new_map_form(page: object, worker: Worker) -> None:
    texts = [" ".join(d["text"].split())[:300] for d in sample_documents(200, offset=1000)]  # type: ignore[union-attr]
    page.fill("#pasted", "\n".join(texts))  # type: ignore[attr-defined]
    page.fill("#min-topic-size", "5")  # type: ignore[attr-defined]
    page.fill("#seed-topics", "Fonts: fonts and typefaces for the screen and printing\nTax: income tax returns")  # type: ignore[attr-defined]
    page.click("#submit")  # type: ignore[attr-defined]
    page.wait_for_function("window.topicmap.state.map", timeout=240_000)  # type: ignore[attr-defined]
    title = page.text_content("#job-title") or ""  # type: ignore[attr-defined]
    assert title.startswith("“" + texts[0][:20]) and title.endswith("” and 199 more")  # named by the first text
    labels = page.locator("#topics .topic").all_text_contents()  # type: ignore[attr-defined]
    assert "Fonts" in labels, labels
    assert "Tax" not in labels
    assert "'Tax' matched no document" in (page.text_content("#job-warnings") or "")  # type: ignore[attr-defined]
    shot(page, "10-seeded")
    assert not [line for line in page.console if line.startswith(("error", "pageerror"))], page.console  # type: ignore[attr-defined]


def test_near_duplicates_are_counted_per_topic_and_coloured(page: object, worker: Worker) -> None:
    texts = [" ".join(d["text"].split())[:300] for d in sample_documents(150, offset=600)]  # type: ignore[union-attr]
    template = "Thank you for your message. Your ticket has been received and an agent will answer soon."
    page.fill("#pasted", "\n".join(texts + [template] * 6))  # type: ignore[attr-defined]
    page.fill("#min-topic-size", "5")  # type: ignore[attr-defined]
    page.click("#submit")  # type: ignore[attr-defined]
    page.wait_for_function("window.topicmap.state.map", timeout=240_000)  # type: ignore[attr-defined]
    groups = page.evaluate("window.topicmap.state.map.duplicates.groups")  # type: ignore[attr-defined]
    assert groups and groups[0]["size"] >= 6
    counts = " ".join(page.locator("#topics li > span.muted").all_text_contents())  # type: ignore[attr-defined]
    assert "near-duplicates" in counts
    page.select_option("#colour-by", "@duplicates")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').layout.legend?.title?.text === 'near-duplicates'")  # type: ignore[attr-defined]
    options = page.locator("#only option").all_text_contents()  # type: ignore[attr-defined]
    assert any(option.startswith("group 1:") for option in options), options
    shot(page, "11-duplicates")

    # Several topics per document: a topic's documents that also belong to another one.
    page.select_option("#colour-by", "")  # type: ignore[attr-defined]
    page.click("#topics .topic >> nth=0")  # type: ignore[attr-defined]
    page.wait_for_selector("#also-box:not([hidden])")  # type: ignore[attr-defined]
    second = page.locator("#also option >> nth=1").get_attribute("value")  # type: ignore[attr-defined]
    page.select_option("#also", second)  # type: ignore[attr-defined]
    page.wait_for_selector("#docs-caption:has-text('also in')")  # type: ignore[attr-defined]
    caption = page.text_content("#docs-caption") or ""  # type: ignore[attr-defined]
    items = page.locator("#documents li .muted").all_text_contents()  # type: ignore[attr-defined]
    name = page.locator("#also option >> nth=1").text_content()  # type: ignore[attr-defined]
    assert all("also: " in item and name in item for item in items), (caption, items)
    assert not [line for line in page.console if line.startswith(("error", "pageerror"))], page.console  # type: ignore[attr-defined]


def test_tag_a_topics_documents_colour_by_tag_and_undo(page: object, client: httpx.Client, worker: Worker) -> None:
    job_id = mapped_job(client, sample_documents(120, offset=1300), min_topic_size=5)
    open_stored_job(page, job_id)
    page.click("#topics .topic >> nth=0")  # type: ignore[attr-defined]
    page.wait_for_selector("#docs-caption:has-text('Topic:')")  # type: ignore[attr-defined]
    topic = page.evaluate("window.topicmap.state.listing.topic")  # type: ignore[attr-defined]
    size = page.evaluate(f"window.topicmap.state.map.documents.topic.filter(t => t === {topic}).length")  # type: ignore[attr-defined]
    page.fill("#tag-name", "to review")  # type: ignore[attr-defined]
    page.click("#tag-listed")  # type: ignore[attr-defined]
    page.wait_for_selector("#versions .current:has-text('v2')")  # type: ignore[attr-defined]
    page.wait_for_selector("#tags li:has-text('to review')")  # type: ignore[attr-defined]
    assert page.text_content("#tags li") == f"to review {size}"  # type: ignore[attr-defined]
    page.select_option("#colour-by", "@tags")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').layout.legend?.title?.text === 'tags'")  # type: ignore[attr-defined]
    page.select_option("#only", "0")  # type: ignore[attr-defined]
    shot(page, "12-tags")
    csv_text = client.get(f"/api/jobs/{job_id}/export.csv").content.decode("utf-8-sig")
    assert ",tags," in csv_text.splitlines()[0] and csv_text.count("to review") == size
    page.click("#versions button.restore >> nth=0")  # type: ignore[attr-defined]  # undo: restore version 1
    page.wait_for_selector("#versions .current:has-text('v3')")  # type: ignore[attr-defined]
    page.wait_for_selector("#tags-empty:not([hidden])")  # type: ignore[attr-defined]
    assert page.locator("#tags li").count() == 0  # type: ignore[attr-defined]
    assert not [line for line in page.console if line.startswith(("error", "pageerror"))], page.console  # type: ignore[attr-defined]
