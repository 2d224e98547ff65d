// The Share dialog (the map's owner): share with a person as viewer or editor, make a link that
// opens the map read-only with no key (its address is shown once), see and revoke the shares.
import { json } from "./api.js";
import { $, el, say } from "./dom.js";
import { state } from "./state.js";

const dialog = $("share-dialog");

$("share-open").addEventListener("click", async () => {
  say("share-status", "");
  $("link-made").hidden = true;
  dialog.showModal();
  await listShares();
});
$("share-close").addEventListener("click", () => dialog.close());

async function listShares() {
  const shares = await json(`/api/jobs/${state.jobId}/shares`);
  $("shares").replaceChildren(...shares.map((share) => {
    const item = el("li");
    const until = share.expires_at ? `, until ${new Date(share.expires_at * 1000).toLocaleString()}` : "";
    const used = share.last_used_at ? `, last used ${new Date(share.last_used_at * 1000).toLocaleString()}` : "";
    const who = share.user ? `${share.user} · ${share.role}` : `a link · read-only${until}`;
    const revoke = el("button", "Revoke", "small revoke");
    revoke.type = "button";
    revoke.setAttribute("aria-label", `Revoke ${share.user ? `${share.user}'s access` : "the link"}`);
    revoke.addEventListener("click", async () => {
      await json(`/api/jobs/${state.jobId}/shares/${share.id}`, { method: "DELETE" });
      say("share-status", share.user ? `${share.user} no longer has this map.` : "The link no longer opens the map.");
      await listShares();
    });
    item.append(el("span", `${who}${used}`), " ", revoke);
    return item;
  }));
  if (!shares.length) $("shares").append(el("li", "Nobody yet.", "muted"));
}

async function share(body) {
  return json(`/api/jobs/${state.jobId}/shares`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

$("share-person").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const made = await share({ user: $("share-user").value.trim(), role: $("share-role").value });
    say("share-status", `Shared with ${made.user} as ${made.role}.`);
    $("share-user").value = "";
    await listShares();
  } catch (error) {
    say("share-status", error.message);
  }
});

$("share-link").addEventListener("submit", async (event) => {
  event.preventDefault();
  const expires = $("link-expires").value;
  try {
    const made = await share(expires ? { role: "viewer", expires_in_s: Number(expires) } : { role: "viewer" });
    $("link-url").value = `${location.origin}${made.url}#/jobs/${state.jobId}`;
    $("link-made").hidden = false;
    say("share-status", "Copy the link now: it is shown only once.");
    await listShares();
  } catch (error) {
    say("share-status", error.message);
  }
});

$("link-copy").addEventListener("click", async () => {
  $("link-url").select();
  try {
    await navigator.clipboard.writeText($("link-url").value);
    say("share-status", "Link copied.");
  } catch (_) {
    say("share-status", "Select the link and copy it (the browser did not allow copying).");
  }
});
