// The jobs panel: the API key, my jobs, and a new map from a file (with a preview to pick the
// text and metadata columns) or pasted texts, with its parameters; re-running a job with them.
import { ApiError, getKey, json, setKey } from "./api.js";
import { $, el, say } from "./dom.js";
import { fileHead, guessTextColumn, guessTimeColumn, headerNote, inUtf8, NotUtf8, offerEncodings, preview, refusedAsNotUtf8, unreadable, withHeaderLine } from "./preview.js";
import { openJob } from "./progress.js";
import { on, state, update } from "./state.js";

$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  setKey($("api-key").value.trim());
  await refreshJobs();
});

// My jobs, and the maps others shared with me (with their owner and my role).
export async function refreshJobs() {
  if (!getKey()) return say("key-status", "enter your API key");
  try {
    const [{ jobs }, shared] = await Promise.all([json("/api/jobs?limit=50"), json("/api/jobs?shared=true&limit=50")]);
    say("key-status", "key accepted");
    listJobs($("jobs"), jobs, "No jobs yet.");
    listJobs($("shared-jobs"), shared.jobs, "Nothing shared with you yet.");
  } catch (error) {
    say("key-status", error.status === 401 ? "this key is not accepted" : error.message);
  }
}
$("refresh-jobs").addEventListener("click", refreshJobs);

function listJobs(list, jobs, none) {
  list.replaceChildren(...jobs.map((job) => {
    const item = el("li");
    const what = job.kind === "assignment" ? `${job.documents.used.toLocaleString("en")} documents assigned${job.assigns_to.add ? " and added" : ""}` : `${job.documents.used.toLocaleString("en")} documents`;
    const whose = job.role && job.role !== "owner" ? ` · ${job.owner}'s, you ${job.role === "editor" ? "edit" : "read"}` : "";
    const named = job.name ? `${job.name} · ` : "";
    const button = el("button", `${named}${new Date(job.created_at * 1000).toLocaleString()} · ${what}${whose}`, "link");
    button.type = "button";
    button.dataset.job = job.job_id;
    button.addEventListener("click", () => openJob(job.job_id));
    item.append(button, el("span", job.state, `badge ${job.state}`));
    return item;
  }));
  if (!jobs.length) list.append(el("li", none));
}
on("jobs-changed", () => { refreshJobs(); });

// --- new map: file, preview, parameters --------------------------------------------------------

const drop = $("drop");
drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  if (event.dataTransfer.files.length) chooseFile(event.dataTransfer.files[0]);
});
drop.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") $("file").click(); });
$("file").addEventListener("change", () => { if ($("file").files.length) chooseFile($("file").files[0]); });

async function chooseFile(file) {
  const refused = unreadable(file.name);
  update({ file: refused ? null : file });
  say("form-error", refused);
  $("preview").hidden = true;
  readable(null);
  if (refused) { $("file").value = ""; return; }
  try {
    const head = await fileHead(file, 256 * 1024);
    const { columns, rows } = preview(file.name, head);
    const select = $("text-column");
    select.replaceChildren(...columns.map((c) => { const o = el("option", c); o.value = c; return o; }));
    select.value = guessTextColumn(columns, rows);
    previewColumns = columns;
    offerMetadataColumns();
    $("time-column").value = guessTimeColumn(columns, select.value);
    const table = $("preview-table");
    const header = el("tr");
    columns.forEach((c) => header.append(el("th", c)));
    table.replaceChildren(header, ...rows.map((row) => {
      const tr = el("tr");
      row.forEach((cell) => tr.append(el("td", cell.length > 160 ? `${cell.slice(0, 160)}…` : cell)));
      return tr;
    }));
    const note = headerNote(file.name, columns);
    say("header-note-text", note);
    $("header-note").hidden = !note;
    $("preview").hidden = false;
  } catch (error) {
    $("preview").hidden = true;
    if (error instanceof NotUtf8) {  // the server would refuse it: not sent
      update({ file: null });
      $("file").value = "";
      say("form-error", `${file.name}: ${error.message}.`);
      if (error.utf8) readable(file);
      return;
    }
    say("form-error", `Cannot preview ${file.name}: ${error.message}. It can still be sent.`);
  }
}

let previewColumns = [];

// A file that is not UTF-8 (Excel's "CSV" on Windows is Windows-1252) is read in the encoding chosen
// in #encoding-note, then previewed and sent as UTF-8. Its first such byte may lie past the preview's
// head: the server's 422 offers the same.
let undecodable = null;
offerEncodings($("encoding-choice"));
function readable(file) {
  undecodable = file;
  $("encoding-note").hidden = !file;
}
$("read-in-encoding").addEventListener("click", async () => {
  if (undecodable) await chooseFile(await inUtf8(undecodable, $("encoding-choice").value));
});

// A file without a header line: one is added before its first, which is then a text like the others.
$("first-line-text").addEventListener("click", async () => {
  if (state.file) await chooseFile(await withHeaderLine(state.file));
});

// The metadata views ("Topics per class of", "over time by") offer any column but the text column;
// a choice stays when it still can be made.
function offerMetadataColumns() {
  for (const id of ["class-column", "time-column"]) {
    const chosen = $(id).value;
    const none = el("option", "(none)");
    none.value = "";
    const offered = previewColumns.filter((c) => c !== $("text-column").value);
    $(id).replaceChildren(none, ...offered.map((c) => { const o = el("option", c); o.value = c; return o; }));
    $(id).value = offered.includes(chosen) ? chosen : "";
  }
}
$("text-column").addEventListener("change", offerMetadataColumns);

function metadataColumn(id) {
  const value = $(id).value;
  return !$("preview").hidden && value && value !== $("text-column").value ? value : undefined;
}

// "billing: invoices, refunds" per line → [{label: "billing", description: "invoices, refunds"}].
function seedTopics() {
  const seeds = $("seed-topics").value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const at = line.indexOf(":");
    return at < 0 ? { label: line } : { label: line.slice(0, at).trim(), description: line.slice(at + 1).trim() };
  });
  return seeds.length ? seeds : undefined;
}

function params() {
  const number = (id) => ($(id).value === "" ? undefined : Number($(id).value));
  const result = {
    min_topic_size: number("min-topic-size"),
    n_topics: number("n-topics"),
    n_neighbors: number("neighbors"),
    min_dist: number("min-dist"),
    seed: number("seed"),
    keep_outliers: $("keep-outliers").checked,
    one_per_duplicate_group: $("one-per-group").checked || undefined,
    languages: $("language").value ? [$("language").value] : undefined,
    class_column: metadataColumn("class-column"),
    time_column: metadataColumn("time-column"),
    seed_topics: seedTopics(),
  };
  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined));
}

$("new-job").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("form-error", "");
  const pasted = $("pasted").value.split(/\r?\n/).filter((line) => line.trim());
  const name = $("job-name").value.trim() || undefined;  // none: the file's name (the API's default)
  let request;
  if (pasted.length && !state.file) {
    // Unnamed, the server names the map by the first text ("“the app crashes on login” and 11 more").
    const body = { documents: pasted, params: params(), name };
    request = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  } else if (state.file) {
    const form = new FormData();
    form.append("file", state.file);
    if (name) form.append("name", name);
    if (!$("preview").hidden && $("text-column").value) form.append("text_column", $("text-column").value);
    form.append("params", JSON.stringify(params()));
    request = { method: "POST", body: form };
  } else {
    return say("form-error", "Choose a file or paste some texts first.");
  }
  try {
    $("submit").disabled = true;
    const accepted = await json("/api/jobs", request);
    await openJob(accepted.job_id);
    refreshJobs();
  } catch (error) {
    say("form-error", error.message);
    if (state.file && refusedAsNotUtf8(error.message)) readable(state.file);
  } finally {
    $("submit").disabled = false;
  }
});

// The shown job's corpus again, with the parameters in the form.
$("rerun").addEventListener("click", async () => {
  try {
    const accepted = await json(`/api/jobs/${state.jobId}/rerun`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(params()),
    });
    await openJob(accepted.job_id);
  } catch (error) {
    say("job-error", error instanceof ApiError ? error.message : String(error));
  }
});
