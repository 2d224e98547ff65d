// The topicmap page. Every user-derived string is put on the page with textContent, never innerHTML.
import { ApiError, download, editMap, followEvents, getKey, json, setKey } from "./api.js";
import { setupAssign } from "./assign.js";
import { guessTextColumn, preview } from "./preview.js";

const $ = (id) => document.getElementById(id);
const PAGE = 20;
const TERMINAL = ["succeeded", "failed", "cancelled"];
const state = { jobId: null, file: null, events: null, map: null, texts: new Map(), listing: null, offset: 0, topics: [], version: 1, hovered: null };
const LEVEL_NAMES = { fine: "Topics", medium: "Medium themes", coarse: "Coarse themes" };

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function say(node, message) {
  $(node).textContent = message || "";
}

// --- key and job history --------------------------------------------------------------------

$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  setKey($("api-key").value.trim());
  await refreshJobs();
});

async function refreshJobs() {
  if (!getKey()) return say("key-status", "enter your API key");
  try {
    const { jobs } = await json("/api/jobs?limit=50");
    say("key-status", "key accepted");
    const list = $("jobs");
    list.replaceChildren();
    for (const job of jobs) {
      const item = el("li");
      const what = job.kind === "assignment" ? `${job.documents.used} documents assigned${job.assigns_to.add ? " and added" : ""}` : `${job.documents.used} documents`;
      const button = el("button", `${new Date(job.created_at * 1000).toLocaleString()} · ${what}`, "link");
      button.type = "button";
      button.addEventListener("click", () => openJob(job.job_id));
      item.append(button, el("span", job.state, `badge ${job.state}`));
      list.append(item);
    }
    if (!jobs.length) list.append(el("li", "No jobs yet."));
  } catch (error) {
    say("key-status", error.status === 401 ? "this key is not accepted" : error.message);
  }
}
$("refresh-jobs").addEventListener("click", refreshJobs);

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
  state.file = file;
  say("form-error", "");
  try {
    const head = await file.slice(0, 256 * 1024).text();
    const { columns, rows } = preview(file.name, head);
    const select = $("text-column");
    select.replaceChildren(...columns.map((c) => { const o = el("option", c); o.value = c; return o; }));
    select.value = guessTextColumn(columns, rows);
    for (const id of ["class-column", "time-column"]) {  // metadata views: any column but the text
      const none = el("option", "(none)");
      none.value = "";
      $(id).replaceChildren(none, ...columns.map((c) => { const o = el("option", c); o.value = c; return o; }));
    }
    const dated = columns.find((c) => /date|time|created|day/i.test(c));
    $("time-column").value = dated || "";
    const table = $("preview-table");
    const header = el("tr");
    columns.forEach((c) => header.append(el("th", c)));
    table.replaceChildren(header, ...rows.map((row) => {
      const tr = el("tr");
      row.forEach((cell) => tr.append(el("td", cell.length > 160 ? `${cell.slice(0, 160)}…` : cell)));
      return tr;
    }));
    $("preview").hidden = false;
  } catch (error) {
    $("preview").hidden = true;
    say("form-error", `Cannot preview ${file.name}: ${error.message}. It can still be sent.`);
  }
}

function metadataColumn(id) {
  const value = $(id).value;
  return !$("preview").hidden && value && value !== $("text-column").value ? value : undefined;
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
    class_column: metadataColumn("class-column"),
    time_column: metadataColumn("time-column"),
  };
  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined));
}

$("new-job").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("form-error", "");
  const pasted = $("pasted").value.split(/\r?\n/).filter((line) => line.trim());
  let request;
  if (pasted.length && !state.file) {
    request = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ documents: pasted, params: params() }) };
  } else if (state.file) {
    const form = new FormData();
    form.append("file", state.file);
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
  } finally {
    $("submit").disabled = false;
  }
});

// --- a job: progress, then the map -------------------------------------------------------------

async function openJob(jobId) {
  if (state.events) state.events.abort();
  Object.assign(state, { jobId, map: null, texts: new Map(), listing: null, offset: 0 });
  $("job").hidden = false;
  $("result").hidden = true;
  $("progress-box").hidden = false;
  say("job-title", `Job ${jobId}`);
  say("job-error", "");
  const status = await json(`/api/jobs/${jobId}`);
  showStatus(status);
  if (TERMINAL.includes(status.state)) return finished(status);
  state.events = new AbortController();
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

function showStatus(status) {
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
}

$("cancel").addEventListener("click", async () => {
  try {
    showStatus(await json(`/api/jobs/${state.jobId}`, { method: "DELETE" }));
  } catch (error) {
    say("job-error", error.message);
  }
});

async function finished(status) {
  refreshJobs();
  if (status.state !== "succeeded") return;
  if (status.kind === "assignment") return assigning.follow(status.job_id);  // its map, its documents on it
  await showMap();
}

// Another job's map in the same view (an assignment's map, opened from "My jobs").
async function showJobMap(jobId) {
  if (jobId !== state.jobId) {
    if (state.events) state.events.abort();
    Object.assign(state, { jobId, map: null, texts: new Map(), listing: null, offset: 0 });
    say("job-title", `Job ${jobId}`);
  }
  await showMap();
}

// The latest version of the map: figure, positions, topics, versions (after an edit too). No texts:
// hover and selection fetch them by id, a page at a time, so a big map loads fast.
async function showMap() {
  const jobId = state.jobId;
  const [figure, topicMap, topics, versions] = await Promise.all([
    json(`/api/jobs/${jobId}/figure?kind=map&texts=false`),
    json(`/api/jobs/${jobId}/map`),
    json(`/api/jobs/${jobId}/topics`),
    json(`/api/jobs/${jobId}/versions`),
  ]);
  if (jobId !== state.jobId) return;
  state.map = topicMap;
  state.topics = topics;
  state.texts = new Map();
  state.rowOf = null;
  renderVersions(versions);
  $("progress-box").hidden = true;
  $("result").hidden = false;
  openMapView();
  $("colour-box").hidden = false;
  renderLevels(topicMap);
  state.figure = figure;
  resetColours();
  await drawMap(figure);
  renderTopics(topics);
  listDocuments({ caption: "All documents", path: `/api/jobs/${jobId}/documents` });
}

async function drawMap(figure) {
  // Copies: Plotly keeps and changes what it is given (selections, ranges), the kept figure stays as sent.
  const data = figure.data.map((trace) => ({ ...trace }));
  const { xaxis, yaxis, annotations } = figure.layout;
  const layout = { ...figure.layout, autosize: true, xaxis: { ...xaxis }, yaxis: { ...yaxis }, annotations: [...(annotations || [])] };
  delete layout.width;
  await Plotly.react("plot", data, layout, { responsive: true, displaylogo: false, scrollZoom: true });
  window.topicmapLabels.attach($("plot"));
  $("plot").removeAllListeners?.("plotly_selected");
  $("plot").removeAllListeners?.("plotly_hover");
  $("plot").on("plotly_selected", (event) => showSelection(event));
  $("plot").on("plotly_hover", (event) => showHovered(event));
}

// The text of the document under the pointer, fetched by id (kept for the session).
async function documentsById(ids) {
  const wanted = ids.filter((id) => !state.texts.has(id));
  for (let start = 0; start < wanted.length; start += 500) {
    const { documents } = await json(`/api/jobs/${state.jobId}/documents/by-ids?version=${state.version}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ids: wanted.slice(start, start + 500) }),
    });
    for (const doc of documents) state.texts.set(doc.id, doc);
  }
  return ids.map((id) => state.texts.get(id)).filter(Boolean);
}

function showHovered(event) {
  const point = event && event.points && event.points[0];
  if (!point || point.customdata === undefined || !state.map) return;
  const id = state.map.documents.id[point.customdata];
  state.hovered = id;
  setTimeout(async () => {
    if (state.hovered !== id) return;  // the pointer moved on
    const [doc] = await documentsById([id]);
    if (doc && state.hovered === id) say("hover-doc", `${doc.id} · ${doc.label}${doc.outlier ? " (outlier)" : ""}: ${doc.text}`);
  }, 120);
}

// --- hierarchy: a level selector recolours the map; themes expand to their topics ------------------

// The "Show" choices: hierarchy levels (the map recoloured), then the metadata charts the map has.
function renderLevels(topicMap) {
  const select = $("level");
  const levels = topicMap.hierarchy ? [...topicMap.hierarchy.levels].reverse() : ["fine"];
  const options = levels.map((level) => {
    const option = el("option", LEVEL_NAMES[level] || level);
    option.value = level;
    return option;
  });
  if (topicMap.per_class) options.push(chartOption("per_class", `Topics per ${topicMap.per_class.column}`));
  if (topicMap.over_time) options.push(chartOption("over_time", `Topics over time (${topicMap.over_time.column})`));
  select.replaceChildren(...options);
  select.value = "fine";
  $("level-box").hidden = options.length < 2;
  say("topics-title", LEVEL_NAMES.fine);
}

function chartOption(kind, text) {
  const option = el("option", text);
  option.value = `chart:${kind}`;
  return option;
}

// A chart replaces the map in the plot area until a level is chosen again.
async function showChart(kind) {
  const jobId = state.jobId;
  const figure = await json(`/api/jobs/${jobId}/figure?kind=${kind}&version=${state.version}`);
  if (jobId !== state.jobId) return;
  state.figure = null;
  $("colour-box").hidden = true;
  $("plot").removeAllListeners?.("plotly_selected");
  $("plot").removeAllListeners?.("plotly_hover");
  await Plotly.react("plot", figure.data, { ...figure.layout, autosize: true, height: undefined }, { responsive: true, displaylogo: false });
}

$("level").addEventListener("change", async () => {
  const level = $("level").value;
  if (level.startsWith("chart:")) {
    await showChart(level.slice("chart:".length));
    return;
  }
  $("colour-box").hidden = false;
  const jobId = state.jobId;
  const query = level === "fine" ? "" : `&level=${encodeURIComponent(level)}`;
  const [figure, nodes] = await Promise.all([
    json(`/api/jobs/${jobId}/figure?kind=map&texts=false${query}`),
    level === "fine" ? Promise.resolve(null) : json(`/api/jobs/${jobId}/topics?level=${encodeURIComponent(level)}`),
  ]);
  if (jobId !== state.jobId) return;
  state.figure = figure;
  $("colour-by").value = "";
  showOnly(null);
  await drawMap(figure);
  if (nodes) renderThemes(nodes); else renderTopics(state.topics);
  say("topics-title", LEVEL_NAMES[level] || level);
});

function renderThemes(nodes) {
  $("merge-box").hidden = true;  // merges are of topics: back to "Topics" to merge
  const topicsById = new Map(state.topics.map((topic) => [topic.id, topic]));
  const list = $("topics");
  list.replaceChildren(...nodes.map((node, index) => {
    const item = el("li");
    const details = el("details");
    const summary = el("summary");
    const button = el("button", node.label, "link topic theme");
    button.type = "button";
    button.dataset.theme = node.id;
    button.addEventListener("click", (event) => { event.preventDefault(); selectTheme(node, index); });
    const rename = el("button", "Rename", "small rename");
    rename.type = "button";
    rename.setAttribute("aria-label", `Rename theme ${node.label}`);
    rename.addEventListener("click", (event) => {
      event.preventDefault();  // inside <summary>: do not open or close the theme
      startRename(button, node.label, `New label for theme ${node.id}`, (label) => ({ op: "rename", node: node.id, label }), true);
    });
    summary.append(button, rename, el("span", ` ${node.size} documents · ${node.topics.length} topics`, "muted"));
    const inner = el("ol", undefined, "subtopics");
    for (const id of node.topics) {
      const topic = topicsById.get(id);
      if (!topic) continue;
      const child = el("li");
      const open = el("button", topic.label, "link topic");
      open.type = "button";
      open.dataset.topic = topic.id;
      open.addEventListener("click", () => listDocuments({ caption: `Topic: ${topic.label}`, path: `/api/jobs/${state.jobId}/topics/${topic.id}/documents` }));
      child.append(open, el("span", ` ${topic.size}`, "muted"));
      inner.append(child);
    }
    details.append(summary, el("div", node.terms.slice(0, 6).map((t) => t.term).join(", "), "terms"), inner);
    item.append(details);
    return item;
  }));
}

function selectTheme(node, index) {
  document.querySelectorAll(".topic.active").forEach((other) => other.classList.remove("active"));
  document.querySelector(`.theme[data-theme="${node.id}"]`)?.classList.add("active");
  const members = new Set(node.topics);
  highlight((row) => members.has(state.map.documents.topic[row]));
  const docs = state.map.documents;
  const ids = docs.id.filter((_, i) => members.has(docs.topic[i]));
  listDocuments({ caption: `Theme: ${node.label}`, ids });
}

function renderTopics(topics) {
  const list = $("topics");
  list.replaceChildren();
  for (const topic of topics) {
    const item = el("li");
    const button = el("button", topic.label, "link topic");
    button.type = "button";
    button.dataset.topic = topic.id;
    button.addEventListener("click", () => selectTopic(topic));
    const rename = el("button", "Rename", "small rename");
    rename.type = "button";
    rename.setAttribute("aria-label", `Rename topic ${topic.label}`);
    rename.addEventListener("click", () => startRename(button, topic.label, `New label for topic ${topic.id}`, (label) => ({ op: "rename", topic: topic.id, label })));
    const split = el("button", "Split", "small split");
    split.type = "button";
    split.setAttribute("aria-label", `Split topic ${topic.label}`);
    split.addEventListener("click", () => startSplit(item, split, topic));
    const pick = el("input", undefined, "pick");
    pick.type = "checkbox";
    pick.value = topic.id;
    pick.setAttribute("aria-label", `Select topic ${topic.label} to merge`);
    pick.addEventListener("change", updateMerge);
    item.append(pick, button, rename, split, el("span", ` ${topic.size} documents`, "muted"), el("div", topic.terms.slice(0, 6).map((t) => t.term).join(", "), "terms"));
    list.append(item);
  }
  $("merge-box").hidden = topics.length < 2;
  updateMerge();
}

// Merge: tick two or more topics, then "Merge selected"; Reduce: at most N topics. Each is a version.
function pickedTopics() {
  return [...document.querySelectorAll("#topics .pick:checked")].map((box) => Number(box.value));
}

function updateMerge() {
  const picked = pickedTopics().length;
  $("merge").disabled = picked < 2;
  $("merge").textContent = picked >= 2 ? `Merge ${picked} topics` : "Merge selected";
}

$("merge").addEventListener("click", () => edit([{ op: "merge", topics: pickedTopics() }]));
$("reduce").addEventListener("click", () => {
  const n = Number($("reduce-to").value);
  if (n >= 1) edit([{ op: "reduce", n_topics: n }]);
  else say("edit-error", "Reduce: give the number of topics to keep");
});

// --- editing: inline rename, versions with restore ------------------------------------------------

// Inline rename of a topic or a theme: Enter saves, Escape or leaving the field cancels.
function startRename(button, current, ariaLabel, operation, keepLevel = false) {
  const input = el("input", undefined, "rename-input");
  input.type = "text";
  input.value = current;
  input.maxLength = 200;
  input.setAttribute("aria-label", ariaLabel);
  button.replaceWith(input);
  input.focus();
  input.select();
  let done = false;
  const finish = async (save) => {
    if (done) return;
    done = true;
    const label = input.value.trim();
    input.replaceWith(button);
    if (save && label && label !== current) await edit([operation(label)], keepLevel);
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === " ") event.stopPropagation();  // a space inside <summary> would toggle the theme
    if (event.key === "Enter") { event.preventDefault(); finish(true); }
    if (event.key === "Escape") { event.preventDefault(); finish(false); }
  });
  input.addEventListener("blur", () => finish(false));
}

// Split: re-cluster one topic's documents into k topics (k-means on their embeddings, on the server).
function startSplit(item, button, topic) {
  const box = el("span", undefined, "inline split-box");
  const k = el("input");
  k.type = "number";
  k.min = "2";
  k.max = "20";
  k.value = "2";
  k.setAttribute("aria-label", `Split topic ${topic.label} into how many topics`);
  const go = el("button", "Split into 2", "small");
  go.type = "button";
  k.addEventListener("input", () => { go.textContent = `Split into ${k.value}`; });
  const cancel = el("button", "Cancel", "small");
  cancel.type = "button";
  cancel.addEventListener("click", () => { box.remove(); button.hidden = false; });
  go.addEventListener("click", () => edit([{ op: "split", topic: topic.id, k: Number(k.value) }]));
  box.append(k, go, cancel);
  button.hidden = true;
  button.after(box);
  k.focus();
}

// Each edit makes the next version; the page then shows it (at the same level for a theme's rename).
async function edit(operations, keepLevel = false) {
  say("edit-error", "");
  const level = $("level").value;
  try {
    await editMap(state.jobId, operations, state.version);
  } catch (error) {
    say("edit-error", error.status === 412 ? `Someone else edited this map first; it has been reloaded. ${error.message}` : error.message);
  }
  await showMap();
  if (keepLevel && level !== "fine" && [...$("level").options].some((option) => option.value === level)) {
    $("level").value = level;
    $("level").dispatchEvent(new Event("change"));
  }
}

function describe(operation) {
  if (operation.op === "revert") return `restore version ${operation.version}`;
  if (operation.op === "merge") return `merge topics ${operation.topics.join(", ")}`;
  if (operation.op === "reduce") return `reduce to ${operation.n_topics} topics`;
  if (operation.op === "move") return `move ${operation.documents.length} documents to topic ${operation.topic}`;
  if (operation.op === "split") return `split topic ${operation.topic} into ${operation.k}`;
  if (operation.op === "add") return `add ${operation.documents} assigned documents`;
  if (operation.op === "rename") return `rename ${operation.topic !== undefined ? `topic ${operation.topic}` : operation.node} to “${operation.label}”`;
  return operation.op;
}

function renderVersions(versions) {
  state.version = versions[versions.length - 1].number;
  const list = $("versions");
  list.replaceChildren(...versions.slice().reverse().map((version) => {
    const item = el("li");
    const when = new Date(version.created_at * 1000).toLocaleTimeString();
    const what = version.operations.length ? version.operations.map(describe).join("; ") : "made by the pipeline";
    item.append(el("span", `v${version.number} · ${version.author} · ${when} · ${what}`, version.number === state.version ? "current" : ""));
    if (version.number !== state.version) {
      const restore = el("button", "Restore", "small restore");
      restore.type = "button";
      restore.setAttribute("aria-label", `Restore version ${version.number}`);
      restore.addEventListener("click", () => edit([{ op: "revert", version: version.number }]));
      item.append(" ", restore);
    }
    return item;
  }));
}

// Dim every point but those of isMemberRow (a topic, a theme, search matches): the members are the
// selected points of each trace (customdata is a point's row in the map). null shows everything.
function highlight(isMemberRow) {
  const selectedpoints = $("plot")._fullData.map((trace) => {
    if (!isMemberRow || !trace.customdata) return null;
    const rows = trace.customdata;
    const chosen = [];
    for (let i = 0; i < rows.length; i += 1) if (isMemberRow(rows[i])) chosen.push(i);
    return chosen;
  });
  Plotly.restyle("plot", { selectedpoints, "unselected.marker.opacity": 0.06 });
}

function rowsOf(ids) {
  if (!state.rowOf) state.rowOf = new Map(state.map.documents.id.map((id, row) => [id, row]));
  return new Set(ids.map((id) => state.rowOf.get(id)).filter((row) => row !== undefined));
}

function selectTopic(topic) {
  document.querySelectorAll(".topic.active").forEach((node) => node.classList.remove("active"));
  document.querySelector(`.topic[data-topic="${topic.id}"]`)?.classList.add("active");
  highlight((row) => state.map.documents.topic[row] === topic.id);
  listDocuments({ caption: `Topic: ${topic.label}`, path: `/api/jobs/${state.jobId}/topics/${topic.id}/documents` });
}

async function listDocuments(listing) {
  $("move-box").hidden = true;
  state.listing = listing;
  state.offset = 0;
  await showPage();
}

async function showPage() {
  const { caption, path, ids, documents: given } = state.listing;
  let documents;
  let total;
  if (given) {  // already fetched (search by meaning): best first, with scores
    total = given.length;
    documents = given.slice(state.offset, state.offset + PAGE);
  } else if (ids) {
    total = ids.length;
    documents = await documentsById(ids.slice(state.offset, state.offset + PAGE));
  } else {
    const separator = path.includes("?") ? "&" : "?";
    const page = await json(`${path}${separator}limit=${PAGE}&offset=${state.offset}`);
    documents = page.documents;
    total = page.total;
  }
  say("docs-caption", `${caption}: ${total} documents${total ? `, showing ${state.offset + 1}–${state.offset + documents.length}` : ""}`);
  const list = $("documents");
  list.replaceChildren(...documents.map((doc) => {
    const item = el("li");
    const score = doc.score === undefined ? "" : ` · similarity ${doc.score.toFixed(2)}`;
    item.append(el("div", `${doc.id} · ${doc.label}${doc.outlier ? " (outlier)" : ""}${score}`, "muted"), el("div", doc.text, "text"));
    return item;
  }));
  $("prev-page").disabled = state.offset === 0;
  $("next-page").disabled = state.offset + PAGE >= total;
}

$("prev-page").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE); showPage(); });
$("next-page").addEventListener("click", () => { state.offset += PAGE; showPage(); });

function showSelection(event) {
  if (!event || !event.points) return;
  const rows = event.points.map((point) => point.customdata).filter((row) => row !== undefined);
  const ids = rows.map((row) => state.map.documents.id[row]);
  listDocuments({ caption: "Selected documents", ids });
  offerMove(ids);
}

// Move the lasso selection into a topic: a new version, like every edit.
function offerMove(ids) {
  state.selection = ids;
  const select = $("move-to");
  select.replaceChildren(...state.topics.filter((t) => t.id >= 0).map((t) => new Option(t.label, String(t.id))));
  $("move-box").hidden = !ids.length;
}

$("move").addEventListener("click", () => {
  const ids = state.selection || [];
  if (ids.length) edit([{ op: "move", documents: ids, topic: Number($("move-to").value) }]);
});

// --- search: highlight matches on the map and list them --------------------------------------------

$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const query = $("search").value.trim();
  clearHighlight();
  if (!query) return;
  if ($("search-mode").value === "meaning") {
    await searchByMeaning(query);
    return;
  }
  const path = `/api/jobs/${state.jobId}/documents?q=${encodeURIComponent(query)}`;
  const all = await json(`${path}&limit=500`);
  await markMatches(all.documents, `matches: ${all.total}`);
  listDocuments({ caption: `Matching “${query}”`, path });
});

// By meaning: the closest documents (embedding similarity, best first) and the closest topics.
async function searchByMeaning(query) {
  const q = encodeURIComponent(query);
  let found;
  let topics;
  try {
    [found, topics] = await Promise.all([
      json(`/api/jobs/${state.jobId}/search?q=${q}&limit=50&version=${state.version}`),
      json(`/api/jobs/${state.jobId}/topics/search?q=${q}&limit=3&version=${state.version}`),
    ]);
  } catch (error) {
    say("docs-caption", `Search by meaning: ${error.message}`);
    return;
  }
  await markMatches(found.documents, `closest ${found.documents.length}`);
  const near = topics.topics.map((t) => `${t.label} (${t.score.toFixed(2)})`).join(", ");
  listDocuments({ caption: `Closest to “${query}”${near ? `; closest topics: ${near}` : ""}`, documents: found.documents });
}

async function markMatches(documents, name) {
  await Plotly.addTraces("plot", {
    type: "scattergl",
    mode: "markers",
    name,
    x: documents.map((d) => d.x),
    y: documents.map((d) => d.y),
    marker: { size: 9, color: "rgba(0,0,0,0)", line: { color: "#e4002b", width: 2 } },
    hoverinfo: "skip",
    meta: { highlight: true },
  });
  const matches = rowsOf(documents.map((d) => d.id));
  highlight((row) => matches.has(row));
}

// Assigned documents over the map: dark diamonds, red crosses for outliers (far from every topic).
async function markAssigned(rows) {
  clearHighlight();
  highlight(null);
  await Plotly.addTraces("plot", {
    type: "scattergl",
    mode: "markers",
    name: "assigned",
    x: rows.map((row) => row.x),
    y: rows.map((row) => row.y),
    text: rows.map((row) => `${row.id} · ${row.label}${row.outlier ? " (outlier)" : ""}`),
    hoverinfo: "text",
    marker: {
      size: 11,
      symbol: rows.map((row) => (row.outlier ? "x" : "diamond")),
      color: rows.map((row) => (row.outlier ? "#e4002b" : "#1a1a1a")),
      line: { color: "#ffffff", width: 1 },
    },
    meta: { highlight: true },
  });
}

function clearHighlight() {
  const traces = $("plot").data || [];
  const indices = traces.map((trace, i) => (trace.meta && trace.meta.highlight ? i : -1)).filter((i) => i >= 0);
  if (indices.length) Plotly.deleteTraces("plot", indices);
}

$("clear-search").addEventListener("click", () => {
  $("search").value = "";
  clearHighlight();
  highlight(null);
  listDocuments({ caption: "All documents", path: `/api/jobs/${state.jobId}/documents` });
});

// --- colour by the outlier flag or a metadata column, and show only one of its values -----------------

async function resetColours() {
  const select = $("colour-by");
  select.replaceChildren(new Option("Topic", ""), new Option("Outlier flag", "@outlier"));
  select.value = "";
  showOnly(null);
  const jobId = state.jobId;
  let columns = [];
  try {
    columns = await json(`/api/jobs/${jobId}/columns`);
  } catch (error) {
    say("job-error", error.message);
  }
  if (jobId !== state.jobId) return;
  for (const column of columns) select.append(new Option(`${column.name} (${column.kind})`, column.name));
}

function showOnly(categories) {
  const only = $("only");
  only.hidden = !categories;
  document.querySelector(".only-label").hidden = !categories;
  only.replaceChildren(new Option("all", ""), ...(categories || []).map((name, code) => new Option(name, String(code))));
}

$("colour-by").addEventListener("change", async () => {
  const name = $("colour-by").value;
  if (!name) {
    showOnly(null);
    await drawMap(state.figure);
    return;
  }
  const column = name === "@outlier"
    ? { name: "outlier", kind: "categorical", categories: ["in a topic's core", "outlier"], codes: state.map.documents.outlier.map((flag) => (flag ? 1 : 0)) }
    : await json(`/api/jobs/${state.jobId}/columns/${encodeURIComponent(name)}`);
  state.column = column;
  showOnly(column.kind === "categorical" ? column.categories : null);
  await drawMap(colouredFigure(column));
});

$("only").addEventListener("change", () => {
  const value = $("only").value;
  const codes = state.column && state.column.codes;
  highlight(value === "" || !codes ? null : (row) => codes[row] === Number(value));
});

// The map's points coloured by a column: categories with the map's palette (grey: missing), numbers
// on a colour bar. Labels and layout stay those of the topic figure.
function colouredFigure(column) {
  const docs = state.map.documents;
  const palette = state.figure.layout.meta.palette;
  const rows = Int32Array.from(docs.x.keys());
  const base = { type: "scattergl", mode: "markers", x: docs.x, y: docs.y, customdata: rows, hoverinfo: "none" };
  const data = [];
  if (column.kind === "numeric") {
    const values = column.values.map((value) => (value === null ? NaN : value));
    data.push({ ...base, name: column.name, showlegend: false, marker: { size: 4, color: values, colorscale: "Viridis", showscale: true, colorbar: { title: { text: column.name } } } });
  } else {
    const colours = column.codes.map((code) => (code < 0 ? "#b0b0b0" : palette[code % palette.length]));
    data.push({ ...base, name: column.name, showlegend: false, marker: { size: 4, color: colours, opacity: 0.8 } });
    column.categories.slice(0, 30).forEach((category, code) => {
      data.push({ type: "scattergl", mode: "markers", x: [null], y: [null], name: category, hoverinfo: "skip", marker: { size: 8, color: palette[code % palette.length] } });
    });
  }
  const layout = { ...state.figure.layout, showlegend: column.kind !== "numeric", legend: { ...(state.figure.layout.legend || {}), title: { text: column.name } } };
  return { data, layout };
}

// --- a full-window map: the forms fold away, the side panel can be hidden ---------------------------

function setAside(open) {
  document.body.classList.toggle("aside-open", open);
  $("toggle-aside").setAttribute("aria-expanded", String(open));
}

function openMapView() {
  document.body.classList.add("map-open");
  $("toggle-aside").hidden = false;
  setAside(false);
}

$("toggle-aside").addEventListener("click", () => setAside(!document.body.classList.contains("aside-open")));

$("toggle-panel").addEventListener("click", () => {
  const hidden = document.body.classList.toggle("panel-hidden");
  $("toggle-panel").textContent = hidden ? "Show panel" : "Hide panel";
  $("toggle-panel").setAttribute("aria-expanded", String(!hidden));
  Plotly.Plots.resize("plot");
});

// --- downloads and re-run ------------------------------------------------------------------------

$("download-json").addEventListener("click", () => download(`/api/jobs/${state.jobId}/map?include=text`, `topicmap-${state.jobId}.json`));
$("download-csv").addEventListener("click", () => download(`/api/jobs/${state.jobId}/export.csv`, `topicmap-${state.jobId}.csv`));
$("download-html").addEventListener("click", () => download(`/api/jobs/${state.jobId}/figure?kind=map&format=html`, `topicmap-${state.jobId}.html`));
// A picture of the current view (zoom, level, highlights), as the map shows it.
for (const format of ["png", "svg"]) {
  $(`download-${format}`).addEventListener("click", () => {
    const plot = $("plot");
    Plotly.downloadImage(plot, { format, filename: `topicmap-${state.jobId}`, width: plot.clientWidth, height: plot.clientHeight, scale: format === "png" ? 2 : 1 });
  });
}
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

// --- assign new documents to the shown map (api/web/assign.js) -------------------------------------

const assigning = setupAssign({
  jobId: () => state.jobId,
  version: () => state.version,
  showMap: showJobMap,
  markAssigned,
  list: listDocuments,
});

// --- start ------------------------------------------------------------------------------------------

if (getKey()) {
  $("api-key").value = getKey();
  refreshJobs();
}
window.topicmap = { state };
