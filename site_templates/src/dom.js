// The one DOM helper the page's modules share.

/** A new `tag` element with an optional class name and text. */
export function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}
