// The topics panel: the topics (or a level's themes, expanding to their topics) with rename, split
// and merge; the "Show" choice of a hierarchy level (the map recoloured) or a metadata chart.
import { json } from "./api.js";
import { showOnly } from "./colour.js";
import { listDocuments } from "./documents.js";
import { $, el, say } from "./dom.js";
import { drawChart, drawMap, highlightTopics } from "./map.js";
import { setView } from "./address.js";
import { on, state, update } from "./state.js";
import { edit } from "./versions.js";

const LEVEL_NAMES = { fine: "Topics", medium: "Medium themes", coarse: "Coarse themes" };

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
on("levels", renderLevels);

function chartOption(kind, text) {
  const option = el("option", text);
  option.value = `chart:${kind}`;
  return option;
}

// A chart replaces the map in the plot area until a level is chosen again. Its rows and lines are
// topics, and so is the list beside it (themes were listed when it was chosen from a theme level).
async function showChart(kind) {
  const jobId = state.jobId;
  const figure = await json(`/api/jobs/${jobId}/figure?kind=${kind}&version=${state.version}`);
  if (jobId !== state.jobId) return;
  $("colour-box").hidden = true;
  await drawChart(figure);
  renderTopics(state.topics);
  say("topics-title", LEVEL_NAMES.fine);
}

$("level").addEventListener("change", () => showLevel($("level").value));

// A hierarchy level (the map recoloured, its themes listed) or a chart ("chart:per_class").
export async function showLevel(level) {
  if ($("level").value !== level) $("level").value = level;
  setView({ level: level === "fine" ? null : level, topic: null, theme: null, ax: null, ay: null });
  if (level.startsWith("chart:")) {
    await showChart(level.slice("chart:".length));
    return;
  }
  $("colour-box").hidden = false;
  const jobId = state.jobId;
  const query = level === "fine" ? "" : `&level=${encodeURIComponent(level)}`;
  const [figure, nodes] = await Promise.all([
    json(`/api/jobs/${jobId}/figure?kind=map&texts=false${query}&version=${state.version}`),
    level === "fine" ? Promise.resolve(null) : json(`/api/jobs/${jobId}/topics?level=${encodeURIComponent(level)}&version=${state.version}`),
  ]);
  if (jobId !== state.jobId) return;
  update({ figure });
  $("colour-by").value = "";
  showOnly(null);
  await drawMap(figure);
  if (nodes) renderThemes(nodes); else renderTopics(state.topics);
  say("topics-title", LEVEL_NAMES[level] || level);
}

let shownThemes = [];

// A dot of the colour a topic (or the i-th theme of a level) has on the map, so that the list names
// the map's colours where the legend is left out (a narrow plot, a map of many topics).
let palette = [];
function swatch(group) {
  palette = state.figure?.layout.meta?.palette || palette;
  const dot = el("span", undefined, "swatch");
  dot.setAttribute("aria-hidden", "true");
  dot.style.background = group < 0 || !palette.length ? "#b0b0b0" : palette[group % palette.length];
  return dot;
}

function renderThemes(nodes) {
  shownThemes = nodes;
  $("merge-box").hidden = true;  // merges are of topics: back to "Topics" to merge
  const topicsById = new Map(state.topics.map((topic) => [topic.id, topic]));
  const list = $("topics");
  list.replaceChildren(...nodes.map((node, group) => {
    const item = el("li");
    const details = el("details");
    const summary = el("summary");
    const button = el("button", node.label, "link topic theme");
    button.type = "button";
    button.dataset.theme = node.id;
    button.addEventListener("click", (event) => { event.preventDefault(); selectTheme(node); });
    const rename = el("button", "Rename", "small rename");
    rename.type = "button";
    rename.setAttribute("aria-label", `Rename theme ${node.label}`);
    rename.addEventListener("click", (event) => {
      event.preventDefault();  // inside <summary>: do not open or close the theme
      startRename(button, node.label, `New label for theme ${node.id}`, (label) => ({ op: "rename", node: node.id, label }), true);
    });
    const topics = node.topics.length === 1 ? "1 topic" : `${node.topics.length} topics`;
    summary.append(swatch(group), button, rename, el("span", ` ${node.size} documents${share(node.size)} · ${topics}`, "muted"));
    const inner = el("ol", undefined, "subtopics");
    for (const id of node.topics) {
      const topic = topicsById.get(id);
      if (!topic) continue;
      const child = el("li");
      const open = el("button", topic.label, "link topic");
      open.type = "button";
      open.dataset.topic = topic.id;
      open.addEventListener("click", () => listTopic(topic));
      child.append(open, el("span", ` ${topic.size}${share(topic.size)}`, "muted"));
      inner.append(child);
    }
    details.append(summary, el("div", node.terms.slice(0, 6).map((t) => t.term).join(", "), "terms"), inner);
    item.append(details);
    return item;
  }));
}

function selectTheme(node) {
  setView({ theme: node.id, topic: null });
  document.querySelectorAll(".topic.active").forEach((other) => other.classList.remove("active"));
  document.querySelector(`.theme[data-theme="${node.id}"]`)?.classList.add("active");
  const members = new Set(node.topics);
  highlightTopics(members);
  const docs = state.map.documents;
  const ids = docs.id.filter((_, i) => members.has(docs.topic[i]));
  listDocuments({ caption: `Theme: ${node.label}`, ids });
}

function renderTopics(topics) {
  const list = $("topics");
  list.replaceChildren();
  const near = nearDuplicates();
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
    split.addEventListener("click", () => startSplit(split, topic));
    const pick = el("input", undefined, "pick");
    pick.type = "checkbox";
    pick.value = topic.id;
    pick.setAttribute("aria-label", `Select topic ${topic.label} to merge`);
    pick.addEventListener("change", updateMerge);
    const duplicates = near.get(topic.id) ? ` · ${near.get(topic.id)} near-duplicates` : "";
    item.append(pick, swatch(topic.id), button, rename, split, el("span", ` ${topic.size} documents${share(topic.size)}${duplicates}`, "muted"), el("div", topic.terms.slice(0, 6).map((t) => t.term).join(", "), "terms"));
    list.append(item);
  }
  $("merge-box").hidden = topics.length < 2;
  updateMerge();
}
on("map-drawn", renderTopics);

function selectTopic(topic) {
  setView({ topic: topic.id, theme: null });
  document.querySelectorAll(".topic.active").forEach((node) => node.classList.remove("active"));
  document.querySelector(`.topic[data-topic="${topic.id}"]`)?.classList.add("active");
  highlightTopics(new Set([topic.id]));
  listTopic(topic);
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
function startSplit(button, topic) {
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

// A topic or a theme named by the address.
export function selectById(topicId, themeId) {
  const topic = state.topics.find((t) => t.id === topicId);
  if (topic) selectTopic(topic);
  const node = shownThemes.find((n) => n.id === themeId);
  if (node) selectTheme(node);
}

// A topic's or theme's share of the map's documents, as a survey reports it: " (17%)", " (0.4%)".
function share(size) {
  const total = state.map.documents.id.length;
  if (!total) return "";
  const percent = (100 * size) / total;
  return ` (${percent >= 1 || percent === 0 ? Math.round(percent) : percent.toFixed(1)}%)`;
}

// Documents of each topic that belong to a near-duplicate group (documents.duplicate_group ≥ 0).
function nearDuplicates() {
  const counts = new Map();
  const docs = state.map && state.map.documents;
  if (!docs || !docs.duplicate_group) return counts;
  docs.duplicate_group.forEach((group, row) => {
    if (group >= 0) counts.set(docs.topic[row], (counts.get(docs.topic[row]) || 0) + 1);
  });
  return counts;
}

// A topic's documents (with "that also belong to" another topic on offer).
function listTopic(topic) {
  const path = `/api/jobs/${state.jobId}/topics/${topic.id}/documents`;
  const caption = `Topic: ${topic.label}`;
  return listDocuments({ caption, topicCaption: caption, path, topic: topic.id, base: path });
}
