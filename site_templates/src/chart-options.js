// Adapting a generated chart option to this page before drawing it: localized number and time
// formatting (JSON cannot carry formatter functions), transparent background so the card shows
// through, aria on, and the viewer's zoom window and legend selection carried over from what is drawn.

const asList = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

function numberLabel(template, fmt) {
  if (typeof template === 'function') return template;
  if (typeof template === 'string' && template.includes('{value}')) {
    return (value) => template.replace('{value}', fmt.auto(value));
  }
  return (value) => fmt.auto(value);
}

function localizeAxis(axis, fmt, spanMs) {
  if (!axis || typeof axis !== 'object') return axis;
  const out = { ...axis };
  if (out.type === 'time') {
    out.axisLabel = { hideOverlap: true, ...out.axisLabel, formatter: (value) => fmt.axisTime(value, spanMs) };
    out.axisPointer = {
      ...out.axisPointer,
      label: { ...out.axisPointer?.label, formatter: (params) => fmt.tooltipTime(params.value, spanMs) },
    };
  } else if (out.type === undefined || out.type === 'value' || out.type === 'log') {
    if (typeof out.axisLabel?.formatter !== 'function') {
      out.axisLabel = { ...out.axisLabel, formatter: numberLabel(out.axisLabel?.formatter, fmt) };
    }
  }
  return out;
}

function mapAxes(value, fn) {
  return Array.isArray(value) ? value.map(fn) : value === undefined ? value : fn(value);
}

/** The first x axis, whichever shape the option uses. */
export function firstXAxis(option) {
  return asList(option?.xAxis)[0] || null;
}

export function isTimeSeries(option) {
  return firstXAxis(option)?.type === 'time';
}

/**
 * A string formatter with {a} {b} {c} {d} placeholders as a function, so that the value ({c}) and the
 * percentage ({d}) get the page's decimal separator; anything else is returned unchanged.
 */
export function templateFormatter(template, fmt) {
  if (typeof template !== 'string' || !/\{[abcd]\}/.test(template)) return template;
  return (params) => {
    if (Array.isArray(params)) return template;
    const value = Array.isArray(params.value) ? params.value[params.value.length - 1] : params.value;
    return template
      .replace(/\{a\}/g, params.seriesName ?? '')
      .replace(/\{b\}/g, params.name ?? '')
      .replace(/\{c\}/g, typeof value === 'number' ? fmt.auto(value) : value ?? '')
      .replace(/\{d\}/g, typeof params.percent === 'number' ? fmt.number(params.percent, 0) : '');
  };
}

function localizeSeries(series, fmt) {
  const out = { ...series };
  for (const part of ['label', 'edgeLabel']) {
    if (out[part] && typeof out[part].formatter === 'string') {
      out[part] = { ...out[part], formatter: templateFormatter(out[part].formatter, fmt) };
    }
  }
  if (out.tooltip && typeof out.tooltip.formatter === 'string') {
    out.tooltip = { ...out.tooltip, formatter: templateFormatter(out.tooltip.formatter, fmt) };
  }
  // A data item may carry its own label text (the sankey's middle node does).
  if (Array.isArray(out.data)) {
    out.data = out.data.map((item) => (item && typeof item.label?.formatter === 'string'
      ? { ...item, label: { ...item.label, formatter: templateFormatter(item.label.formatter, fmt) } }
      : item));
  }
  return out;
}

/** A copy of `option` ready for this page; the input (cached range data) is never modified. */
export function localizeOption(option, fmt, spanMs) {
  const out = structuredClone(option);
  delete out._empty;
  delete out._meta;  // facts for the page, not an ECharts component
  out.backgroundColor = out.backgroundColor ?? 'transparent';
  out.aria = { enabled: true, ...out.aria };
  out.xAxis = mapAxes(out.xAxis, (axis) => localizeAxis(axis, fmt, spanMs));
  out.yAxis = mapAxes(out.yAxis, (axis) => localizeAxis(axis, fmt, spanMs));
  if (out.series !== undefined) out.series = asList(out.series).map((series) => localizeSeries(series, fmt));
  const tooltip = asList(out.tooltip)[0];
  if (tooltip && typeof tooltip === 'object') {
    const localized = { ...tooltip };
    if (typeof tooltip.formatter === 'string') localized.formatter = templateFormatter(tooltip.formatter, fmt);
    if (typeof tooltip.valueFormatter !== 'function') localized.valueFormatter = (value) => formatTooltipValue(value, fmt);
    out.tooltip = localized;
  }
  return out;
}

function formatTooltipValue(value, fmt) {
  if (Array.isArray(value)) return value.map((v) => formatTooltipValue(v, fmt)).join(' – ');
  return typeof value === 'number' ? fmt.auto(value) : value ?? '–';
}

/** The title the generator gave the chart, if any. */
export function optionTitle(option) {
  const title = asList(option?.title)[0];
  return title && typeof title.text === 'string' && title.text ? title.text : null;
}

/** What the viewer changed on a drawn chart: zoom windows and legend selection. */
export function viewState(chart) {
  const current = chart.getOption() || {};
  return {
    zoom: asList(current.dataZoom).map((z) => ({ start: z.start, end: z.end })),
    legend: asList(current.legend).map((l) => (l.selected ? { ...l.selected } : null)),
  };
}

/** Puts a saved view state into a new option (zoom only when the same range is redrawn). */
export function applyViewState(option, state, { keepZoom }) {
  if (keepZoom && state.zoom.length) {
    const zooms = asList(option.dataZoom);
    option.dataZoom = zooms.map((zoom, i) => {
      const saved = state.zoom[i];
      if (!saved || saved.start === undefined || saved.end === undefined) return zoom;
      const { startValue, endValue, ...rest } = zoom;
      return { ...rest, start: saved.start, end: saved.end };
    });
  }
  if (state.legend.some(Boolean) && option.legend !== undefined) {
    const legends = asList(option.legend);
    option.legend = legends.map((legend, i) => (
      state.legend[i] ? { ...legend, selected: { ...legend.selected, ...state.legend[i] } } : legend));
  }
  return option;
}
