// Topic labels that never overlap, placed again at every zoom: used by the page and inlined into the
// standalone HTML (topicmap/render/figures.py), so both place labels the same way.
//
// The figure's layout.meta.labels lists every candidate, most important first: the coarse themes
// (tier 0, when the map has a hierarchy), then the topics, largest first. Zoomed out, themes take
// space first; zoomed in (less than half of the map's width in view), only topics are candidates, so
// finer labels appear as room opens up. A candidate goes at its topic's centre, or just above, below,
// right or left of it with a leader line, wherever its box (measured in the font it is drawn in)
// overlaps no label already placed; a candidate with no free spot is not drawn. A box that would
// stick out of the plot is slid back inside (a topic at the map's edge keeps its label, its leader
// line drawn when the topic is no longer under the text). Labels are layout annotations, drawn above
// the WebGL points.
(function () {
  const FONT = '"Open Sans", verdana, arial, sans-serif';
  const PAD = 3;
  const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };
  let canvas = null;

  function measure(text, size) {
    canvas = canvas || document.createElement("canvas");
    const context = canvas.getContext("2d");
    context.font = `${text.startsWith("<b>") ? "bold " : ""}${size}px ${FONT}`;
    const plain = text.replace(/<[^>]+>/g, "").replace(/&[#\w]+;/g, (entity) => ENTITIES[entity] || entity);
    return context.measureText(plain).width;
  }

  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  // How far a box centred at `centre` (half its size `half`) must move to lie within [0, length].
  function inward(centre, half, length) {
    if (centre - half < 0) return half - centre;
    if (centre + half > length) return length - half - centre;
    return 0;
  }

  function span(gd) {
    const range = gd._fullLayout.xaxis.range;
    return Math.abs(range[1] - range[0]);
  }

  function annotations(gd) {
    const labels = gd.layout.meta && gd.layout.meta.labels;
    if (!labels) return null;
    const xa = gd._fullLayout.xaxis;
    const ya = gd._fullLayout.yaxis;
    const zoomedIn = gd._topicmapSpan / span(gd) >= 2;
    const placed = [];
    const chosen = [];
    for (let k = 0; k < labels.text.length; k += 1) {
      if (zoomedIn && labels.tier[k] === 0) continue;
      const px = xa.l2p(labels.x[k]);
      const py = ya.l2p(labels.y[k]);
      if (px < 0 || py < 0 || px > xa._length || py > ya._length) continue;
      const size = labels.size[k];
      const half = measure(labels.text[k], size) / 2 + PAD;
      const height = size * 0.65 + PAD;
      if (2 * half > xa._length || 2 * height > ya._length) continue;
      const shifts = [[0, 0], [0, -2.4 * height], [0, 2.4 * height], [half + 12, 0], [-half - 12, 0]];
      for (const shift of shifts) {
        const dx = shift[0] + inward(px + shift[0], half, xa._length);
        const dy = shift[1] + inward(py + shift[1], height, ya._length);
        const box = [px + dx - half, py + dy - height, px + dx + half, py + dy + height];
        if (placed.some((other) => overlaps(box, other))) continue;
        placed.push(box);
        // Off its topic: a leader line (ax, ay: pixels, down positive); still over it: only shifted.
        const leader = Math.abs(dx) > half || Math.abs(dy) > height;
        chosen.push({
          x: labels.x[k], y: labels.y[k], xref: "x", yref: "y", text: labels.text[k],
          font: { size, color: "#1d1d1f", family: FONT }, bgcolor: "rgba(255,255,255,0.72)", borderpad: 1,
          showarrow: leader, arrowhead: 0, arrowwidth: 1, arrowcolor: "#555", standoff: 2,
          ax: leader ? dx : 0, ay: leader ? dy : 0, xshift: leader ? 0 : dx, yshift: leader ? 0 : -dy,
          captureevents: false,
        });
        break;
      }
    }
    return chosen;
  }

  // The plot's size and view, to tell whether labels were placed for the view shown.
  function geometry(gd) {
    const xa = gd._fullLayout.xaxis;
    const ya = gd._fullLayout.yaxis;
    return { lengths: [xa._length, ya._length], ranges: [[...xa.range], [...ya.range]] };
  }

  // Whether the view moved by more than 2 pixels since `before`. Not exact equality: with equal
  // scales on both axes, Plotly nudges the ranges by about a pixel at each relayout, labels included.
  function viewChanged(before, now) {
    if (!before || before.lengths[0] !== now.lengths[0] || before.lengths[1] !== now.lengths[1]) return true;
    return now.ranges.some((range, axis) => {
      const perPixel = Math.abs(range[1] - range[0]) / now.lengths[axis];
      return range.some((end, i) => Math.abs(end - before.ranges[axis][i]) > 2 * perPixel);
    });
  }

  function place(gd) {
    if (!gd._fullLayout || !gd._fullLayout.xaxis) return;
    const chosen = annotations(gd);
    if (chosen === null) return;
    gd._topicmapPlaced = geometry(gd);
    gd._topicmapPlacing = true;
    Promise.resolve(window.Plotly.relayout(gd, { annotations: chosen })).finally(() => { gd._topicmapPlacing = false; });
  }

  // Call after each (re)draw of a figure: the view it opens with counts as zoomed out.
  function attach(gd) {
    if (!gd || !gd._fullLayout || !gd._fullLayout.xaxis) return Promise.resolve();
    gd._topicmapSpan = span(gd);
    gd._topicmapSettling = 0;
    if (!gd._topicmapLabels) {
      gd._topicmapLabels = true;
      gd.on("plotly_relayout", (change) => {
        if (gd._topicmapPlacing || Object.keys(change || {}).every((key) => key.startsWith("annotations"))) return;
        gd._topicmapSettling = 0;
        place(gd);
      });
      // A redraw that changed the view without a relayout event: after Plotly.react, Plotly settles
      // the view (equal scales on both axes, the legend's room) in a later draw, so labels placed at
      // once were placed for a view the map no longer shows.
      gd.on("plotly_afterplot", () => {
        if (gd._topicmapPlacing || !gd._fullLayout || !gd._fullLayout.xaxis) return;
        if (gd._topicmapSettling >= 3 || !viewChanged(gd._topicmapPlaced, geometry(gd))) return;
        gd._topicmapSettling += 1; // a bound: placing labels is a relayout, which may nudge the view again
        place(gd);
      });
    }
    place(gd);
  }

  window.topicmapLabels = { attach, place };
})();
