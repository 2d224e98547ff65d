// Talking to the topicmap API: the key travels in the X-API-Key header on every call; on a share
// link's page (/s/{token}) the token travels as X-Share-Token instead, and no key is asked for.
const KEY_STORAGE = "topicmap.apiKey";

export function linkToken() {
  return location.pathname.startsWith("/s/") ? decodeURIComponent(location.pathname.slice(3)) : "";
}

export function getKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

export function setKey(key) {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export async function call(path, options = {}) {
  const credentials = linkToken() ? { "X-Share-Token": linkToken() } : { "X-API-Key": getKey() };
  const headers = { ...credentials, ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body.detail) detail = body.detail;
    } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  return response;
}

export async function json(path, options) {
  return (await call(path, options)).json();
}

// Server-Sent Events over fetch (EventSource cannot send the API key header).
export async function followEvents(jobId, onEvent, signal) {
  const response = await call(`/api/jobs/${encodeURIComponent(jobId)}/events`, { signal });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) onEvent(event, JSON.parse(data));
    }
  }
}

export async function download(path, filename) {
  const blob = await (await call(path)).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Edits: each makes the next version of the map. `version` is the one the edit is based on; a
// stale one is refused with 412 (someone else edited first), which the caller shows and reloads.
export async function editMap(jobId, operations, version) {
  return json(`/api/jobs/${encodeURIComponent(jobId)}/edits`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "If-Match": `"${version}"` },
    body: JSON.stringify({ operations }),
  });
}
