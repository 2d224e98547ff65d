// What the page shows now, shared by the panels. Panels read `state` and change it only through
// `update` (or `showJob`); `on`/`emit` tell other panels that something they draw has changed.
export const state = {
  jobId: null,     // the job whose map (or progress) is shown
  jobName: null,   // its name, if it has one (the file's, or the one given)
  file: null,      // the corpus file chosen for a new job
  events: null,    // AbortController of the job's progress stream
  map: null,       // the shown version's map (positions, topics, ids; no texts)
  figure: null,    // the map figure as sent (the page draws copies)
  topics: [],      // the shown version's topics
  version: 1,      // the shown version (the latest unless the address names another)
  latest: 1,       // the latest version
  wanted: null,    // the version asked for (by the address), null for the latest
  texts: new Map(), // documents fetched by id, for hover and selection
  rowOf: null,     // document id → row in the map, built on first use
  listing: null,   // what the documents panel lists, and from which offset
  offset: 0,
  hovered: null,   // the document under the pointer
  selection: null, // ids of the lasso selection
  column: null,    // the column the map is coloured by
};

export function update(changes) {
  Object.assign(state, changes);
}

// Another job in the same view: its stream stops, what was read of the last job is forgotten.
export function showJob(jobId) {
  if (state.events) state.events.abort();
  update({ jobId, jobName: null, map: null, texts: new Map(), rowOf: null, listing: null, offset: 0 });
}

const listeners = new Map();

export function on(event, listener) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(listener);
}

export async function emit(event, ...args) {
  for (const listener of listeners.get(event) || []) await listener(...args);
}
