"""Sharing in a real browser through nginx: A shares a map with B (viewer, then editor) from the
Share dialog, makes a link that a browser with no key opens read-only, revokes it; a deep link
reloads to the same view, and back goes to the previous one."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import mapped_job, sample_documents
from tests.integration.servers import Api, Redis, Worker
from tests.integration.synthetic import store_finished_job, store_job, synthetic_map
from tests.integration.test_web import PLOT_BOX
from topicmap.store import JobStore

pytestmark = pytest.mark.integration
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "web"
MAP_SHOWN = "window.topicmap.state.map && window.topicmap.state.jobId === {job}"


def member(api: Api, name: str) -> str:
    with api.client("admin") as admin:
        made = admin.post("/api/users", json={"name": name})
        assert made.status_code == 201, made.text
        return str(made.json()["key"]["key"])


def visible(page: object, selector: str) -> int:
    return int(
        page.evaluate(f"[...document.querySelectorAll({json.dumps(selector)})].filter(e => e.offsetParent).length")
    )  # type: ignore[attr-defined]


@pytest.fixture
def context_of(browser: object, edge: str) -> Iterator[object]:
    contexts: list[object] = []

    def open_as(key: str | None) -> object:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.refused = []  # requests the API answered with an error
        page.on("response", lambda r: page.refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(edge + "/")
        if key is not None:
            page.fill("#api-key", key)
            page.click("#key-form button")
            page.wait_for_selector("#key-status:has-text('key accepted')")
        return page

    yield open_as
    for context in contexts:
        context.close()  # type: ignore[attr-defined]


def test_share_with_a_person_and_by_link_then_revoke(
    api: Api, edge: str, redis_server: Redis, worker: Worker, context_of: object
) -> None:
    suffix = uuid.uuid4().hex[:6]
    a_name, b_name = f"ann-{suffix}", f"bo-{suffix}"
    a_key, b_key = member(api, a_name), member(api, b_name)
    store = JobStore.from_url(redis_server.url)
    private = store_finished_job(store, a_name, 80, n_topics=4)
    with httpx.Client(base_url=edge, headers={"X-API-Key": a_key}, timeout=120) as as_a:  # A fits a map
        job_id = mapped_job(as_a, sample_documents(240, offset=300), min_topic_size=5)
    SHOTS.mkdir(parents=True, exist_ok=True)

    a = context_of(a_key)  # type: ignore[operator]
    a.click("#refresh-jobs")
    a.click(f'#jobs li button[data-job="{job_id}"]')
    a.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    assert a.evaluate("location.hash") == f"#/jobs/{job_id}"
    a.click("#share-open")
    a.fill("#share-user", b_name)
    a.select_option("#share-role", "viewer")
    a.click("#share-person button")
    a.wait_for_selector(f"#shares li:has-text('{b_name} · viewer')")

    b = context_of(b_key)  # type: ignore[operator]
    b.wait_for_selector(f"#shared-jobs li:has-text('{a_name}')")
    assert "you read" in (b.text_content("#shared-jobs li") or "")
    b.click("#shared-jobs li button")
    b.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    assert "Shared by " + a_name in (b.text_content("#job-owner") or "")
    assert visible(b, ".rename") == 0 and visible(b, "#share-open") == 0 and visible(b, ".pick") == 0
    assert visible(b, "#topics .topic") > 0 and visible(b, "#download-csv") == 1
    box = b.evaluate(PLOT_BOX)
    b.mouse.move(box["point_x"], box["point_y"])
    b.wait_for_function("document.getElementById('hover-doc').textContent.includes(' · ')")
    b.fill("#search", "package")
    b.click("#search-form button[type=submit]")
    b.wait_for_selector("#docs-caption:has-text('Matching')")
    with b.expect_download() as download:
        b.click("#download-csv")
    assert download.value.suggested_filename.endswith(".csv")
    b.screenshot(path=str(SHOTS / "share-1-viewer.png"), full_page=True)
    with httpx.Client(base_url=edge, headers={"X-API-Key": b_key}) as as_b:
        rename = {"operations": [{"op": "rename", "topic": 0, "label": "By B"}]}
        assert as_b.post(f"/api/jobs/{job_id}/edits", json=rename).status_code == 403
        assert as_b.get(f"/api/jobs/{private}/map").status_code == 404

    a.select_option("#share-role", "editor")
    a.fill("#share-user", b_name)
    a.click("#share-person button")
    a.wait_for_selector(f"#shares li:has-text('{b_name} · editor')")
    b.reload()
    b.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    assert visible(b, ".rename") > 0 and visible(b, "#share-open") == 0  # an editor edits, does not share
    b.click("#topics .rename >> nth=0")
    b.fill(".rename-input", "Renamed by B")
    b.press(".rename-input", "Enter")
    b.wait_for_selector(f"#versions .current:has-text('{b_name}')")

    a.click("#share-link button")
    a.wait_for_selector("#link-made:not([hidden])")
    a.screenshot(path=str(SHOTS / "share-0-dialog.png"))
    link = a.input_value("#link-url")
    assert "/s/tms_" in link
    viewer = context_of(None)  # type: ignore[operator]
    viewer.goto(link)
    viewer.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    viewer.wait_for_selector(f"#link-banner:has-text('{a_name}')")
    assert visible(viewer, "#key-form") == 0 and visible(viewer, "#aside") == 0
    controls = (".rename", ".split", ".pick", ".restore", "#share-open", "#rerun", "#merge-box", "#assign-form")
    for control in (*controls, "#rename-map"):
        assert visible(viewer, control) == 0, control
    assert visible(viewer, "#topics .topic") > 0 and viewer.errors == []
    assert viewer.refused == []  # asks for nothing a link does not open (no key: no job list, no library)
    with viewer.expect_download() as table:
        viewer.click("#download-topics")  # the topics table opens by the link too
    assert Path(table.value.path()).read_text(encoding="utf-8-sig").startswith("topic,label,size,percent,")
    viewer.goto(link.split("#")[0])  # the link as the API gives it (/s/TOKEN): its views get addresses too
    viewer.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    viewer.click("#topics .topic >> nth=1")  # a reload keeps the view
    viewer.wait_for_function("location.hash.includes('topic=')")
    chosen = viewer.evaluate("window.topicmap.state.listing.topic")
    assert viewer.url.startswith(link.split("#")[0] + f"#/jobs/{job_id}?")
    viewer.reload()
    viewer.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    viewer.wait_for_function(f"window.topicmap.state.listing?.topic === {chosen}")
    legend = "document.getElementById('plot')._fullLayout.showlegend === {}"
    viewer.wait_for_function(legend.format("false"))  # the panel beside the map: its topic list names the colours
    viewer.click("#toggle-panel")  # the map alone on a laptop's screen: room for the legend
    viewer.wait_for_function(legend.format("true"))
    viewer.click("#toggle-panel")
    viewer.set_viewport_size({"width": 760, "height": 1000})  # a phone on its side: the topic list names the colours
    viewer.wait_for_function(legend.format("false"))
    viewer.screenshot(path=str(SHOTS / "share-3-link-narrow.png"))
    viewer.set_viewport_size({"width": 390, "height": 844})  # a phone upright: nothing wider than its screen
    viewer.wait_for_timeout(300)
    assert viewer.evaluate("document.documentElement.scrollWidth") <= 390
    width, height = viewer.evaluate("(({width, height}) => [width, height])(plot.getBoundingClientRect())")
    assert height <= 1.25 * width, (width, height)  # about as tall as wide: not a tall strip, the map mid-way
    viewer.screenshot(path=str(SHOTS / "share-4-link-phone.png"))
    viewer.set_viewport_size({"width": 1800, "height": 1000})
    viewer.wait_for_function(legend.format("true"))
    viewer.screenshot(path=str(SHOTS / "share-2-link.png"), full_page=True)
    a.click("#shares li:has-text('a link') button.revoke")
    a.wait_for_selector("#share-status:has-text('no longer opens')")
    viewer.reload()
    viewer.wait_for_selector("#link-banner:has-text('does not open a map')")
    token = link.split("/s/")[1].split("#")[0]
    with httpx.Client(base_url=edge, headers={"X-Share-Token": token}) as by_link:
        assert by_link.get(f"/api/jobs/{job_id}/map").status_code == 404
    assert a.errors == [] and b.errors == []


def test_a_deep_link_reloads_to_the_same_view(api: Api, redis_server: Redis, context_of: object) -> None:
    name = f"deep-{uuid.uuid4().hex[:6]}"
    key = member(api, name)
    store = JobStore.from_url(redis_server.url)
    job_id = store_finished_job(store, name, 400, n_topics=12, themes=3, with_terms=True)
    page = context_of(key)  # type: ignore[operator]
    with httpx.Client(base_url=api.url, headers={"X-API-Key": key}) as client:
        rename = {"operations": [{"op": "rename", "topic": 0, "label": "Version two"}]}
        assert client.post(f"/api/jobs/{job_id}/edits", json=rename).status_code == 201
        topic = client.get(f"/api/jobs/{job_id}/topics").json()[3]["id"]
    page.evaluate(f"location.hash = '#/jobs/{job_id}?v=1&topic={topic}&q=package'")
    page.reload()
    page.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    page.wait_for_selector("#docs-caption:has-text('Matching')")
    assert page.evaluate("window.topicmap.state.version") == 1  # the earlier version, as the address says
    assert page.evaluate("window.topicmap.state.latest") == 2
    assert page.input_value("#search") == "package"
    assert page.locator(f".topic.active[data-topic='{topic}']").count() == 1
    assert page.evaluate("location.hash") == f"#/jobs/{job_id}?v=1&topic={topic}&q=package"  # as it was
    page.goto(page.url.split("#")[0] + f"#/jobs/{job_id}?level=coarse")
    page.wait_for_function("document.getElementById('level').value === 'coarse'")
    page.click("#topics .theme >> nth=0")
    theme = page.evaluate("new URLSearchParams(location.hash.split('?')[1]).get('theme')")
    assert theme and page.evaluate("location.hash").endswith(f"level=coarse&theme={theme}")
    page.reload()
    page.wait_for_function("document.getElementById('level').value === 'coarse'")
    page.wait_for_selector(f".theme.active[data-theme='{theme}']")
    page.go_back()  # before the theme: the coarse level alone
    page.wait_for_function("!location.hash.includes('theme=')")
    assert page.evaluate("document.getElementById('level').value") == "coarse"


def test_column_and_category_names_reach_the_map_as_text(api: Api, redis_server: Redis, context_of: object) -> None:
    """Plotly reads names as HTML: a column or category named with markup shows as text, no link."""
    name = f"xss-{uuid.uuid4().hex[:6]}"
    key = member(api, name)
    store = JobStore.from_url(redis_server.url)
    topic_map = synthetic_map(120, 6)
    texts = [f"document {i} about packages and tools" for i in range(120)]
    hostile = '<a href="https://example.com">click</a>'
    metadata = [{"<b>team": hostile if i % 2 else "<i>plain</i>"} for i in range(120)]  # (no "/": it is a path)
    job_id = store_job(store, name, texts, topic_map, metadata)
    page = context_of(key)  # type: ignore[operator]
    page.evaluate(f"location.hash = '#/jobs/{job_id}'")
    page.wait_for_function(MAP_SHOWN.format(job=json.dumps(job_id)))
    page.wait_for_function("document.querySelectorAll('#colour-by option').length > 2")
    page.select_option("#colour-by", "<b>team")
    page.wait_for_function("document.getElementById('plot').layout.legend.title.text.includes('team')")
    legend = page.evaluate("document.querySelector('#plot .legend').textContent")
    assert hostile in legend and "<b>team" in legend and "<i>plain</i>" in legend  # shown as written
    assert page.evaluate("document.querySelectorAll('#plot .legend a, #plot .legend b, #plot .legend i').length") == 0
