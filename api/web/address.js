// The address names the view: #/jobs/ID?v=3&level=coarse&topic=12&q=refund&mode=meaning (semantic
// axes: &ax=problem&ax=praise&ay=cheap&ay=premium). Every
// change of the view is a history entry, so reloading, back/forward and a copied link open the same
// view (for a person with access). app.js applies an address; the panels report their changes here.
const view = { jobId: null, version: null, level: null, topic: null, theme: null, q: null, mode: null, ax: null, ay: null };
let applying = false;

export function readAddress() {
  const match = location.hash.match(/^#\/jobs\/([^?]+)(?:\?(.*))?$/);
  if (!match) return null;
  const params = new URLSearchParams(match[2] || "");
  const number = (name) => (params.get(name) && /^\d+$/.test(params.get(name)) ? Number(params.get(name)) : null);
  const poles = (name) => (params.getAll(name).length === 2 ? params.getAll(name) : null);
  return {
    jobId: decodeURIComponent(match[1]),
    version: number("v"),
    level: params.get("level"),
    topic: number("topic"),
    theme: params.get("theme"),
    q: params.get("q"),
    mode: params.get("mode"),
    ax: poles("ax"),
    ay: poles("ay"),
  };
}

function format() {
  const params = new URLSearchParams();
  if (view.version) params.set("v", String(view.version));
  for (const name of ["level", "topic", "theme", "q", "mode"]) {
    if (view[name] !== null && view[name] !== undefined && view[name] !== "") params.set(name, String(view[name]));
  }
  for (const name of ["ax", "ay"]) for (const pole of view[name] || []) params.append(name, pole);
  const query = params.toString();
  return `#/jobs/${encodeURIComponent(view.jobId)}${query ? `?${query}` : ""}`;
}

// A panel changed the view: a new history entry (or, with replace, the same entry corrected).
export function setView(changes, { replace = false } = {}) {
  if (applying || (!view.jobId && !changes.jobId)) return;
  Object.assign(view, changes);
  const address = format();
  if (address === location.hash) return;
  if (replace) history.replaceState(null, "", address);
  else history.pushState(null, "", address);
}

// Another job (or version): everything else about the view starts over.
export function setJob(jobId, version = null) {
  setView({ jobId, version, level: null, topic: null, theme: null, q: null, mode: null, ax: null, ay: null });
}

// Apply an address without recording each step as a change of the view.
export async function whileApplying(apply) {
  applying = true;
  try {
    await apply();
  } finally {
    applying = false;
  }
  Object.assign(view, readAddress() || {});
}
