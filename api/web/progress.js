// The progress panel: a job's state, stage, fraction and ETA as they stream (Server-Sent Events),
// cancel, and the map once the job has succeeded.
import { followEvents, json } from "./api.js";
import { $, say, TERMINAL } from "./dom.js";
import { showMap } from "./map.js";
import { showName } from "./name.js";
import { setJob } from "./address.js";
import { emit, showJob, state, update } from "./state.js";

// A job, at its latest version or at `version` (an address may name one).
export async function openJob(jobId, version = null) {
  showJob(jobId);
  update({ wanted: version });
  setJob(jobId, version);
  $("job").hidden = false;
  $("result").hidden = true;
  $("progress-box").hidden = false;
  showName(null);
  say("job-error", "");
  const status = await json(`/api/jobs/${jobId}`);
  if (status.job_id !== state.jobId) return;  // another job was opened meanwhile
  showName(status.name);
  showRole(status);
  showStatus(status);
  if (TERMINAL.includes(status.state)) return finished(status);
  update({ events: new AbortController() });
  try {
    await followEvents(jobId, (name, data) => {
      if (data.job_id !== state.jobId) return;
      showStatus(data);
      if (name === "end") finished(data);
    }, state.events.signal);
  } catch (error) {
    if (error.name !== "AbortError") say("job-error", `Lost the progress stream: ${error.message}`);
  }
}

// Final states are final: a status read before the end (the cancel's answer can come after the
// stream's end) must not bring back "running" and the cancel button.
let ended = null;

function showStatus(status) {
  if (status.job_id !== state.jobId) return;  // another job was opened meanwhile
  if (TERMINAL.includes(status.state)) ended = status.job_id;
  else if (ended === status.job_id) return;
  const progress = $("progress");
  progress.value = status.progress.fraction;
  const parts = [status.state];
  if (status.state === "queued" && status.queue_position) parts.push(`position ${status.queue_position} in the queue`);
  if (status.stage) parts.push(`stage: ${status.stage}`);
  if (status.progress.total > 1) parts.push(`${status.progress.done} / ${status.progress.total}`);
  parts.push(`${Math.round(status.progress.fraction * 100)}%`);
  if (status.eta_s) parts.push(`about ${Math.ceil(status.eta_s)} s left`);
  say("progress-text", parts.join(" · "));
  $("cancel").hidden = TERMINAL.includes(status.state);
  if (status.error) say("job-error", `${status.error.code}: ${status.error.detail}`);
  say("job-warnings", [...documentNotes(status.documents), ...(status.warnings || [])].join(" · "));
}

// What the corpus lost on the way in (the CLI says it too): rows with no text, texts cut to the limit.
function documentNotes(documents) {
  if (!documents) return [];
  const notes = [];
  const plural = (n) => `${n.toLocaleString("en")} document${n === 1 ? "" : "s"}`;
  if (documents.dropped) notes.push(`${plural(documents.dropped)} of ${documents.received.toLocaleString("en")} had no text (empty, N/A, NULL, nan) and were left out`);
  if (documents.truncated) notes.push(`${plural(documents.truncated)} cut to the per-document length limit`);
  return notes;
}

$("cancel").addEventListener("click", async () => {
  try {
    showStatus(await json(`/api/jobs/${state.jobId}`, { method: "DELETE" }));
  } catch (error) {
    say("job-error", error.message);
  }
});

// What the caller may do with this job: the page hides what their role does not allow (style.css).
function showRole(status) {
  document.body.dataset.role = status.role || "owner";
  const shared = status.role && status.role !== "owner";
  say("job-owner", shared ? `Shared by ${status.owner}: you may ${status.role === "editor" ? "edit" : "read"} it` : "");
}

async function finished(status) {
  emit("jobs-changed");
  if (status.state !== "succeeded") return;
  if (status.kind === "assignment") return emit("assignment-finished", status.job_id);  // its map, its documents on it
  await showMap();
}
