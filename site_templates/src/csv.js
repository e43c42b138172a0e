// The shown range as CSV, built from the time-series charts' datasets (or their series data when a
// chart carries no dataset): one row per time, one column per dimension, times in UTC and local.
import { isTimeSeries } from './chart-options.js';

const asList = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

function dimensionName(dim, i) {
  if (typeof dim === 'string') return dim;
  if (dim && typeof dim === 'object' && dim.name) return dim.name;
  return `value${i}`;
}

/** Columns [name, Map(time → value)] of one dataset. */
function datasetColumns(dataset) {
  const source = dataset?.source;
  if (!Array.isArray(source) || !source.length) return [];
  let dims = asList(dataset.dimensions).map(dimensionName);
  let rows = source;
  if (Array.isArray(source[0])) {
    const headerRow = dataset.sourceHeader === true
      || (dataset.sourceHeader !== false && source[0].some((cell) => typeof cell === 'string' && Number.isNaN(Date.parse(cell))));
    if (headerRow) {
      if (!dims.length) dims = source[0].map(dimensionName);
      rows = source.slice(1);
    }
    if (!dims.length) dims = source[0].map((_, i) => (i === 0 ? 'time' : `value${i}`));
    return dims.slice(1).map((name, i) => [name, new Map(rows.map((row) => [row[0], row[i + 1]]))]);
  }
  if (!dims.length) dims = Object.keys(source[0]);
  const [timeKey, ...valueKeys] = dims;
  return valueKeys.map((name) => [name, new Map(source.map((row) => [row[timeKey], row[name]]))]);
}

/** Columns of series that hold their own [time, value] points. */
function seriesColumns(option) {
  const columns = [];
  for (const series of asList(option.series)) {
    if (!Array.isArray(series.data) || series.datasetIndex !== undefined) continue;
    const points = new Map();
    for (const point of series.data) {
      const pair = Array.isArray(point) ? point : Array.isArray(point?.value) ? point.value : null;
      if (pair && pair.length >= 2) points.set(pair[0], pair[1]);
    }
    if (points.size) columns.push([series.name || `series${columns.length}`, points]);
  }
  return columns;
}

function toEpoch(time) {
  if (typeof time === 'number') return time;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? null : parsed;
}

function cell(value) {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV text for `charts` (key → option). Dimensions are canonical names, so a metric drawn in two
 * charts (supply_temp in temperature and valve) is one column, taken from the first chart.
 */
export function rangeCsv(charts, fmt) {
  const columns = [];
  const seen = new Set();
  for (const option of Object.values(charts || {})) {
    if (!option || option._empty || !isTimeSeries(option)) continue;
    const own = asList(option.dataset).flatMap(datasetColumns);
    const found = own.length ? own : seriesColumns(option);
    for (const [name, values] of found) {
      if (seen.has(name)) continue;
      seen.add(name);
      columns.push({ name, values });
    }
  }
  const header = columns.map((column) => column.name);

  const byTime = new Map();
  columns.forEach((column, index) => {
    for (const [time, value] of column.values) {
      const ms = toEpoch(time);
      if (ms === null) continue;
      if (!byTime.has(ms)) byTime.set(ms, new Array(columns.length).fill(null));
      byTime.get(ms)[index] = value;
    }
  });
  const lines = [['time_utc', `time_${fmt.timeZone}`, ...header].map(cell).join(',')];
  for (const ms of [...byTime.keys()].sort((a, b) => a - b)) {
    lines.push([new Date(ms).toISOString(), fmt.isoLocal(ms), ...byTime.get(ms)].map(cell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
