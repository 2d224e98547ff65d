// The search panel: by words (the API's text search) or by meaning (embedding similarity, with the
// closest topics); matches are marked on the map and listed.
import { json } from "./api.js";
import { listAll, listDocuments } from "./documents.js";
import { $, plotlyText, say } from "./dom.js";
import { addMarks, clearHighlight, highlight, rowsOf } from "./map.js";
import { setView } from "./address.js";
import { state } from "./state.js";

$("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  runSearch($("search").value.trim(), $("search-mode").value);
});

// Search by words or by meaning ("meaning"): matches marked on the map and listed.
export async function runSearch(query, mode = "words") {
  $("search").value = query;
  $("search-mode").value = mode === "meaning" ? "meaning" : "words";
  clearHighlight();
  setView({ q: query || null, mode: mode === "meaning" ? "meaning" : null, topic: null, theme: null });
  if (!query) return;
  if (mode === "meaning") {
    await searchByMeaning(query);
    return;
  }
  const path = `/api/jobs/${state.jobId}/documents?q=${encodeURIComponent(query)}&version=${state.version}`;
  const all = await json(`${path}&limit=500`);
  await markMatches(all.documents, `matches: ${all.total}`);
  listDocuments({ caption: `Matching “${query}”`, path });
}

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

// Rings at the matches' places on the map, and every other point dimmed.
async function markMatches(documents, name) {
  await addMarks({
    type: "scattergl",
    mode: "markers",
    name: plotlyText(name),
    x: documents.map((d) => d.x),
    y: documents.map((d) => d.y),
    marker: { size: 9, color: "rgba(0,0,0,0)", line: { color: "#e4002b", width: 2 } },
    hoverinfo: "skip",
  });
  const matches = rowsOf(documents.map((d) => d.id));
  highlight((row) => matches.has(row));
}

$("clear-search").addEventListener("click", () => {
  $("search").value = "";
  setView({ q: null, mode: null });
  clearHighlight();
  highlight(null);
  listAll();
});
