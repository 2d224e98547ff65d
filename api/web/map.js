// The map panel: the latest version drawn with Plotly (positions and topics, no texts: hover and
// selection fetch texts by id), dimming and marks on it, the full-window view and the downloads.
import { download, json } from "./api.js";
import { $, plotlyText, say } from "./dom.js";
import { setView } from "./address.js";
import { fileStem, showName } from "./name.js";
import { emit, showJob, state, update } from "./state.js";

// Another job's map in the same view (an assignment's map, opened from "My jobs").
export async function showJobMap(jobId) {
  if (jobId !== state.jobId) {
    showJob(jobId);
    showName(null);
    json(`/api/jobs/${jobId}`).then((status) => { if (status.job_id === state.jobId) showName(status.name); }, () => {});
  }
  await showMap();
}

// The latest version of the map: figure, positions, topics, versions (after an edit too). No texts:
// hover and selection fetch them by id, a page at a time, so a big map loads fast.
export async function showMap() {
  const jobId = state.jobId;
  const at = state.wanted ? `version=${state.wanted}` : "";
  const [figure, topicMap, topics, versions] = await Promise.all([
    json(`/api/jobs/${jobId}/figure?kind=map&texts=false${at ? `&${at}` : ""}`),
    json(`/api/jobs/${jobId}/map${at ? `?${at}` : ""}`),
    json(`/api/jobs/${jobId}/topics${at ? `?${at}` : ""}`),
    json(`/api/jobs/${jobId}/versions`),
  ]);
  if (jobId !== state.jobId) return;
  const latest = versions[versions.length - 1].number;
  update({ map: topicMap, topics, texts: new Map(), rowOf: null, latest, version: state.wanted || latest });
  setView({ version: state.wanted }, { replace: true });
  await emit("versions", versions);  // the versions panel: the shown version is the latest
  say("map-summary", mapSummary(topicMap.meta));
  $("progress-box").hidden = true;
  $("result").hidden = false;
  openMapView();
  $("colour-box").hidden = false;
  await emit("levels", topicMap);
  update({ figure });
  emit("colours");  // the columns arrive while the map is drawn
  await drawMap(figure);
  await emit("map-drawn", topics);
}

// What the pipeline made of the corpus, as the CLI says it: "1,045 documents · 26 topics · 24% outliers
// assigned · Chinese stop words".
function mapSummary(meta) {
  const { n_topics: topics, outlier_share: outliers } = meta.quality;
  const parts = [`${meta.n_documents.toLocaleString("en")} documents`, `${topics} topic${topics === 1 ? "" : "s"}`];
  parts.push(`${Math.round(outliers * 100)}% outliers ${meta.params.keep_outliers ? "kept apart" : "assigned to their nearest topic"}`);
  const languages = String(meta.resolved.languages || "en").split(",");
  if (languages.join() !== "en") {
    const names = new Intl.DisplayNames(["en"], { type: "language" });
    parts.push(`${languages.map((code) => names.of(code)).join(" and ")} stop words`);
  }
  return parts.join(" · ");
}

export async function drawMap(figure) {
  // Copies: Plotly keeps and changes what it is given (selections, ranges), the kept figure stays as sent.
  const data = figure.data.map((trace) => ({ ...trace }));
  const { xaxis, yaxis, annotations } = figure.layout;
  const layout = { ...figure.layout, autosize: true, xaxis: { ...xaxis }, yaxis: { ...yaxis }, annotations: [...(annotations || [])] };
  delete layout.width;
  // The topics' legend (not a colour column's: nothing else names those colours) is optional.
  optionalLegend = figure === state.figure && figure.layout.showlegend !== false;
  if (optionalLegend) layout.showlegend = legendFits();
  $("plot").classList.remove("tall-chart");
  $("topics").classList.toggle("recoloured", figure !== state.figure);  // by a column: the dots say nothing
  await Plotly.react("plot", data, layout, { responsive: true, displaylogo: false, scrollZoom: true });
  window.topicmapLabels.attach($("plot"));
  stopListening();
  $("plot").on("plotly_selected", (event) => showSelection(event));
  $("plot").on("plotly_hover", (event) => showHovered(event));
}

// The topics' legend takes a third of a plot 900 pixels wide: below 1,100 the map keeps the room, and
// the topic list beside it names the colours (a dot before each topic).
const NARROW_PLOT = 1100;
let optionalLegend = false;
function legendFits() {
  return $("plot").clientWidth >= NARROW_PLOT;
}
function fitLegend() {
  const plot = $("plot");
  if (!optionalLegend || !plot._fullLayout || plot._fullLayout.showlegend === legendFits()) return;
  Plotly.relayout(plot, { showlegend: legendFits() });
}
window.addEventListener("resize", fitLegend);

// A chart in the plot area: no selection, no hover texts.
export async function drawChart(figure) {
  update({ figure: null });
  optionalLegend = false;
  $("topics").classList.remove("recoloured");  // a chart's bars and lines have the topics' colours
  stopListening();
  // A chart taller than the plot area (a heatmap row per topic) keeps its height and scrolls: squeezed
  // into the area, 60 topics' names would stand on top of each other.
  const tall = (figure.layout.height || 0) > $("plot").clientHeight;
  $("plot").classList.toggle("tall-chart", tall);
  const height = tall ? figure.layout.height : undefined;
  await Plotly.react("plot", figure.data, { ...figure.layout, autosize: true, height }, { responsive: true, displaylogo: false });
  window.topicmapLabels.attach($("plot")); // the semantic axes' topic labels (a chart without them: nothing)
}

function stopListening() {
  $("plot").removeAllListeners?.("plotly_selected");
  $("plot").removeAllListeners?.("plotly_hover");
}

function showSelection(event) {
  if (!event || !event.points) return;
  const rows = event.points.map((point) => point.customdata).filter((row) => row !== undefined);
  emit("selection", rows.map((row) => state.map.documents.id[row]));
}

// The documents of these ids, fetched 500 at a time (kept for the session).
export async function documentsById(ids) {
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

// The text of the document under the pointer, once the pointer rests on it.
function showHovered(event) {
  const point = event && event.points && event.points[0];
  if (!point || point.customdata === undefined || !state.map) return;
  const id = state.map.documents.id[point.customdata];
  update({ hovered: id });
  setTimeout(async () => {
    if (state.hovered !== id) return;  // the pointer moved on
    const [doc] = await documentsById([id]);
    const also = (doc && doc.topics ? doc.topics.slice(1) : []).map((t) => `${t.label} (${t.strength.toFixed(2)})`).join(", ");
    const tags = doc && doc.tags && doc.tags.length ? ` · tags: ${doc.tags.join(", ")}` : "";
    if (doc && state.hovered === id) say("hover-doc", `${doc.id} · ${doc.label}${doc.outlier ? " (outlier)" : ""}${also ? ` · also: ${also}` : ""}${tags}: ${doc.text}`);
  }, 120);
}

// Dim every point but those of isMemberRow (a topic, a theme, search matches): the members are the
// selected points of each trace. null shows everything. A chart's bars and lines are no documents.
export function highlight(isMemberRow) {
  if (!drawsDocuments()) {  // a chart: shown whole again when nothing is highlighted
    if (!isMemberRow) emphasise(null);
    return;
  }
  const selectedpoints = $("plot")._fullData.map((trace) => {
    const rows = isMemberRow ? pointRows(trace) : null;
    if (!rows) return null;
    const chosen = [];
    for (let i = 0; i < rows.length; i += 1) if (isMemberRow(rows[i])) chosen.push(i);
    return chosen;
  });
  Plotly.restyle("plot", { selectedpoints, "unselected.marker.opacity": 0.06 });
}

function showsAxes() {
  return $("plot").layout?.meta?.kind === "axes";
}

// The plot draws the documents (the map, or the semantic axes), not a chart of counts.
function drawsDocuments() {
  return Boolean(state.figure) || showsAxes();
}

// Each point's row in the map's documents: on the map (by topic or a column's colours) customdata is
// the row; the semantic axes' points carry [id, name]; a chart's customdata (counts, bins) is no row.
function pointRows(trace) {
  if (!trace.customdata) return null;
  if (state.figure) return trace.customdata;
  if (!showsAxes()) return null;
  const rowOf = rowOfId();
  return Array.from(trace.customdata, (point) => rowOf.get(point[0]));
}

// The documents of a set of topics (a topic, a theme's topics) stand out: on the map and the semantic
// axes their points; in a chart their bars or lines (the others fade), in a heatmap their rows framed.
export function highlightTopics(topics) {
  if (drawsDocuments()) highlight((row) => topics.has(state.map.documents.topic[row]));
  else emphasise(topics);
}

// A chart's topics (null: all of them as drawn).
function emphasise(topics) {
  const traces = $("plot").data || [];
  const heatmap = traces.find((trace) => trace.type === "heatmap");
  if (heatmap) {
    const rows = (heatmap.meta?.topics || []).map((topic, row) => (topics?.has(topic) ? row : -1)).filter((row) => row >= 0);
    const frame = (row) => ({ type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0: row - 0.5, y1: row + 0.5, line: { color: "#1d1d1f", width: 2 } });
    Plotly.relayout("plot", { shapes: rows.map(frame) });
  } else if (traces.length) {
    Plotly.restyle("plot", { opacity: traces.map((trace) => (!topics || topics.has(trace.meta?.topic) ? 1 : 0.25)) });
  }
}

// Each document id's row in the map, built once per map.
function rowOfId() {
  if (!state.rowOf) update({ rowOf: new Map(state.map.documents.id.map((id, row) => [id, row])) });
  return state.rowOf;
}

export function rowsOf(ids) {
  const rowOf = rowOfId();
  return new Set(ids.map((id) => rowOf.get(id)).filter((row) => row !== undefined));
}

// Marks over the map (search matches, assigned documents) are traces flagged meta.highlight; they are
// at the documents' places on the map, so a chart or the semantic axes get none.
export async function addMarks(trace) {
  if (!state.figure) return;
  await Plotly.addTraces("plot", { ...trace, meta: { highlight: true } });
}

export function clearHighlight() {
  const traces = $("plot").data || [];
  const indices = traces.map((trace, i) => (trace.meta && trace.meta.highlight ? i : -1)).filter((i) => i >= 0);
  if (indices.length) Plotly.deleteTraces("plot", indices);
}

// Assigned documents over the map: dark diamonds, red crosses for outliers (far from every topic).
export async function markAssigned(rows) {
  clearHighlight();
  highlight(null);
  await addMarks({
    type: "scattergl",
    mode: "markers",
    name: "assigned",
    x: rows.map((row) => row.x),
    y: rows.map((row) => row.y),
    text: rows.map((row) => plotlyText(`${row.id} · ${row.label}${row.outlier ? " (outlier)" : ""}`)),
    hoverinfo: "text",
    marker: {
      size: 11,
      symbol: rows.map((row) => (row.outlier ? "x" : "diamond")),
      color: rows.map((row) => (row.outlier ? "#e4002b" : "#1a1a1a")),
      line: { color: "#ffffff", width: 1 },
    },
  });
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
  fitLegend();  // the plot is wider or narrower: room for the legend or not
});

// --- downloads ----------------------------------------------------------------------------------------

$("download-json").addEventListener("click", () => download(`/api/jobs/${state.jobId}/map?include=text`, `${fileStem()}-map.json`));
$("download-csv").addEventListener("click", () => download(`/api/jobs/${state.jobId}/export.csv`, `${fileStem()}-documents.csv`));
$("download-topics").addEventListener("click", () => download(`/api/jobs/${state.jobId}/topics.csv`, `${fileStem()}-topics.csv`));
$("download-html").addEventListener("click", () => download(`/api/jobs/${state.jobId}/figure?kind=map&format=html`, `${fileStem()}-map.html`));
// A picture of the current view (zoom, level, highlights), as the plot shows it, named after the
// view ("-map", "-coarse-map", "-over-time", "-axes"). A chart's buttons (documents or shares) are left out:
// a picture has nothing to press, and the axis title says which it shows.
function pictureName() {
  if (showsAxes()) return "axes";
  const level = $("level").value || "fine";
  if (level.startsWith("chart:")) return level.slice("chart:".length).replaceAll("_", "-");
  return level === "fine" ? "map" : `${level}-map`;
}

for (const format of ["png", "svg"]) {
  $(`download-${format}`).addEventListener("click", () => {
    const plot = $("plot");
    const buttons = (plot.layout.updatemenus || []).length > 0;
    const figure = buttons ? { data: plot.data, layout: { ...plot.layout, updatemenus: [] } } : plot;
    Plotly.downloadImage(figure, { format, filename: `${fileStem()}-${pictureName()}`, width: plot.clientWidth, height: plot.clientHeight, scale: format === "png" ? 2 : 1 });
  });
}
