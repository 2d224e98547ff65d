"""The web page in a real browser (Debian's chromium via Playwright), through nginx, real worker."""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageStat

from tests.integration.conftest import SHOTS, mapped_job, sample_csv, sample_documents
from tests.integration.servers import Redis, Worker
from tests.integration.synthetic import corpus_rows, store_finished_job
from topicmap.store import JobStore

pytestmark = pytest.mark.integration
XSS = "<img src=x onerror=alert(1)>"


PLOT_BOX = """() => {
  const gd = document.getElementById('plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
  const trace = gd._fullData[0];
  return {
    left: r.left + xa._offset, right: r.left + xa._offset + xa._length,
    top: r.top + ya._offset, bottom: r.top + ya._offset + ya._length,
    point_x: r.left + xa._offset + xa.l2p(trace.x[0]), point_y: r.top + ya._offset + ya.l2p(trace.y[0]),
    point_id: window.topicmap.state.map.documents.id[trace.customdata[0]],
  };
}"""
"""Where the plot area is on the page, and the first point of the first topic (with its id)."""


SWATCHES_MATCH = """() => {
    const css = (colour) => {
        const probe = document.createElement('i');
        probe.style.color = colour;
        document.body.append(probe);
        const value = getComputedStyle(probe).color;
        probe.remove();
        return value;
    };
    const traces = document.getElementById('plot').data.filter((trace) => typeof trace.meta?.topic === 'number');
    const colours = new Map(traces.map((trace) => [trace.meta.topic, css(trace.marker.color)]));
    const items = [...document.querySelectorAll('#topics > li')];
    return items.length > 1 && items.every((item, group) => {
        const theme = item.querySelector('button.theme');
        const key = theme ? group : Number(item.querySelector('button.topic').dataset.topic);
        const dot = item.querySelector('.swatch');
        return dot && colours.has(key) && getComputedStyle(dot).backgroundColor === colours.get(key);
    });
}"""
"""Each topic (or theme) in the list has a dot of its colour on the map."""


def shot(page: object, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def corpus_with_xss(tmp_path: Path) -> tuple[Path, int]:
    rows = list(csv.reader(io.StringIO(sample_csv(240, offset=600).decode())))
    rows[5][2] = f"{XSS} a font package that renders glyphs"
    rows = [[*rows[0], "created"]] + [[*row, f"2024-{i % 12 + 1:02d}-01"] for i, row in enumerate(rows[1:])]
    empty = [["empty-1", "x11", " ", "2024-01-01"], ["empty-2", "x11", "N/A", "2024-01-01"]]  # no text: left out
    path = tmp_path / "packages.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows + empty)
    return path, len(rows) - 1


def test_upload_watch_explore_download(page: object, worker: Worker, query_worker: Worker, tmp_path: Path) -> None:
    corpus, n_documents = corpus_with_xss(tmp_path)
    page.set_input_files("#file", str(corpus))
    page.wait_for_selector("#preview:not([hidden])")
    assert page.input_value("#text-column") == "description"
    assert page.locator("#preview-table tr").count() > 2
    assert page.input_value("#time-column") == "created"  # a date-like column is picked for "over time"
    page.select_option("#class-column", "section")
    page.fill("#min-topic-size", "5")
    shot(page, "1-new-map")
    page.click("#submit")

    stages, fractions = set(), []
    deadline = time.monotonic() + 300
    while page.locator("#result").is_hidden():
        assert time.monotonic() < deadline, (
            f"no map after 300 s; page said: {page.text_content('#progress-text')}; console: {page.console}"
        )
        text = page.text_content("#progress-text") or ""
        if "stage: " in text:
            stages.add(text.split("stage: ")[1].split(" ·")[0])
        fractions.append(float(page.get_attribute("#progress", "value") or 0))
        assert not page.text_content("#job-error"), page.text_content("#job-error")
        page.wait_for_timeout(100)
    assert len(stages) >= 2, stages
    assert max(fractions) > min(fractions)
    said = page.text_content("#job-warnings") or ""
    assert f"2 documents of {n_documents + 2} had no text (empty, N/A, NULL, nan) and were left out" in said, said
    shot(page, "2-progress-done")
    assert page.text_content("#job-title") == "packages.csv"  # named by its file, in the job list too
    page.wait_for_selector("#jobs li button:has-text('packages.csv · ')", state="attached")  # folded away
    summary = page.text_content("#map-summary") or ""  # what the CLI says at the end, too
    assert summary.startswith(f"{n_documents:,} documents · ") and " topics · " in summary, summary
    assert "% outliers assigned to their nearest topic" in summary and "stop words" not in summary  # English

    page.wait_for_function("document.querySelector('#plot .main-svg') !== null")
    page.wait_for_timeout(1500)
    page.locator("#plot").screenshot(path=str(SHOTS / "3-map.png"))
    plot = Image.open(SHOTS / "3-map.png").convert("L")
    assert ImageStat.Stat(plot).var[0] > 100, "the plot area is blank"

    first_topic = page.locator("#topics .topic").first
    label = first_topic.text_content()
    first_topic.click()
    page.wait_for_selector("#docs-caption:has-text('Topic:')")
    assert label in (page.text_content("#docs-caption") or "")
    assert page.locator("#documents li").count() > 0
    shot(page, "4-topic")

    page.fill("#search", "onerror")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#docs-caption:has-text('Matching')")
    highlighted = page.evaluate(
        "document.getElementById('plot').data.filter(t => t.meta && t.meta.highlight).map(t => t.x.length)"
    )
    assert highlighted == [1]
    kept = page.evaluate(
        "document.getElementById('plot').data.filter(t => t.customdata)"
        ".map(t => t.selectedpoints === null || t.selectedpoints === undefined ? -1 : t.selectedpoints.length)"
    )
    assert sum(kept) == 1 and min(kept) >= 0, kept  # the match stays, every other point is dimmed
    texts = page.locator("#documents .text").all_text_contents()
    assert any(XSS in text for text in texts), texts  # shown as text, not as an element
    assert page.locator("#documents img").count() == 0
    shot(page, "5-search")

    # By meaning: the closest documents are marked and listed with their similarity, and the closest topics named.
    page.select_option("#search-mode", "meaning")
    page.fill("#search", "typefaces for printing")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#docs-caption:has-text('Closest to')")
    caption = page.text_content("#docs-caption") or ""
    assert "closest topics: font" in caption, caption
    marked = page.evaluate(
        "document.getElementById('plot').data.filter(t => t.meta && t.meta.highlight).map(t => t.x.length)"
    )
    assert marked == [50]
    first_hit = page.locator("#documents li").first.text_content() or ""
    assert "similarity" in first_hit and "font" in first_hit.lower(), first_hit
    shot(page, "5b-search-by-meaning")
    page.select_option("#search-mode", "words")

    with page.expect_download() as download_info:
        page.click("#download-csv")
    assert download_info.value.suggested_filename == "packages-documents.csv"  # named after the map
    downloaded = Path(download_info.value.path()).read_bytes()
    assert downloaded.startswith(b"\xef\xbb\xbfid,")  # UTF-8's mark: Excel reads the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(downloaded.decode("utf-8-sig"))))
    assert len(rows) == n_documents and rows[0]["id"]
    with page.expect_download() as download_info:
        page.click("#download-topics")
    assert download_info.value.suggested_filename == "packages-topics.csv"
    table = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    topic_rows = list(csv.DictReader(io.StringIO(table)))
    assert sum(int(row["size"]) for row in topic_rows) == n_documents and topic_rows[0]["representative_1"]

    # The hierarchy: the coarse level recolours the map and lists themes that expand to their topics.
    n_topics = page.locator("#topics .topic").count()
    assert page.evaluate(SWATCHES_MATCH)  # the list names the map's colours
    assert page.locator("#level-box").is_visible()
    page.select_option("#level", "coarse")
    page.wait_for_selector("#topics details")
    assert page.evaluate("document.getElementById('plot').layout.legend.title.text") == "Coarse themes"
    themes = page.locator("#topics details")
    assert 2 <= themes.count() < n_topics
    assert page.evaluate(SWATCHES_MATCH)  # the i-th theme has the i-th group's colour
    first = themes.first
    assert not first.locator(".subtopics").is_visible()
    first.locator("summary").click(position={"x": 3, "y": 8})  # the disclosure marker, not the theme's name
    assert first.locator(".subtopics li").count() >= 1 and first.locator(".subtopics").is_visible()
    first.locator("button.theme").click()
    page.wait_for_selector("#docs-caption:has-text('Theme:')")
    assert page.locator("#documents li").count() > 0
    page.wait_for_timeout(800)
    shot(page, "6-coarse-themes")

    # The metadata charts replace the map until a level is chosen again; they show topics, and so does
    # the list beside them (from the coarse level, it showed the themes still).
    page.select_option("#level", "chart:per_class")
    page.wait_for_function("document.getElementById('plot').layout.barmode === 'stack'")
    assert page.evaluate("document.getElementById('plot').layout.title.text") == "Topics per section"
    page.wait_for_function("document.querySelectorAll('#topics details').length === 0")
    assert page.locator("#topics .topic").count() == n_topics and page.text_content("#topics-title") == "Topics"
    page.wait_for_timeout(500)
    shot(page, "6b-per-class")
    page.click("#topics .topic >> nth=1")  # its bars stand out, the others fade (all faded, at random)
    page.wait_for_function("document.getElementById('plot').data.some(t => t.opacity === 0.25)")
    chosen = page.evaluate("window.topicmap.state.listing.topic")
    bars = page.evaluate(
        "document.getElementById('plot').data.map(t => [t.meta?.topic ?? null, t.opacity, t.selectedpoints ?? null])"
    )
    assert [topic for topic, opacity, _ in bars if opacity == 1] == [chosen]
    assert all(opacity == 0.25 for topic, opacity, _ in bars if topic != chosen) and not any(s for *_, s in bars)
    page.click("#clear-search")  # back to all documents: every bar as drawn
    page.wait_for_function("document.getElementById('plot').data.every(t => t.opacity === 1)")
    page.select_option("#level", "chart:over_time")
    page.wait_for_function("document.getElementById('plot').data[0].type === 'scatter'")
    bins = page.evaluate("document.getElementById('plot').data[0].x.length")
    assert bins == 12 and page.locator("#colour-box").is_hidden()  # automatic bins: the months of the dates
    page.locator("#plot .updatemenu-button", has_text="Share of each month").click()
    page.wait_for_function("document.getElementById('plot').layout.yaxis.tickformat === '.0%'")
    assert max(page.evaluate("document.getElementById('plot').data[0].y")) <= 1  # shares, not counts
    page.wait_for_timeout(500)
    shot(page, "6c-over-time")
    with page.expect_download() as chart_svg:  # a picture of the chart as shown, without its buttons
        page.click("#download-svg")
    assert chart_svg.value.suggested_filename.endswith("-over-time.svg")
    drawn = Path(chart_svg.value.path()).read_text(encoding="utf-8")
    assert "share of the month" in drawn and "updatemenu" not in drawn and "Share of each month" not in drawn
    page.select_option("#level", "fine")
    page.wait_for_function("document.getElementById('plot').data.some(t => t.customdata)")
    assert page.locator("#colour-box").is_visible()

    # Editing in place: rename a topic inline (a new version everywhere), then restore version 1.
    first_label = page.locator("#topics .topic").first.text_content()
    assert (page.text_content("#versions .current") or "").startswith("v1")
    page.locator("#topics .rename").first.click()
    page.fill("#topics .rename-input", f"Fonts {XSS}")
    page.press("#topics .rename-input", "Enter")
    page.wait_for_selector("#versions .current:has-text('v2')")
    assert page.locator("#topics .topic").first.text_content() == f"Fonts {XSS}"
    legend = page.evaluate("document.getElementById('plot').data.map(t => t.name).join('|')")
    assert "Fonts &lt;img" in legend  # escaped by the server, shown as text
    assert page.locator("#topics img").count() == 0 and page.dialogs == []
    page.wait_for_timeout(500)
    shot(page, "7-renamed")
    page.click("#versions .restore >> nth=-1")  # the oldest: version 1
    page.wait_for_selector("#versions .current:has-text('v3')")
    assert page.locator("#topics .topic").first.text_content() == first_label
    assert "restore version 1" in (page.text_content("#versions .current") or "")
    assert not page.text_content("#edit-error")
    assert page.dialogs == []

    # Merge: tick two topics, "Merge 2 topics": one topic fewer, a new version; then undo it.
    sizes = [int((t or "0").split()[0]) for t in page.locator("#topics li > span.muted").all_text_contents()]
    first_size = page.locator("#topics li > span.muted").first.text_content() or ""
    assert f"documents ({int(100 * sizes[0] / n_documents + 0.5)}%)" in first_size  # its share, as a survey reports it
    assert page.locator("#merge").is_disabled()
    page.locator("#topics .pick").nth(0).check()
    page.locator("#topics .pick").nth(1).check()
    assert page.text_content("#merge") == "Merge 2 topics"
    page.click("#merge")
    page.wait_for_selector("#versions .current:has-text('v4')")
    assert "merge topics" in (page.text_content("#versions .current") or "")
    assert page.locator("#topics .topic").count() == n_topics - 1
    merged = int((page.locator("#topics li > span.muted").first.text_content() or "0").split()[0])
    assert merged == sizes[0] + sizes[1]  # the two largest, now one
    shot(page, "7b-merged")
    page.click("#versions .restore >> nth=-1")
    page.wait_for_selector("#versions .current:has-text('v5')")
    assert page.locator("#topics .topic").count() == n_topics and not page.text_content("#edit-error")

    # Split a topic in two (re-clustered on the server): one topic more, a new version. The largest
    # first; a topic whose documents k-means cannot part says so, and the next one is tried.
    for index in range(page.locator("#topics .split").count()):
        page.locator("#topics .split").nth(index).click()
        page.fill("#topics .split-box input", "2")
        page.click("#topics .split-box button:has-text('Split into 2')")
        page.wait_for_function(
            "document.querySelector('#versions .current').textContent.startsWith('v6')"
            " || document.getElementById('edit-error').textContent.includes('could not be split')"
        )
        if (page.text_content("#versions .current") or "").startswith("v6"):
            break
        assert "too alike" in (page.text_content("#edit-error") or "")
    page.wait_for_selector("#versions .current:has-text('v6')")
    assert "split topic" in (page.text_content("#versions .current") or "")
    assert page.locator("#topics .topic").count() == n_topics + 1 and not page.text_content("#edit-error")
    new_sizes = [int((t or "0").split()[0]) for t in page.locator("#topics li > span.muted").all_text_contents()]
    gone, parts = Counter(sizes) - Counter(new_sizes), Counter(new_sizes) - Counter(sizes)
    assert list(gone.elements()) == [sizes[index]] and sum(parts.elements()) == sizes[index]  # that one, in two
    shot(page, "7c-split")

    # Rename a theme at the coarse level: the page stays at that level and shows the new name.
    page.select_option("#level", "coarse")
    page.wait_for_selector("#topics details")
    page.locator("#topics summary .rename").first.click()
    page.fill("#topics .rename-input", "Everything about fonts")
    page.press("#topics .rename-input", "Enter")
    page.wait_for_selector("#versions .current:has-text('v7')")
    page.wait_for_selector("#topics details button.theme:has-text('Everything about fonts')")
    assert page.input_value("#level") == "coarse"
    legend = page.evaluate("document.getElementById('plot').data.map(t => t.name).join('|')")
    assert "Everything about fonts" in legend
    page.select_option("#level", "fine")
    page.wait_for_function("document.querySelectorAll('#topics details').length === 0")

    # Move a box selection into one topic: the documents follow, a new version.
    box = page.evaluate(PLOT_BOX)
    page.evaluate("Plotly.relayout('plot', {dragmode: 'select'})")
    page.mouse.move(box["left"] + 2, box["top"] + 2)
    page.mouse.down()
    page.mouse.move((box["left"] + box["right"]) / 2, (box["top"] + box["bottom"]) / 2, steps=4)
    page.mouse.move(box["right"] - 2, box["bottom"] - 2, steps=4)
    page.mouse.up()
    page.wait_for_selector("#move-box:not([hidden])")
    target = page.locator("#move-to option").first.text_content()
    page.click("#move")
    page.wait_for_selector("#versions .current:has-text('v8')")
    assert "move" in (page.text_content("#versions .current") or "")
    assert page.locator("#topics .topic").count() == 1  # every document now in one topic
    assert (page.locator("#topics .topic").first.text_content() or "") != "" and target
    assert not page.text_content("#edit-error")


def test_assign_and_add_new_documents_from_the_page(
    page: object, client: httpx.Client, worker: Worker, tmp_path: Path
) -> None:
    job_id = mapped_job(client, sample_documents(150, offset=300), min_topic_size=5)
    open_stored_job(page, job_id)
    n_documents = page.evaluate("window.topicmap.state.map.documents.id.length")
    new = [d["text"] for d in sample_documents(3, offset=470)]
    page.fill("#assign-pasted", "\n".join(new))
    page.click("#assign-submit")
    page.wait_for_selector("#assign-status:has-text('3 documents assigned to version 1')", timeout=120_000)
    marked = page.evaluate(
        "document.getElementById('plot').data.filter(t => t.meta && t.meta.highlight).map(t => t.x.length)"
    )
    assert marked == [3]
    assert "Assigned documents" in (page.text_content("#docs-caption") or "")
    listed = page.locator("#documents li").all_text_contents()
    assert len(listed) == 3 and all("similarity" in item for item in listed)
    assert any(new[0][:40] in item for item in listed)
    assert page.evaluate("window.topicmap.state.map.documents.id.length") == n_documents  # the map is unchanged
    page.wait_for_timeout(500)
    shot(page, "8-assigned")

    # "Add them to the map": the job makes version 2 with them in it, and the page shows it.
    page.check("#assign-add")
    page.fill("#assign-pasted", "\n".join(new[:2]))
    page.click("#assign-submit")
    page.wait_for_selector("#versions .current:has-text('v2')", timeout=120_000)
    assert "add 2 assigned documents" in (page.text_content("#versions .current") or "")
    page.wait_for_selector("#assign-status:has-text('added to the map as version 2')")
    assert page.evaluate("window.topicmap.state.map.documents.id.length") == n_documents + 2
    sizes = [int((t or "0").split()[0]) for t in page.locator("#topics li > span.muted").all_text_contents()]
    assert sum(sizes) == n_documents + 2
    assert not page.text_content("#edit-error") and not page.text_content("#job-error")

    # A file in the Windows code page: said so, then read in the encoding chosen and assigned.
    page.uncheck("#assign-add")
    windows = tmp_path / "nouveaux.csv"
    table = io.StringIO()
    csv.writer(table, delimiter=";").writerows([["Catégorie", "Commentaire"], *(["x", f"café – {t}"] for t in new)])
    windows.write_bytes(table.getvalue().encode("cp1252"))
    page.set_input_files("#assign-file", str(windows))
    page.wait_for_selector("#assign-status:has-text('nouveaux.csv: not UTF-8 text (invalid byte at line 1)')")
    assert page.locator("#assign-columns").is_hidden() and page.input_value("#assign-encoding-choice") == "windows-1252"
    page.locator("#assign-form").screenshot(path=str(SHOTS / "8-assign-not-utf8.png"))
    page.click("#assign-read-in-encoding")
    page.wait_for_selector("#assign-columns:not([hidden])")
    assert page.input_value("#assign-text-column") == "Commentaire" and page.locator("#assign-encoding").is_hidden()
    page.click("#assign-submit")
    page.wait_for_selector("#assign-status:has-text('3 documents assigned to version 2')", timeout=120_000)
    assert any("café – " in item for item in page.locator("#documents li").all_text_contents())

    # A reload opens the same view (the address names the map); an assignment job in "My jobs"
    # opens its map with its documents on it; nothing broke on the way.
    page.reload()
    page.wait_for_function(f"window.topicmap.state.map && window.topicmap.state.jobId === {json.dumps(job_id)}")
    assert page.evaluate("window.topicmap.state.map.documents.id.length") == n_documents + 2
    page.click("#toggle-aside")  # the map fills the window: "New map and my jobs" brings the list back
    page.click("#refresh-jobs")
    page.wait_for_selector("#jobs li button:has-text('assigned and added')")
    page.click("#jobs li button:has-text('assigned and added')")
    page.wait_for_selector("#assign-status:has-text('2 documents assigned')", timeout=60_000)
    assert page.evaluate("window.topicmap.state.jobId") == job_id
    assert not [line for line in page.console if line.startswith(("error", "pageerror"))], page.console


def test_a_json_file_of_api_documents_offers_its_meta_keys_as_columns(page: object, tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps({"documents": sample_documents(20, offset=40)}), encoding="utf-8")
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#preview:not([hidden])")
    assert page.input_value("#text-column") == "text"
    options = page.locator("#class-column option").all_text_contents()
    assert "section" in options and "meta" not in options and "text" not in options, options  # not the text itself
    page.select_option("#class-column", "section")
    page.select_option("#text-column", "section")  # another text column: the views offer the old one instead
    options = page.locator("#class-column option").all_text_contents()
    assert "text" in options and "section" not in options and page.input_value("#class-column") == "", options
    headers = page.locator("#preview-table th").all_text_contents()
    assert set(headers) == {"text", "id", "section"}, headers


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_csv_of_semicolons_is_previewed_in_its_columns(page: object, tmp_path: Path, encoding: str) -> None:
    """As a spreadsheet saves it where the comma is the decimal mark; UTF-16 as PowerShell writes it."""
    path = tmp_path / "survey.csv"
    with path.open("w", newline="", encoding=encoding) as handle:
        if encoding == "utf-16":
            handle.write("sep=;\r\n")  # Excel's line naming the delimiter: not the header
        else:
            handle.write("\r\n;;\r\n")  # blank lines before the header (one of delimiters only) are skipped
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "answer", "score", ""])  # a trailing delimiter: a column with no name
        writer.writerows([d["id"], f"{d['text']}, really", "4,5", ""] for d in sample_documents(20, offset=40))
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#preview:not([hidden])")
    assert page.locator("#preview-table th").all_text_contents() == ["id", "answer", "score", "column 4"]
    assert page.input_value("#text-column") == "answer"
    assert page.locator("#preview-table tr >> nth=1 >> td").all_text_contents()[2] == "4,5"


def test_short_answers_are_the_text_not_their_longer_dates(page: object, tmp_path: Path) -> None:
    """The page took the column with the most characters for the text: the answers' date-times."""
    path = tmp_path / "answers.csv"
    answers = ["no", "too slow", "great app", "crashes", "n/a", "love it"]
    lines = [f"{i},{answer},{i + 1}/15/2024 2:3{i} PM" for i, answer in enumerate(answers)]
    path.write_text("respondent,answer,submitted\n" + "\n".join(lines) + "\n", encoding="utf-8")
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#preview:not([hidden])")
    assert page.input_value("#text-column") == "answer"


def test_a_file_without_a_header_line_is_told_its_first_text_is_a_name(page: object, tmp_path: Path) -> None:
    """One column of answers and no header: the first answer is the column's name, not a document."""
    path = tmp_path / "answers.csv"
    path.write_text("Price is fair for the quality\nDelivery took three weeks\nThe app crashes\n", encoding="utf-8")
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#header-note:not([hidden])")
    assert "“Price is fair for the quality”, is read as the column's name" in page.text_content("#header-note")
    named = tmp_path / "named.csv"
    named.write_text("What could we do better?\nDelivery took three weeks\nThe app crashes\n", encoding="utf-8")
    page.set_input_files("#file", str(named))  # a question over its answers reads like a text too: told the same
    page.wait_for_selector("#header-note:has-text('What could we do better?')")
    answers = tmp_path / "feedback.csv"
    answers.write_text("feedback\nDelivery took three weeks\nThe app crashes\n", encoding="utf-8")
    page.set_input_files("#file", str(answers))
    page.wait_for_selector("#header-note", state="hidden")
    texts = ["Price is fair for the quality", *(f"answer {i}, the app crashes" for i in range(11))]
    path.write_text("\n".join(f'"{text}"' for text in texts) + "\n", encoding="utf-8-sig")
    page.set_input_files("#file", str(path))
    page.click("#first-line-text")  # "It is a text": a header line goes before it
    page.wait_for_selector("#header-note", state="hidden")
    assert page.input_value("#text-column") == "text"
    assert page.locator("#preview-table td").first.text_content() == texts[0]
    with page.expect_response(lambda r: r.url.endswith("/api/jobs") and r.request.method == "POST") as answer:
        page.click("#submit")
    documents = answer.value.json()["documents"]
    assert documents["used"] == len(texts) and documents["text_column"] == "text"  # every line a text
    page.click("#cancel")


def test_survey_tool_exports_are_previewed_from_their_first_answer(page: object, tmp_path: Path) -> None:
    path = tmp_path / "qualtrics.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ResponseId", "Q2_TEXT"])
        writer.writerow(["Response ID", "What could we improve?"])  # the question, then its ImportId: not answers
        writer.writerow(['{"ImportId":"_recordId"}', '{"ImportId":"QID2_TEXT"}'])
        writer.writerows([f"R_{i}", f"answer number {i}, longer than the question text"] for i in range(8))
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#preview:not([hidden])")
    cells = page.locator("#preview-table tr >> nth=1 >> td").all_text_contents()
    assert cells == ["R_0", "answer number 0, longer than the question text"], cells
    assert page.locator("#preview-table tr").count() == 6 and page.input_value("#text-column") == "Q2_TEXT"
    monkey = tmp_path / "surveymonkey.csv"
    with monkey.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Respondent ID", "What could we improve?"])
        writer.writerow(["", "Open-Ended Response"])  # SurveyMonkey's second header row: not an answer
        writer.writerows([f"11{i}", f"answer number {i}"] for i in range(8))
    page.set_input_files("#file", str(monkey))
    page.wait_for_selector("#preview-table td:has-text('110')")
    cells = page.locator("#preview-table tr >> nth=1 >> td").all_text_contents()
    assert cells == ["110", "answer number 0"], cells


def test_a_spreadsheet_is_refused_at_once_with_how_to_save_it(page: object, tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_bytes(b"PK\x03\x04 a zip of XML")
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#form-error:has-text('save it as')")
    said = page.text_content("#form-error") or ""
    assert "answers.xlsx cannot be read: a spreadsheet, save it as 'CSV UTF-8' first" in said
    assert page.locator("#preview").is_hidden() and page.input_value("#file") == ""
    page.click("#submit")  # nothing is sent: there is no file to send
    page.wait_for_selector("#form-error:has-text('Choose a file or paste some texts first')")


def test_a_csv_in_the_windows_code_page_is_read_in_the_encoding_chosen(page: object, tmp_path: Path) -> None:
    """Excel's "CSV (Comma delimited)" writes the Windows code page: "Catégorie" is not UTF-8, and
    the server refused it only after its upload; the page says so at once, with how to save it, and
    reads it in the encoding chosen; a first such byte past the preview's head is offered the same
    after the server's 422."""
    path = tmp_path / "réponses.csv"
    rows = ["Catégorie;Commentaire", *(f"{i};l’application est trop lente, numéro {i}" for i in range(20))]
    path.write_bytes("\r\n".join(rows).encode("cp1252"))
    page.set_input_files("#file", str(path))
    page.wait_for_selector("#form-error:has-text('not UTF-8')")
    said = page.text_content("#form-error") or ""
    assert (
        "réponses.csv: not UTF-8 text (invalid byte at line 1); save it as UTF-8 (in Excel: Save As, 'CSV UTF-8')"
        in said
    )
    assert page.locator("#preview").is_hidden() and page.input_value("#file") == ""
    assert page.input_value("#encoding-choice") == "windows-1252"
    shot(page, "2-not-utf8")
    page.click("#read-in-encoding")
    page.wait_for_selector("#preview:not([hidden])")
    assert page.locator("#encoding-note").is_hidden() and page.text_content("#form-error") == ""
    assert page.input_value("#text-column") == "Commentaire"
    assert "l’application est trop lente, numéro 0" in (page.text_content("#preview-table") or "")
    with page.expect_response(lambda r: r.url.endswith("/api/jobs") and r.request.method == "POST") as answer:
        page.click("#submit")
    assert answer.value.json()["documents"] == {  # every line, in its characters
        "received": 20,
        "dropped": 0,
        "truncated": 0,
        "used": 20,
        "text_column": "Commentaire",
    }
    page.click("#cancel")
    late = tmp_path / "late.csv"  # the preview reads the first 256 KiB
    line = b"answer %04d: the delivery took three weeks and the box came torn at one corner again and again once more\n"
    late.write_bytes(b"text\n" + b"".join(line % i for i in range(2_800)) + b"d\xe9j\xe0 vu\n")  # 280 kB
    page.set_input_files("#file", str(late))
    page.wait_for_selector("#preview:not([hidden])")
    page.click("#submit")
    page.wait_for_selector("#form-error:has-text('not UTF-8 text (invalid byte at line 2802)')")
    page.click("#read-in-encoding")
    page.wait_for_selector("#encoding-note", state="hidden")
    with page.expect_response(lambda r: r.url.endswith("/api/jobs") and r.request.method == "POST") as answer:
        page.click("#submit")
    assert answer.value.json()["documents"]["used"] == 2_801
    page.click("#cancel")


def test_cancel_from_the_page(page: object, client: httpx.Client, worker: Worker) -> None:
    page.fill("#pasted", "\n".join(d["text"].replace("\n", " ") for d in sample_documents(1500)))
    page.click("details summary")  # the seed and the texts' language are among the advanced parameters
    page.fill("#seed", "77")
    page.select_option("#language", label="German")
    page.click("#submit")
    page.wait_for_selector("#progress-text:has-text('running')", timeout=120_000)
    page.click("#cancel")
    page.wait_for_selector("#progress-text:has-text('cancelled')", timeout=120_000)
    shot(page, "6-cancelled")
    assert page.locator("#cancel").is_hidden()
    params = client.get(f"/api/jobs/{page.evaluate('window.topicmap.state.jobId')}").json()["params"]
    assert params["seed"] == 77 and params["languages"] == ["de"]


LABEL_BOXES = """() => [...document.querySelectorAll('#plot g.annotation text.annotation-text')]
  .filter((t) => t.textContent.trim())
  .map((t) => { const r = t.getBoundingClientRect();
    return { text: t.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom }; })"""


def assert_apart(boxes: list[dict[str, float]]) -> None:
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            )
            assert apart, f"labels overlap: {a} and {b}"


def open_stored_job(page: object, job_id: str) -> None:
    """Open a job stored straight into Redis from "My jobs" (the newest first), as a person does."""
    page.click("#refresh-jobs")  # type: ignore[attr-defined]
    page.click(f'#jobs li button[data-job="{job_id}"]')  # type: ignore[attr-defined]  # once the refreshed list shows it
    page.wait_for_function(f"window.topicmap.state.map && window.topicmap.state.jobId === {json.dumps(job_id)}")  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelectorAll('#plot g.annotation text.annotation-text').length > 0")  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]


def test_topics_per_class_of_many_topics_is_a_heatmap_that_scrolls(page: object, redis_server: Redis) -> None:
    """Squeezed into the plot area, the heatmap's 60 rows stood on top of each other; it keeps its
    height and the plot area scrolls, until a level is chosen again."""
    job_id = store_finished_job(JobStore.from_url(redis_server.url), "alice", 2_000, n_topics=60, per_section=True)
    open_stored_job(page, job_id)
    page.select_option("#level", "chart:per_class")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').data[0].type === 'heatmap'")  # type: ignore[attr-defined]
    rows = page.evaluate(  # type: ignore[attr-defined]
        """(() => { const plot = document.getElementById('plot');
            const ticks = [...plot.querySelectorAll('.ytick text')].map(t => t.getBoundingClientRect().top)
                .sort((a, b) => a - b);
            return {rows: plot.data[0].y.length, gaps: ticks.slice(1).map((top, i) => top - ticks[i]),
                    scrolls: plot.scrollHeight > plot.clientHeight,
                    tall: plot.classList.contains('tall-chart')}; })()"""
    )
    assert rows["rows"] == 60 and rows["scrolls"] and rows["tall"], rows
    assert min(rows["gaps"]) >= 14, rows["gaps"]  # a row of 12 px text each, not squeezed together
    shot(page, "8a-per-class-heatmap")
    page.select_option("#level", "fine")  # type: ignore[attr-defined]
    page.wait_for_function("document.getElementById('plot').data.some(t => t.type === 'scattergl')")  # type: ignore[attr-defined]
    assert not page.evaluate("document.getElementById('plot').classList.contains('tall-chart')")  # type: ignore[attr-defined]


def test_a_20000_document_map_reads_well_and_loads_no_texts(page: object, redis_server: Redis) -> None:
    store = JobStore.from_url(redis_server.url)
    n_documents = 20_000
    job_id = store_finished_job(store, "alice", n_documents, n_topics=200, themes=8)
    open_stored_job(page, job_id)

    # Labels: never two on top of each other; zoomed out the coarse themes are named first.
    zoomed_out = page.evaluate(LABEL_BOXES)
    shot(page, "8-labels-200-topics")
    assert len(zoomed_out) >= 8
    assert_apart(zoomed_out)
    assert sum(box["text"].startswith("theme ") for box in zoomed_out) >= 4, zoomed_out

    # The page never downloads the texts: hover and selection fetch them by id, a page at a time.
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not any("include=text" in url for url in loaded), loaded
    assert any("texts=false" in url for url in loaded)
    box = page.evaluate(PLOT_BOX)
    page.mouse.move(box["point_x"], box["point_y"])
    page.wait_for_function("document.getElementById('hover-doc').textContent.includes(' · ')")
    hovered_id = (page.text_content("#hover-doc") or "").split(" · ")[0]
    assert page.evaluate(f"window.topicmap.state.texts.has({json.dumps(hovered_id)})")  # fetched by id
    page.evaluate("Plotly.relayout('plot', {dragmode: 'lasso'})")
    page.mouse.move(box["left"] + 2, box["top"] + 2)
    page.mouse.down()
    for x, y in (
        (box["right"] - 2, box["top"] + 2),
        (box["right"] - 2, box["bottom"] - 2),
        (box["left"] + 2, box["bottom"] - 2),
        (box["left"] + 2, box["top"] + 4),
    ):
        page.mouse.move(x, y, steps=6)
    page.mouse.up()
    page.wait_for_selector("#docs-caption:has-text('Selected documents:')")
    selected = int((page.text_content("#docs-caption") or "").split("Selected documents: ")[1].split(" ")[0])
    assert selected > n_documents * 0.9
    first_page = page.locator("#documents .text").all_text_contents()
    page.click("#next-page")
    page.wait_for_selector("#docs-caption:has-text('showing 21–40')")
    second_page = page.locator("#documents .text").all_text_contents()
    assert len(first_page) == len(second_page) == 20 and all(second_page)
    page.evaluate("Plotly.relayout('plot', {dragmode: 'pan'})")

    # Colour by a metadata column, then show only one of its values.
    options = page.locator("#colour-by option").all_text_contents()
    assert "section (categorical)" in options and "Outlier flag" in options and "filed (time)" in options, options
    page.select_option("#colour-by", "section")
    page.wait_for_function("document.getElementById('plot').layout.legend.title.text === 'section'")
    legend = page.evaluate("document.getElementById('plot').data.map(t => t.name)")
    sections = [section for _, section in corpus_rows(n_documents)]
    common = [section for section, _ in Counter(sections).most_common(30)]
    assert set(common) <= set(legend), legend  # the 30 most common sections have their colour in the legend
    first_section = page.locator("#only option").nth(1).text_content()
    page.select_option("#only", index=1)
    kept = page.evaluate("document.getElementById('plot').data[0].selectedpoints.length")
    assert kept == sections.count(first_section or "") > 0
    page.wait_for_timeout(400)
    shot(page, "8b-coloured-by-section")
    page.select_option("#colour-by", "words")  # a numeric column: a colour bar, no categories to pick
    page.wait_for_function("document.getElementById('plot').data[0].marker.showscale === true")
    assert page.locator("#only").is_hidden() and page.locator("#plot .colorbar").count() == 1
    colours = page.evaluate("Array.from(document.getElementById('plot').data[0].marker.color.slice(0, 5))")
    assert colours == [len(text.split()) for text, _ in corpus_rows(5)]
    page.select_option("#colour-by", "filed")  # dates: a colour bar in time, ticks written as dates
    page.wait_for_function("document.getElementById('plot').data[0].marker.colorbar?.title.text === 'filed'")
    colorbar = page.evaluate("document.getElementById('plot').data[0].marker.colorbar")
    assert colorbar["ticktext"][0] == "2026-01-01" and colorbar["ticktext"][-1] == "2026-12-28", colorbar
    assert page.locator("#only").is_hidden() and page.locator("#plot .colorbar").count() == 1
    shot(page, "8c-coloured-by-date")
    page.select_option("#colour-by", "")
    page.wait_for_function("document.getElementById('plot').layout.showlegend === false")  # 200 topics: no legend
    assert page.locator("#only").is_hidden()

    # Search dims every other point.
    page.fill("#search", "fonts")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#docs-caption:has-text('Matching')")
    total = int((page.text_content("#docs-caption") or "").split(": ")[1].split(" ")[0])
    kept_rows = page.evaluate(
        "document.getElementById('plot').data.filter(t => t.customdata).map(t => (t.selectedpoints || []).length)"
    )
    assert total > 0 and sum(kept_rows) == min(total, 500)
    page.click("#clear-search")

    # A picture of the current view.
    with page.expect_download() as png_info:
        page.click("#download-png")
    picture = Image.open(png_info.value.path())
    assert picture.format == "PNG" and picture.width >= 800 and ImageStat.Stat(picture.convert("L")).var[0] > 100
    with page.expect_download() as svg_info:
        page.click("#download-svg")
    assert svg_info.value.suggested_filename.endswith("-map.svg")
    svg = Path(svg_info.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "annotation" in svg  # the labels come along

    # Zoomed in, finer labels take the room the themes leave; still none on top of another.
    page.evaluate("""() => { const xa = document.getElementById('plot')._fullLayout.xaxis;
      const ya = document.getElementById('plot')._fullLayout.yaxis;
      const [x0, x1] = xa.range, [y0, y1] = ya.range;
      const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, wx = (x1 - x0) / 8, wy = (y1 - y0) / 8;
      return Plotly.relayout('plot', {'xaxis.range': [cx - wx, cx + wx], 'yaxis.range': [cy - wy, cy + wy]}); }""")
    page.wait_for_timeout(800)
    zoomed_in = page.evaluate(LABEL_BOXES)
    shot(page, "9-labels-zoomed-in")
    assert_apart(zoomed_in)
    finer = {box["text"] for box in zoomed_in} - {box["text"] for box in zoomed_out}
    assert finer and all(text.startswith("topic ") for text in finer), zoomed_in
    assert not any(box["text"].startswith("theme ") for box in zoomed_in)


def test_the_map_fills_a_small_window_and_the_panels_fold(page: object, redis_server: Redis) -> None:
    store = JobStore.from_url(redis_server.url)
    job_id = store_finished_job(store, "alice", 2_000, n_topics=40, themes=5)
    page.set_viewport_size({"width": 1024, "height": 768})
    open_stored_job(page, job_id)
    assert page.locator("#aside").is_hidden()  # the forms fold away once a map is open
    plot = page.locator("#plot").bounding_box()
    assert plot is not None and plot["width"] >= 0.6 * 1024 and plot["height"] >= 420
    assert page.locator("#side-panel").is_visible()
    page.wait_for_timeout(300)
    shot(page, "10-small-window")

    page.focus("#toggle-panel")  # keyboard reachable: Enter hides the panel and the map widens
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('plot').getBoundingClientRect().width > 900")
    assert page.locator("#side-panel").is_hidden()
    assert page.get_attribute("#toggle-panel", "aria-expanded") == "false"
    page.focus("#toggle-aside")
    page.keyboard.press("Enter")
    assert page.locator("#aside").is_visible() and page.locator("#new-job").is_visible()

    page.set_viewport_size({"width": 390, "height": 844})  # a phone upright: the key form wraps, nothing overflows
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    key = page.locator("#api-key").bounding_box()
    assert key is not None and key["x"] + key["width"] <= 390
    shot(page, "11-phone")
