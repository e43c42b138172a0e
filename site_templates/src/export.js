// Saving what is shown: one chart as PNG (its card's button) and the shown range as CSV (the header's
// button). File names say the range and the day: heatpump-24h-2026-01-15-cop.png, heatpump-7d-….csv.
import { rangeCsv } from './csv.js';

/** The common start of the file names: the range and the archived day, or today in the site's zone. */
export function fileStem(view, fmt, now = Date.now()) {
  const day = view.snapshot || fmt.isoLocal(now).slice(0, 10);
  return `heatpump-${view.range}-${day}`;
}

/** Saves the file at `href` as `filename` through a temporary link. */
export function download(filename, href) {
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}

export function downloadText(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  download(filename, url);
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The chart `key` of `board` as drawn; nothing when it is not drawn. */
export function exportPng(board, key, stem) {
  const url = board.pngDataUrl(key);
  if (url) download(`${stem}-${key}.png`, url);
}

/** The charts of a range file as CSV; nothing when no file is shown. */
export function exportCsv(data, stem, fmt) {
  if (!data) return;
  downloadText(`${stem}.csv`, rangeCsv(data.charts, fmt), 'text/csv;charset=utf-8');
}
