// The colour panel: the map coloured by the outlier flag or a metadata column (categories with the
// map's palette, numbers and dates on a colour bar), and "only" one category of it.
import { json } from "./api.js";
import { $, plotlyText, say } from "./dom.js";
import { drawMap, highlight } from "./map.js";
import { on, state, update } from "./state.js";
import { tagsColumn } from "./tags.js";

async function resetColours() {
  const select = $("colour-by");
  select.replaceChildren(new Option("Topic", ""), new Option("Outlier flag", "@outlier"));
  if (state.map && state.map.documents.duplicate_group) select.append(new Option("Near-duplicates", "@duplicates"));
  if (state.map && (state.map.documents.tags || []).some((tags) => tags.length)) select.append(new Option("Tags", "@tags"));
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
on("colours", resetColours);

export function showOnly(categories) {
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
    : name === "@duplicates"
      ? duplicatesColumn()
      : name === "@tags"
        ? tagsColumn()
        : await json(`/api/jobs/${state.jobId}/columns/${encodeURIComponent(name)}`);
  update({ column });
  showOnly(column.kind === "categorical" ? column.categories : null);
  await drawMap(colouredFigure(column));
});

$("only").addEventListener("change", () => {
  const value = $("only").value;
  const column = state.column;
  const codes = column && column.codes;
  const has = column && column.has ? column.has : (row, code) => codes[row] === code;
  highlight(value === "" || !codes ? null : (row) => has(row, Number(value)));
});

// The map's points coloured by a column: categories with the map's palette (grey: missing), numbers
// on a colour bar. Labels and layout stay those of the topic figure.
function colouredFigure(column) {
  const docs = state.map.documents;
  const palette = state.figure.layout.meta.palette;
  const rows = Int32Array.from(docs.x.keys());
  const base = { type: "scattergl", mode: "markers", x: docs.x, y: docs.y, customdata: rows, hoverinfo: "none" };
  const data = [];
  const drawn = state.figure.data.find((trace) => trace.marker && typeof trace.marker.size === "number");
  const size = drawn ? drawn.marker.size : 4;  // the map's own point size (larger on small maps)
  if (column.kind === "numeric" || column.kind === "time") {
    const values = column.values.map((value) => (value === null ? NaN : value));
    const colorbar = { title: { text: plotlyText(column.name) }, ...(column.kind === "time" ? dateTicks(column.values) : {}) };
    data.push({ ...base, name: plotlyText(column.name), showlegend: false, marker: { size, color: values, colorscale: "Viridis", showscale: true, colorbar } });
  } else {
    const colours = column.codes.map((code) => (code < 0 ? "#b0b0b0" : palette[code % palette.length]));
    data.push({ ...base, name: plotlyText(column.name), showlegend: false, marker: { size, color: colours, opacity: 0.8 } });
    column.categories.slice(0, 30).forEach((category, code) => {
      data.push({ type: "scattergl", mode: "markers", x: [null], y: [null], name: plotlyText(category), hoverinfo: "skip", marker: { size: 8, color: palette[code % palette.length] } });
    });
  }
  const layout = { ...state.figure.layout, showlegend: column.kind === "categorical", legend: { ...(state.figure.layout.legend || {}), title: { text: plotlyText(column.name) } } };
  return { data, layout };
}

// A colour bar of dates (values in Unix seconds): five ticks from the first to the last, as dates,
// with the time of day when they all fall within two days.
function dateTicks(values) {
  const times = values.filter((value) => value !== null);
  const first = times.reduce((a, b) => Math.min(a, b));  // not Math.min(...times): 100,000 arguments overflow the stack
  const last = times.reduce((a, b) => Math.max(a, b));
  const tickvals = last > first ? [0, 1, 2, 3, 4].map((i) => first + ((last - first) * i) / 4) : [first];
  const withTime = last - first < 2 * 86400;
  const ticktext = tickvals.map((t) => new Date(t * 1000).toISOString().slice(0, withTime ? 16 : 10).replace("T", " "));
  return { tickvals, ticktext };
}

// Near-duplicate groups as a column: the 20 largest groups by name, the rest together, unique grey.
function duplicatesColumn() {
  const groups = (state.map.duplicates && state.map.duplicates.groups) || [];
  const shown = groups.slice(0, 20);
  const categories = shown.map((g) => `group ${g.id + 1}: ${g.size} documents`);
  if (groups.length > shown.length) categories.push(`${groups.length - shown.length} smaller groups`);
  const codes = state.map.documents.duplicate_group.map((g) => (g < 0 ? -1 : Math.min(g, shown.length)));
  return { name: "near-duplicates", kind: "categorical", categories, codes };
}
