// The versions panel and the one way the page edits a map: each edit makes the next version, which
// the page then shows; every version can be restored (a revert is an edit too).
import { editMap } from "./api.js";
import { $, el, say } from "./dom.js";
import { showMap } from "./map.js";
import { on, state, update } from "./state.js";

// Apply the operations to the shown version; then show the new one (at the same level for a theme's rename).
export async function edit(operations, keepLevel = false) {
  say("edit-error", "");
  const level = $("level").value;
  try {
    await editMap(state.jobId, operations, state.version);
  } catch (error) {
    say("edit-error", error.status === 412 ? `Someone else edited this map first (or an earlier version was shown); it has been reloaded. ${error.message}` : error.message);
  }
  update({ wanted: null });  // show the latest: the new version, or the one that won
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
  if (operation.op === "tag" || operation.op === "untag") return `${operation.op} ${operation.ids.length} documents “${operation.tag}”`;
  if (operation.op === "rename") return `rename ${operation.topic !== undefined ? `topic ${operation.topic}` : operation.node} to “${operation.label}”`;
  return operation.op;
}

function renderVersions(versions) {
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
on("versions", renderVersions);
