// Data quality per metric (the range file's `metric_quality`, docs/public-format.md): a badge on every
// chart drawn from a flagged metric (its `_meta.metrics`), saying what in its tooltip and opening the Data
// panel, and that panel: a table per metric, collapsed by default, scrolling sideways on a phone.
import { fill } from './i18n.js';
import { element } from './dom.js';

/** The table's rows as objects keyed by column; [] for a file without one (an older generator). */
export function qualityRows(table) {
  if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows)) return [];
  return table.rows.map((row) => Object.fromEntries(table.columns.map((column, i) => [column, row[i]])));
}

const hours = (fmt, h) => fmt.number(h, h >= 10 ? 0 : 1);

/** What is wrong with one metric, a sentence per flag, in the page's language. */
export function problemsOf(row, t, fmt) {
  const metric = t.metrics?.[row.metric] || row.metric;
  const values = {
    gaps: { count: row.gaps, hours: hours(fmt, row.longest_gap_h) },
    stuck: { hours: hours(fmt, row.stuck_h) },
    range: { count: row.out_of_range, worst: fmt.auto(row.worst) },
    behind: { hours: hours(fmt, row.behind_h) },
    future: { count: row.future },
  };
  return (row.flags || []).filter((flag) => t.qualityProblems?.[flag])
    .map((flag) => fill(t.qualityProblems[flag], { metric, ...values[flag] }));
}

/** For each chart key, the sentences of the flagged metrics it is drawn from ([] when none). */
export function chartProblems(charts, rows, t, fmt) {
  const flagged = new Map(rows.filter((row) => row.flags?.length).map((row) => [row.metric, row]));
  const out = {};
  for (const [key, option] of Object.entries(charts || {})) {
    const metrics = Array.isArray(option?._meta?.metrics) ? option._meta.metrics : [];
    out[key] = metrics.filter((m) => flagged.has(m)).flatMap((m) => problemsOf(flagged.get(m), t, fmt));
  }
  return out;
}

// The KPI cards computed from the same inputs as a chart: the COP and its share of Carnot as the COP chart,
// the energies as the energy flow.
const KPI_CHART = { cop: 'cop', carnot: 'cop', energy: 'sankey' };

/** A "Data?" mark on each KPI card whose chart has problems (what, in its tooltip); removed when none. */
export function markKpis(container, problems, t) {
  for (const [card, chart] of Object.entries(KPI_CHART)) {
    const el = container.querySelector(`[data-kpi-card="${card}"]`);
    if (!el) continue;
    el.querySelector('.quality-mark')?.remove();
    const found = problems[chart] || [];
    if (!found.length) continue;
    const mark = element('span', 'quality-mark', t.qualityBadge);
    mark.title = found.join('\n');
    mark.setAttribute('aria-label', found.join('. '));
    el.append(mark);
  }
}

/** The panel (details/summary, collapsed) after `after`; filled by renderDataPanel(). */
export function createDataPanel(after, t) {
  const panel = element('details', 'card data-panel');
  panel.id = 'data-panel';
  panel.hidden = true;
  panel.append(element('summary', 'card-title', t.dataPanel), element('div', 'table-scroll'));
  after.after(panel);
  return panel;
}

function cell(tag, text, flagged = false) {
  return element(tag, flagged ? 'flagged' : '', text);
}

/** One table row per metric: coverage (and where its history starts), gaps, longest gap, stuck, out of
 * range, drift; a flagged cell is marked. */
export function renderDataPanel(panel, rows, t, fmt) {
  panel.hidden = rows.length === 0;
  const scroll = panel.querySelector('.table-scroll');
  const c = t.qualityColumns;
  const table = element('table', 'quality-table');
  const head = element('tr');
  for (const key of ['metric', 'coverage', 'gaps', 'longestGap', 'stuck', 'outOfRange', 'drift']) {
    const th = element('th', '', c[key]);
    th.scope = 'col';
    head.append(th);
  }
  table.append(element('thead'), element('tbody'));
  table.tHead.append(head);
  for (const row of rows) {
    const flags = new Set(row.flags || []);
    const tr = element('tr');
    tr.dataset.metric = row.metric;
    if (flags.size) tr.dataset.flags = [...flags].join(' ');
    const name = element('th', flags.size ? 'flagged' : '', t.metrics?.[row.metric] || row.metric);
    name.scope = 'row';
    const coverage = `${fmt.number(row.coverage_pct, 1)} %` + (row.since ? ` (${fill(t.qualitySince, { time: fmt.dateTime(row.since) })})` : '');
    const drift = [flags.has('behind') ? fill(t.qualityBehind, { hours: hours(fmt, row.behind_h) }) : '',
      row.future ? fill(t.qualityFuture, { count: row.future }) : ''].filter(Boolean).join(', ') || '–';
    tr.append(name,
      cell('td', coverage),
      cell('td', String(row.gaps), flags.has('gaps')),
      cell('td', row.gaps ? `${hours(fmt, row.longest_gap_h)} h` : '–', flags.has('gaps')),
      cell('td', row.stuck_h ? `${hours(fmt, row.stuck_h)} h` : '–', flags.has('stuck')),
      cell('td', row.out_of_range ? `${row.out_of_range} (${fmt.auto(row.worst)})` : '–', flags.has('range')),
      cell('td', drift, flags.has('behind') || flags.has('future')));
    table.tBodies[0].append(tr);
  }
  const note = rows.some((row) => row.flags?.length) ? [] : [element('p', 'muted', t.qualityNone)];
  scroll.replaceChildren(...note, table);
}
