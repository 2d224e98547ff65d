// The semantic axes panel: two axes, each between two poles written in words (four inputs, or a
// preset); the plot shows where the documents and topics sit (GET …/figure?kind=axes) until
// "Back to the map".
import { json } from "./api.js";
import { setView } from "./address.js";
import { $, say } from "./dom.js";
import { drawChart } from "./map.js";
import { state } from "./state.js";
import { showLevel } from "./topics.js";

// The same pairs as topicmap/axes.py PRESETS (tests/render/test_page_modules.py checks it).
export const PRESETS = {
  sentiment: ["problem", "praise"],
  price: ["cheap", "premium"],
  audience: ["for beginners", "for experts"],
  time: ["old and legacy", "new and modern"],
};

for (const axis of ["x", "y"]) {
  const select = $(`axes-${axis}-preset`);
  for (const name of Object.keys(PRESETS)) {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = `${name}: ${PRESETS[name].join(" ↔ ")}`;
    select.append(option);
  }
  select.addEventListener("change", () => {
    const poles = PRESETS[select.value] || ["", ""];
    $(`axes-${axis}-negative`).value = poles[0];
    $(`axes-${axis}-positive`).value = poles[1];
  });
}

$("axes-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await drawAxes();
});

// The axes an address names (ax, ay): the inputs filled in and the figure drawn.
export async function showAxes(ax, ay) {
  [$("axes-x-negative").value, $("axes-x-positive").value] = ax;
  [$("axes-y-negative").value, $("axes-y-positive").value] = ay || ["", ""];
  await drawAxes();
}

async function drawAxes() {
  const params = new URLSearchParams({ kind: "axes", version: String(state.version) });
  const poles = {};
  for (const axis of ["x", "y"]) {
    const negative = $(`axes-${axis}-negative`).value.trim();
    const positive = $(`axes-${axis}-positive`).value.trim();
    if (!negative && !positive && axis === "y") continue;  // one axis is enough
    params.append(axis, negative);
    params.append(axis, positive);
    poles[axis] = [negative, positive];
  }
  say("axes-status", "Placing the documents…");
  try {
    const figure = await json(`/api/jobs/${state.jobId}/figure?${params}`);
    await drawChart(figure);
    $("axes-back").hidden = false;
    const x = figure.layout.meta.x;
    say("axes-status", `From “${x[0]}” (left) to “${x[1]}” (right); 0 is halfway`);
    setView({ ax: poles.x, ay: poles.y || null });
  } catch (error) {
    say("axes-status", error.message);
  }
}

$("axes-back").addEventListener("click", async () => {
  $("axes-back").hidden = true;
  say("axes-status", "");
  setView({ ax: null, ay: null });
  await showLevel($("level").value || "fine");
});
