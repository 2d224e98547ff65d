// The library: kept maps (mine and those shared with me), filtered by text and tag, opened like any
// job; importing a bundle (.topicmap) as a new map; and, on the shown map, keeping it (name,
// description, tags), changing how it is kept, or stopping, and downloading its bundle.
import { call, download, getKey, json, linkToken } from "./api.js";
import { $, el, say } from "./dom.js";
import { fileStem, showName } from "./name.js";
import { openJob } from "./progress.js";
import { on, state } from "./state.js";

export async function refreshLibrary() {
  if (linkToken() || !getKey()) return;  // a share link opens one map; without a key there is no library
  const params = new URLSearchParams();
  if ($("library-q").value.trim()) params.set("q", $("library-q").value.trim());
  if ($("library-tag").value) params.set("tag", $("library-tag").value);
  try {
    const { maps } = await json(`/api/maps?${params}`);
    listMaps(maps);
    if (!params.toString()) offerTags(maps);
  } catch (error) {
    say("library-status", error.message);
  }
}

function listMaps(maps) {
  $("library").replaceChildren(...maps.map((entry) => {
    const item = el("li");
    const button = el("button", entry.name, "link");
    button.type = "button";
    button.dataset.job = entry.job;
    button.addEventListener("click", () => openJob(entry.job));
    const edited = new Date(entry.last_edited * 1000).toLocaleDateString();
    const facts = ` ${entry.documents} documents · ${entry.topics} topics · v${entry.versions} · ${edited} · ${entry.owner}`;
    item.append(button, el("span", facts, "muted small-text"));
    if (entry.tags.length) item.append(el("span", entry.tags.join(", "), "badge"));
    return item;
  }));
  if (!maps.length) $("library").append(el("li", "No kept maps here: keep a map to find it again.", "muted"));
}

function offerTags(maps) {
  const tags = [...new Set(maps.flatMap((entry) => entry.tags))].sort();
  const all = el("option", "any tag");
  all.value = "";
  $("library-tag").replaceChildren(all, ...tags.map((tag) => { const o = el("option", tag); o.value = tag; return o; }));
}

$("library-form").addEventListener("submit", (event) => { event.preventDefault(); refreshLibrary(); });
$("library-tag").addEventListener("change", refreshLibrary);
on("jobs-changed", refreshLibrary);

$("import-file").addEventListener("change", async () => {
  const file = $("import-file").files[0];
  if (!file) return;
  say("library-status", `Importing ${file.name}…`);
  try {
    const response = await call("/api/maps/import", { method: "POST", headers: { "Content-Type": "application/zip" }, body: file });
    const job = await response.json();
    say("library-status", `Imported ${file.name} as a new map.`);
    await openJob(job.job_id);
  } catch (error) {
    say("library-status", `Not imported: ${error.message}`);
  } finally {
    $("import-file").value = "";
  }
});

// --- the shown map: keep it, or change how it is kept --------------------------------------------

// The shown map's library entry, if it is kept (found in the library: no 404 for a map not kept).
async function keptEntry() {
  if (linkToken()) return null;  // a share link reads one map, not the library
  try {
    const { maps } = await json("/api/maps?limit=500");
    return maps.find((entry) => entry.job === state.jobId) || null;
  } catch (_) {
    return null;
  }
}

// "Kept in the library as …" under the job's title.
async function showKept() {
  const kept = await keptEntry();
  $("job-kept").hidden = !kept;
  if (kept) say("job-kept", `Kept in the library as “${kept.name}”${kept.tags.length ? ` · ${kept.tags.join(", ")}` : ""}`);
}
on("map-drawn", showKept);
on("name-changed", showKept);

const dialog = $("keep-dialog");

$("keep-open").addEventListener("click", async () => {
  say("keep-status", "");
  const kept = await keptEntry();
  $("keep-name").value = kept ? kept.name : state.jobName || "";
  $("keep-description").value = kept ? kept.description : "";
  $("keep-tags").value = kept ? kept.tags.join(", ") : "";
  $("keep-stop").hidden = !kept;
  $("keep-save").textContent = kept ? "Save" : "Keep";
  dialog.showModal();
});
$("keep-close").addEventListener("click", () => dialog.close());

$("keep-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    name: $("keep-name").value.trim(),
    description: $("keep-description").value.trim(),
    tags: $("keep-tags").value.split(",").map((tag) => tag.trim()).filter(Boolean),
  };
  try {
    const entry = await json(`/api/jobs/${state.jobId}/keep`, {
      method: $("keep-stop").hidden ? "POST" : "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    say("keep-status", `Kept as “${entry.name}” (${(entry.bytes / 1024 ** 2).toFixed(1)} MiB in the archive).`);
    showName(entry.name);  // keeping names the map
    $("keep-stop").hidden = false;
    $("keep-save").textContent = "Save";
    refreshLibrary();
    showKept();
  } catch (error) {
    say("keep-status", error.message);
  }
});

$("keep-stop").addEventListener("click", async () => {
  try {
    await call(`/api/jobs/${state.jobId}/keep`, { method: "DELETE" });
    say("keep-status", "No longer kept: the map expires like any other.");
    $("keep-stop").hidden = true;
    $("keep-save").textContent = "Keep";
    refreshLibrary();
    showKept();
  } catch (error) {
    say("keep-status", error.message);
  }
});

$("download-bundle").addEventListener("click", () => download(`/api/jobs/${state.jobId}/bundle`, `${fileStem()}.topicmap`));
$("key-form").addEventListener("submit", () => refreshLibrary());  // after jobs.js has stored the key
