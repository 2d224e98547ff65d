// The topicmap page: one module per panel, each owning its part of the DOM; they share state.js and
// talk HTTP only through api.js. This module wires them together and starts the page.
//
//   jobs.js       key, my jobs, a new map (file preview, parameters), re-run
//   progress.js   a job's progress (SSE) and cancel; its map once it succeeded
//   map.js        the map (Plotly), hover, dimming and marks, full-window view, downloads
//   topics.js     topics and themes (tree levels, charts), rename, split, merge and reduce
//   versions.js   the versions list and restore; edit(), the one way the page changes a map
//   documents.js  the documents list, paging, the lasso selection and moving it
//   search.js     search by words or by meaning
//   colour.js     colour by the outlier flag or a metadata column
//   assign.js     assign new documents to the shown map (and add them)
import { getKey } from "./api.js";
import { setupAssign } from "./assign.js";
import "./colour.js";
import { listDocuments } from "./documents.js";
import { $ } from "./dom.js";
import { refreshJobs } from "./jobs.js";
import { markAssigned, showJobMap } from "./map.js";
import "./progress.js";
import "./search.js";
import { on, state } from "./state.js";
import "./topics.js";
import "./versions.js";

const assigning = setupAssign({
  jobId: () => state.jobId,
  version: () => state.version,
  showMap: showJobMap,
  markAssigned,
  list: listDocuments,
});
on("assignment-finished", (jobId) => assigning.follow(jobId));

if (getKey()) {
  $("api-key").value = getKey();
  refreshJobs();
}
window.topicmap = { state };
