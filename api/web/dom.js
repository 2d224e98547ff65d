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
