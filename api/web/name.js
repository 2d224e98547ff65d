// The shown map's name: above the map (the job's id while it has none), renamed in place by its
// owner (PATCH /api/jobs/{id}); the job lists and, for a kept map, the library follow.
import { json } from "./api.js";
import { $, say } from "./dom.js";
import { emit, state, update } from "./state.js";

export function showName(name) {
  update({ jobName: name || null });
  say("job-title", name || `Job ${state.jobId}`);
  closeRename();
}

// What downloads of the shown map are called: its name without the corpus file's extension and
// without characters file systems refuse ("tickets.csv" → "tickets-documents.csv"), else its id.
export function fileStem() {
  const stem = (state.jobName || "").replace(/\.(csv|tsv|jsonl|json|txt)$/i, "").replace(/[\\/:*?"<>|\x00-\x1f]+/g, " ").replace(/^[.\s]+|[.\s]+$/g, "");
  return stem || `topicmap-${state.jobId}`;
}

function closeRename() {
  $("rename-form").hidden = true;
  $("rename-map").hidden = false;
}

$("rename-map").addEventListener("click", () => {
  $("map-name").value = state.jobName || "";
  say("rename-status", "");
  $("rename-map").hidden = true;
  $("rename-form").hidden = false;
  $("map-name").focus();
  $("map-name").select();
});
$("rename-cancel").addEventListener("click", closeRename);
$("map-name").addEventListener("keydown", (event) => { if (event.key === "Escape") closeRename(); });

$("rename-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const status = await json(`/api/jobs/${state.jobId}`, {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: $("map-name").value }),
    });
    showName(status.name);
    emit("jobs-changed");  // the job lists show it
    emit("name-changed");  // a kept map's library entry took it too
  } catch (error) {
    say("rename-status", error.message);
  }
});
