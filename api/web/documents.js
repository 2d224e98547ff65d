// The documents panel: a page at a time of all documents, a topic's, a theme's, search results or
// the lasso selection (which can be moved into a topic: an edit like any other).
import { json } from "./api.js";
import { $, el, say } from "./dom.js";
import { documentsById } from "./map.js";
import { on, state, update } from "./state.js";
import { edit } from "./versions.js";

const PAGE = 20;

// listing: {caption, path} (the API pages), {caption, ids} (fetched by id) or {caption, documents} (given).
export async function listDocuments(listing) {
  $("move-box").hidden = true;
  update({ listing, offset: 0 });
  offerAlso(listing);
  await showPage();
}

// A topic's documents can be narrowed to those that also belong to another topic (among their top three).
function offerAlso(listing) {
  const topic = listing.topic;
  const box = $("also-box");
  box.hidden = topic === undefined || !state.map || !state.map.documents.top_topics;
  if (box.hidden || listing.also !== undefined) return;
  const others = state.topics.filter((t) => t.id >= 0 && t.id !== topic);
  $("also").replaceChildren(new Option("any topic", ""), ...others.map((t) => new Option(t.label, String(t.id))));
}

$("also").addEventListener("change", () => {
  const { topic, base, topicCaption } = state.listing;
  const also = $("also").value;
  if (topic === undefined) return;
  const listing = { topic, base, topicCaption, caption: topicCaption, path: base };
  if (also) {
    const name = $("also").selectedOptions[0].textContent;
    Object.assign(listing, { caption: `${topicCaption}, also in ${name}`, path: `${base}?also=${also}`, also: Number(also) });
  }
  listDocuments(listing);
});

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
    item.append(el("div", `${doc.id} · ${doc.label}${doc.outlier ? " (outlier)" : ""}${score}${alsoText(doc)}`, "muted"), el("div", doc.text, "text"));
    return item;
  }));
  $("prev-page").disabled = state.offset === 0;
  $("next-page").disabled = state.offset + PAGE >= total;
}

$("prev-page").addEventListener("click", () => { update({ offset: Math.max(0, state.offset - PAGE) }); showPage(); });
$("next-page").addEventListener("click", () => { update({ offset: state.offset + PAGE }); showPage(); });

export function listAll() {
  return listDocuments({ caption: "All documents", path: `/api/jobs/${state.jobId}/documents` });
}
on("map-drawn", () => { listAll(); });

// The lasso selection: listed, and offered to move into a topic.
on("selection", (ids) => {
  listDocuments({ caption: "Selected documents", ids });
  update({ selection: ids });
  const select = $("move-to");
  select.replaceChildren(...state.topics.filter((t) => t.id >= 0).map((t) => new Option(t.label, String(t.id))));
  $("move-box").hidden = !ids.length;
});

$("move").addEventListener("click", () => {
  const ids = state.selection || [];
  if (ids.length) edit([{ op: "move", documents: ids, topic: Number($("move-to").value) }]);
});

// " · also: B (0.62), C (0.55)": a document's next topics and their strengths.
export function alsoText(doc) {
  const others = (doc.topics || []).slice(1);
  const also = others.length ? ` · also: ${others.map((t) => `${t.label} (${t.strength.toFixed(2)})`).join(", ")}` : "";
  return also + (doc.tags && doc.tags.length ? ` · tags: ${doc.tags.join(", ")}` : "");
}
