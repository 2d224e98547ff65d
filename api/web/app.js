// The topicmap page: one module per panel, each owning its part of the DOM; they share state.js and
// talk HTTP only through api.js. This module wires them together and starts the page.
//
//   jobs.js       key, my jobs and those shared with me, a new map (file preview, parameters), re-run
//   progress.js   a job's progress (SSE) and cancel; its map once it succeeded; the caller's role
//   name.js       the shown map's name above it, and renaming it
//   map.js        the map (Plotly), hover, dimming and marks, full-window view, downloads
//   topics.js     topics and themes (tree levels, charts), rename, split, merge and reduce
//   versions.js   the versions list and restore; edit(), the one way the page changes a map
//   documents.js  the documents list, paging, the lasso selection and moving it
//   search.js     search by words or by meaning
//   axes.js       semantic axes: documents and topics between two poles
//   colour.js     colour by the outlier flag or a metadata column
//   assign.js     assign new documents to the shown map (and add them)
//   share.js      share the map with a person or by a link
//   tags.js       tag documents, the map's tags, tags as a colour
//   library.js    kept maps (find, open, import a bundle); keep the shown map; download its bundle
//   address.js    the view in the address (#/jobs/ID?v=&level=&topic=&q=): reload, back, forward, links
import { getKey, json, linkToken } from "./api.js";
import { readAddress, whileApplying } from "./address.js";
import { setupAssign } from "./assign.js";
import { showAxes } from "./axes.js";
import "./colour.js";
import { listDocuments } from "./documents.js";
import { $, say } from "./dom.js";
import { refreshJobs } from "./jobs.js";
import { refreshLibrary } from "./library.js";
import { markAssigned, showJobMap } from "./map.js";
import { openJob } from "./progress.js";
import { runSearch } from "./search.js";
import "./share.js";
import "./tags.js";
import { on, state } from "./state.js";
import { selectById, showLevel } from "./topics.js";
import "./versions.js";

const assigning = setupAssign({
  jobId: () => state.jobId,
  version: () => state.version,
  showMap: showJobMap,
  markAssigned,
  list: listDocuments,
});
on("assignment-finished", (jobId) => assigning.follow(jobId));

// The view the address names: the job (and version), then its level, topic or theme, and search.
async function applyAddress(fallbackJob = null) {
  const address = readAddress() || (fallbackJob && { jobId: fallbackJob });
  if (!address) return;
  await whileApplying(async () => {
    if (address.jobId !== state.jobId || (address.version || null) !== state.wanted || !state.map) {
      await openJob(address.jobId, address.version || null);
    }
    if (!state.map) return;  // not finished (yet): the progress shows
    const level = address.level || "fine";
    if ($("level").value !== level && [...$("level").options].some((o) => o.value === level)) await showLevel(level);
    if (address.ax) await showAxes(address.ax, address.ay);  // first: the topic and matches stand out on the axes
    if (address.topic !== null || address.theme) selectById(address.topic, address.theme);
    if (address.q) await runSearch(address.q, address.mode || "words");
  });
}
window.addEventListener("popstate", () => applyAddress());

async function start() {
  const token = linkToken();
  if (token) {  // a share link: one map, read-only, no key
    document.body.classList.add("link-mode");
    try {
      const target = await json("/api/link");
      say("link-banner", `A map shared by ${target.owner}: read-only`);
      $("link-banner").hidden = false;
      // The view's address follows the link (/s/TOKEN#/jobs/ID?topic=3): a reload or a copy of it opens
      // the same view; an address of another map is set back to the link's.
      if (readAddress()?.jobId !== target.job_id) history.replaceState(null, "", `#/jobs/${encodeURIComponent(target.job_id)}`);
      await applyAddress();
    } catch (error) {
      say("link-banner", `This link does not open a map: ${error.message}`);
      $("link-banner").hidden = false;
    }
    return;
  }
  if (getKey()) {
    $("api-key").value = getKey();
    await refreshJobs();
    await refreshLibrary();
    await applyAddress();
  }
}

window.topicmap = { state };
start();
