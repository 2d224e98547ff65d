// Topic labels that never overlap, placed again at every zoom: used by the page and inlined into the
// standalone HTML (topicmap/render/figures.py), so both place labels the same way.
//
// The figure's layout.meta.labels lists every candidate, most important first: the coarse themes
// (tier 0, when the map has a hierarchy), then the topics, largest first. Zoomed out, themes take
// space first; zoomed in (less than half of the map's width in view), only topics are candidates, so
// finer labels appear as room opens up. A candidate goes at its topic's centre, or just above, below,
// right or left of it with a leader line, wherever its box (measured in the font it is drawn in)
// overlaps no label already placed; a candidate with no free spot is not drawn. Labels are layout
// annotations, drawn above the WebGL points.
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
      const shifts = [[0, 0], [0, -2.4 * height], [0, 2.4 * height], [half + 12, 0], [-half - 12, 0]];
      for (const [dx, dy] of shifts) {
        const box = [px + dx - half, py + dy - height, px + dx + half, py + dy + height];
        if (box[0] < 0 || box[2] > xa._length || box[1] < 0 || box[3] > ya._length) continue;
        if (placed.some((other) => overlaps(box, other))) continue;
        placed.push(box);
        const moved = dx !== 0 || dy !== 0;
        chosen.push({
          x: labels.x[k], y: labels.y[k], xref: "x", yref: "y", text: labels.text[k],
          font: { size, color: "#1d1d1f", family: FONT }, bgcolor: "rgba(255,255,255,0.72)", borderpad: 1,
          showarrow: moved, arrowhead: 0, arrowwidth: 1, arrowcolor: "#555", ax: dx, ay: dy, standoff: 2,
          captureevents: false,
        });
        break;
      }
    }
    return chosen;
  }

  function place(gd) {
    if (!gd._fullLayout || !gd._fullLayout.xaxis) return;
    const chosen = annotations(gd);
    if (chosen === null) return;
    gd._topicmapPlacing = true;
    Promise.resolve(window.Plotly.relayout(gd, { annotations: chosen })).finally(() => { gd._topicmapPlacing = false; });
  }

  // Call after each (re)draw of a figure: the view it opens with counts as zoomed out.
  function attach(gd) {
    if (!gd || !gd._fullLayout || !gd._fullLayout.xaxis) return Promise.resolve();
    gd._topicmapSpan = span(gd);
    if (!gd._topicmapLabels) {
      gd._topicmapLabels = true;
      gd.on("plotly_relayout", (change) => {
        if (gd._topicmapPlacing || Object.keys(change || {}).every((key) => key.startsWith("annotations"))) return;
        place(gd);
      });
    }
    place(gd);
  }

  window.topicmapLabels = { attach, place };
})();
