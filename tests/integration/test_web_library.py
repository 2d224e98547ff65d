"""The library in a real browser through nginx: keep the shown map from the Keep dialog, find it in
the Library by tag, open it from there, download its bundle and import it back as a new map."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import SHOTS
from tests.integration.servers import Api, Redis
from tests.integration.synthetic import store_finished_job
from topicmap.store import JobStore

pytestmark = pytest.mark.integration
MAP_SHOWN = "window.topicmap.state.map && window.topicmap.state.jobId === {job}"


def test_keep_find_open_download_and_import(page: object, api: Api, redis_server: Redis, tmp_path: Path) -> None:
    store = JobStore.from_url(redis_server.url)
    job_id = store_finished_job(store, "alice", 400, n_topics=8, with_terms=True)
    store.update(job_id, name="packages-q3.csv")  # as an upload of that file names it
    page.goto(page.url.split("#")[0] + f"#/jobs/{job_id}")  # type: ignore[attr-defined]
    page.wait_for_function(MAP_SHOWN.format(job=repr(job_id)))  # type: ignore[attr-defined]
    assert page.text_content("#job-title") == "packages-q3.csv"  # type: ignore[attr-defined]

    page.click("#keep-open")  # type: ignore[attr-defined]
    page.wait_for_selector("#keep-dialog[open]")  # type: ignore[attr-defined]  # with the map's name offered:
    assert page.input_value("#keep-name") == "packages-q3.csv"  # type: ignore[attr-defined]
    page.fill("#keep-name", "Quarterly packages")  # type: ignore[attr-defined]
    page.fill("#keep-description", "Kept from the page")  # type: ignore[attr-defined]
    page.fill("#keep-tags", "debian, q3")  # type: ignore[attr-defined]
    page.click("#keep-save")  # type: ignore[attr-defined]
    page.wait_for_selector("#keep-status:has-text('Kept as')")  # type: ignore[attr-defined]
    assert page.is_visible("#keep-stop")  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "keep-dialog.png"))  # type: ignore[attr-defined]
    page.click("#keep-close")  # type: ignore[attr-defined]
    page.wait_for_selector("#job-kept:has-text('Quarterly packages')")  # type: ignore[attr-defined]
    assert page.text_content("#job-title") == "Quarterly packages"  # type: ignore[attr-defined]  # keeping named it
    page.click("#rename-map")  # type: ignore[attr-defined]  # renamed in place: the library entry follows
    page.fill("#map-name", "Quarterly packages, Debian")  # type: ignore[attr-defined]
    page.press("#map-name", "Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("#job-kept:has-text('Quarterly packages, Debian')")  # type: ignore[attr-defined]
    assert page.text_content("#job-title") == "Quarterly packages, Debian"  # type: ignore[attr-defined]
    assert page.is_hidden("#rename-form") and page.is_visible("#rename-map")  # type: ignore[attr-defined]

    page.click("#toggle-aside")  # the map fills the window: the button brings the jobs and library back
    page.wait_for_selector(f"#library button[data-job='{job_id}']")  # type: ignore[attr-defined]
    page.select_option("#library-tag", "q3")  # type: ignore[attr-defined]
    page.wait_for_function("document.querySelectorAll('#library button[data-job]').length === 1")  # type: ignore[attr-defined]
    page.fill("#library-q", "nothing kept is called this")  # type: ignore[attr-defined]
    page.click("#library-form button")  # type: ignore[attr-defined]
    page.wait_for_selector("#library li:has-text('No kept maps here')")  # type: ignore[attr-defined]
    page.fill("#library-q", "quarterly")  # type: ignore[attr-defined]
    page.click("#library-form button")  # type: ignore[attr-defined]
    page.wait_for_selector(f"#library button[data-job='{job_id}']")  # type: ignore[attr-defined]
    page.screenshot(path=str(SHOTS / "library.png"))  # type: ignore[attr-defined]

    with page.expect_download() as downloading:  # type: ignore[attr-defined]
        page.click("#download-bundle")  # type: ignore[attr-defined]
    bundle = tmp_path / "map.topicmap"
    downloading.value.save_as(bundle)
    page.set_input_files("#import-file", str(bundle))  # type: ignore[attr-defined]
    page.wait_for_function(f"window.topicmap.state.map && window.topicmap.state.jobId !== {job_id!r}")  # type: ignore[attr-defined]
    assert "Imported map.topicmap" in page.text_content("#library-status")  # type: ignore[attr-defined]  # folded away
    imported = page.evaluate("window.topicmap.state.jobId")  # type: ignore[attr-defined]
    assert len(page.evaluate("window.topicmap.state.map.documents.id")) == 400  # type: ignore[attr-defined]
    assert page.text_content("#job-title") == "Quarterly packages, Debian"  # type: ignore[attr-defined]  # carried

    page.click("#toggle-aside")  # type: ignore[attr-defined]
    page.click(f"#library button[data-job='{job_id}']")  # type: ignore[attr-defined]
    page.wait_for_function(MAP_SHOWN.format(job=repr(job_id)))  # type: ignore[attr-defined]
    assert imported != job_id
    page.click("#keep-open")  # type: ignore[attr-defined]
    page.click("#keep-stop")  # type: ignore[attr-defined]
    page.wait_for_selector("#keep-status:has-text('No longer kept')")  # type: ignore[attr-defined]
    page.wait_for_selector("#job-kept", state="hidden")  # type: ignore[attr-defined]
