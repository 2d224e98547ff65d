// The "Assign new documents" panel: a file or pasted texts go into the shown map's topics as an
// assignment job, followed to its end; its documents are then drawn on the map and listed. With
// "Add them to the map", the job also makes the map's next version, which the page then shows.
import { followEvents, json } from "./api.js";
import { fileHead, guessTextColumn, inUtf8, NotUtf8, offerEncodings, preview, refusedAsNotUtf8 } from "./preview.js";

const $ = (id) => document.getElementById(id);
const TERMINAL = ["succeeded", "failed", "cancelled"];

// `page` is what the map view lends: the shown job and version, showing a job's map, marking
// documents on it and listing them in the documents panel.
export function setupAssign(page) {
  let file = null;
  let following = null;

  // The file chosen, previewed for its text column; one that is not UTF-8 is read in the encoding
  // chosen in #assign-encoding, and sent as UTF-8.
  let chosen = null;
  offerEncodings($("assign-encoding-choice"));
  $("assign-file").addEventListener("change", () => {
    chosen = $("assign-file").files[0] || null;
    use(chosen);
  });
  $("assign-read-in-encoding").addEventListener("click", async () => {
    if (chosen) use(await inUtf8(chosen, $("assign-encoding-choice").value));
  });

  async function use(given) {
    file = given;
    const select = $("assign-text-column");
    $("assign-columns").hidden = true;
    $("assign-encoding").hidden = true;
    if ($("assign-status").classList.contains("error")) say("");  // the last file's error, not a job's progress
    if (!file || !/\.(csv|tsv|json|jsonl|txt)$/i.test(file.name)) return;
    let columns, rows;
    try {
      ({ columns, rows } = preview(file.name, await fileHead(file, 64 * 1024)));
    } catch (error) {  // not UTF-8, or a head too broken to preview: the server's answer will say
      if (error instanceof NotUtf8) say(`${file.name}: ${error.message}.`, true);
      $("assign-encoding").hidden = !(error instanceof NotUtf8 && error.utf8);
      return;
    }
    if (columns.length < 2) return;
    select.replaceChildren(...columns.map((name) => new Option(name, name)));
    select.value = guessTextColumn(columns, rows);
    $("assign-columns").hidden = false;
  }

  $("assign-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const pasted = $("assign-pasted").value.split(/\r?\n/).filter((line) => line.trim());
    let request;
    if (file) {
      const form = new FormData();
      form.append("file", file);
      if (!$("assign-columns").hidden) form.append("text_column", $("assign-text-column").value);
      request = { method: "POST", body: form };
    } else if (pasted.length) {
      request = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ documents: pasted }) };
    } else {
      return say("Choose a file or paste some texts first.", true);
    }
    const add = $("assign-add").checked;
    const query = `version=${page.version()}${add ? "&add=true" : ""}`;
    $("assign-submit").disabled = true;
    try {
      const accepted = await json(`/api/jobs/${page.jobId()}/assignments?${query}`, request);
      await follow(accepted.job_id);
    } catch (error) {
      say(error.message, true);
      if (file === chosen && refusedAsNotUtf8(error.message)) $("assign-encoding").hidden = false;
    } finally {
      $("assign-submit").disabled = false;
    }
  });

  // Progress of the assignment job in the panel's status line, then its documents on the map.
  async function follow(assignmentId) {
    if (following) following.abort();
    following = new AbortController();
    let status = await json(`/api/jobs/${assignmentId}`);
    if (!TERMINAL.includes(status.state)) {
      say(progressText(status));
      try {
        await followEvents(assignmentId, (name, data) => {
          if (data.job_id !== assignmentId) return;
          status = data;
          say(progressText(data));
        }, following.signal);
      } catch (error) {
        if (error.name === "AbortError") return;
        status = await json(`/api/jobs/${assignmentId}`);
      }
    }
    await finished(status);
  }

  async function finished(status) {
    if (status.state !== "succeeded") {
      const reason = status.error ? `: ${status.error.detail}` : "";
      return say(`The assignment ${status.state}${reason}`, true);
    }
    const result = await json(`/api/jobs/${status.job_id}/assignments`);
    if (result.added_version) await page.showMap(result.job_id);  // the new version, with the documents in it
    else if (page.jobId() !== result.job_id) await page.showMap(result.job_id);
    await show(result);
  }

  async function show(result) {
    const rows = result.documents;
    const outliers = rows.filter((row) => row.outlier).length;
    const added = result.added_version ? `, added to the map as version ${result.added_version}` : "";
    say(`${rows.length} documents assigned to version ${result.version}${added}; ${outliers} far from every topic (outliers).`);
    await page.markAssigned(rows);
    page.list({ caption: `Assigned documents (${outliers} outliers)`, documents: rows });
  }

  // A job from "My jobs" that is an assignment: its map, with its documents on it.
  return { follow };
}

function say(message, isError = false) {
  const line = $("assign-status");
  line.textContent = message || "";
  line.classList.toggle("error", isError);
}

function progressText(status) {
  const parts = [status.state];
  if (status.stage) parts.push(`stage: ${status.stage}`);
  if (status.progress.total > 1) parts.push(`${status.progress.done} / ${status.progress.total}`);
  parts.push(`${Math.round(status.progress.fraction * 100)}%`);
  return `Assigning: ${parts.join(" · ")}`;
}
