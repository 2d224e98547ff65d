// Tags on documents: tag what the documents panel lists (the lasso selection, a search's results, a
// topic's documents), the map's tags with their counts (click one: its documents), and the tags as a
// colour column ("Colour by: Tags"). Tagging is an edit like any other: a new version, undone by a revert.
import { json } from "./api.js";
import { $, el, say } from "./dom.js";
import { listDocuments } from "./documents.js";
import { highlight } from "./map.js";
import { on, state } from "./state.js";
import { edit } from "./versions.js";

// Each tag and how many documents have it, most first.
export function tagCounts() {
  const counts = new Map();
  for (const row of (state.map && state.map.documents.tags) || []) for (const tag of row) counts.set(tag, (counts.get(tag) || 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

// The tags as a categorical column: a document is coloured by its first tag; "only" keeps any that has it.
export function tagsColumn() {
  const names = tagCounts().map(([tag]) => tag);
  const code = new Map(names.map((tag, i) => [tag, i]));
  const rows = state.map.documents.tags;
  return {
    name: "tags",
    kind: "categorical",
    categories: names,
    codes: rows.map((tags) => (tags.length ? code.get(tags[0]) : -1)),
    has: (row, wanted) => rows[row].includes(names[wanted]),
  };
}

function renderTags() {
  const list = $("tags");
  const counts = tagCounts();
  $("tags-empty").hidden = counts.length > 0;
  list.replaceChildren(...counts.map(([tag, count]) => {
    const item = el("li");
    const button = el("button", tag, "link");
    button.type = "button";
    button.addEventListener("click", () => showTag(tag));
    item.append(button, el("span", ` ${count}`, "muted"));
    return item;
  }));
}
on("map-drawn", renderTags);

function showTag(tag) {
  const docs = state.map.documents;
  const rows = new Set(docs.tags.flatMap((tags, row) => (tags.includes(tag) ? [row] : [])));
  highlight((row) => rows.has(row));
  listDocuments({ caption: `Tagged “${tag}”`, ids: docs.id.filter((_, row) => rows.has(row)) });
}

// The ids of everything the documents panel lists (every page), at most 10,000.
async function listedIds() {
  const { ids, documents, topic, also, path } = state.listing || {};
  if (ids) return ids;
  if (documents) return documents.map((d) => d.id);
  if (topic !== undefined && also === undefined) return state.map.documents.id.filter((_, row) => state.map.documents.topic[row] === topic);
  const found = [];
  const separator = path.includes("?") ? "&" : "?";
  for (let offset = 0; offset < 10000; offset += 500) {
    const page = await json(`${path}${separator}limit=500&offset=${offset}`);
    found.push(...page.documents.map((d) => d.id));
    if (offset + 500 >= page.total) break;
  }
  return found;
}

$("tag-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const tag = $("tag-name").value.trim();
  const untag = event.submitter && event.submitter.id === "untag-listed";
  if (!tag) {
    say("edit-error", "Give the tag a name");
    return;
  }
  const ids = await listedIds();
  if (!ids.length) return;
  await edit([{ op: untag ? "untag" : "tag", tag, ids }]);
});
