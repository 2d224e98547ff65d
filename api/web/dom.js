// Small DOM helpers every panel uses. User-derived strings go in with textContent, never innerHTML.
export const $ = (id) => document.getElementById(id);

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

export function say(node, message) {
  $(node).textContent = message || "";
}

export const TERMINAL = ["succeeded", "failed", "cancelled"];

// Plotly reads trace names, hover texts and titles as a subset of HTML: every string that came from
// a user (ids, labels, column and category names) goes through this before it reaches Plotly.
export function plotlyText(value) {
  // No tag survives without "<"; quotes are left alone (Plotly shows &quot; as written).
  return String(value).replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}
