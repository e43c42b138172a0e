import test from 'node:test';
import assert from 'node:assert/strict';
import {
  applyViewState, firstXAxis, isTimeSeries, localizeOption, optionTitle, templateFormatter, viewState,
} from '../src/chart-options.js';

// A format that shows which of its functions was called, so each test sees what the option got.
const fmt = {
  auto: (value) => `auto(${value})`,
  number: (value, digits) => `number(${value},${digits})`,
  axisTime: (value, spanMs) => `axis(${value},${spanMs})`,
  tooltipTime: (value, spanMs) => `tip(${value},${spanMs})`,
};

const timeOption = () => ({
  title: { text: 'Temperaturer' },
  xAxis: { type: 'time' },
  yAxis: { type: 'value', axisLabel: { formatter: '{value} °C' } },
  tooltip: { trigger: 'axis' },
  series: [{ type: 'line', name: 'Ute' }],
});

test('localizeOption leaves the cached option unchanged', () => {
  const option = timeOption();
  const copy = structuredClone(option);
  localizeOption(option, fmt, 86400e3);
  assert.deepEqual(option, copy);
});

test('localizeOption drops the page-only keys _empty and _meta', () => {
  const out = localizeOption({ ...timeOption(), _empty: false, _meta: { spf: 3 } }, fmt, 1);
  assert.equal('_empty' in out, false);
  assert.equal('_meta' in out, false);
});

test('localizeOption makes the background transparent unless the option sets one', () => {
  assert.equal(localizeOption(timeOption(), fmt, 1).backgroundColor, 'transparent');
  assert.equal(localizeOption({ ...timeOption(), backgroundColor: '#fff' }, fmt, 1).backgroundColor, '#fff');
});

test('localizeOption turns aria on', () => {
  assert.equal(localizeOption(timeOption(), fmt, 1).aria.enabled, true);
});

test('localizeOption labels a time axis with the page time format for the span', () => {
  const out = localizeOption(timeOption(), fmt, 7);
  assert.equal(out.xAxis.axisLabel.formatter(1000), 'axis(1000,7)');
  assert.equal(out.xAxis.axisLabel.hideOverlap, true);
});

test('localizeOption labels the time axis pointer with the tooltip time', () => {
  const out = localizeOption(timeOption(), fmt, 7);
  assert.equal(out.xAxis.axisPointer.label.formatter({ value: 1000 }), 'tip(1000,7)');
});

test('localizeOption fills a value axis template with the page number format', () => {
  const out = localizeOption(timeOption(), fmt, 1);
  assert.equal(out.yAxis.axisLabel.formatter(21.5), 'auto(21.5) °C');
});

test('localizeOption formats a value axis without a template as a number', () => {
  const out = localizeOption({ ...timeOption(), yAxis: [{ type: 'value' }, { type: 'log' }] }, fmt, 1);
  assert.equal(out.yAxis[0].axisLabel.formatter(3), 'auto(3)');
  assert.equal(out.yAxis[1].axisLabel.formatter(3), 'auto(3)');
});

test('localizeOption leaves a category axis alone', () => {
  const out = localizeOption({ ...timeOption(), xAxis: { type: 'category', data: ['a'] } }, fmt, 1);
  assert.deepEqual(out.xAxis, { type: 'category', data: ['a'] });
});

test('localizeOption formats tooltip values with the page number format', () => {
  const out = localizeOption(timeOption(), fmt, 1);
  assert.equal(out.tooltip.valueFormatter(2.5), 'auto(2.5)');
  assert.equal(out.tooltip.valueFormatter([1, 2]), 'auto(1) – auto(2)');
  assert.equal(out.tooltip.valueFormatter(null), '–');
});

test('localizeOption turns series label templates into formatters', () => {
  const option = { series: [{ type: 'sankey', label: { formatter: '{b}: {c}' } }] };
  const out = localizeOption(option, fmt, 1);
  assert.equal(out.series[0].label.formatter({ name: 'El', value: 3 }), 'El: auto(3)');
});

test('localizeOption turns a data item label template into a formatter', () => {
  const option = { series: { type: 'sankey', data: [{ name: 'VP', label: { formatter: '{b} {c}' } }, { name: 'x' }] } };
  const out = localizeOption(option, fmt, 1);
  assert.equal(out.series[0].data[0].label.formatter({ name: 'VP', value: 9 }), 'VP auto(9)');
  assert.deepEqual(out.series[0].data[1], { name: 'x' });
});

test('templateFormatter fills series name, name, value and percentage', () => {
  const format = templateFormatter('{a}/{b}: {c} ({d} %)', fmt);
  assert.equal(format({ seriesName: 'S', name: 'N', value: 4, percent: 25 }), 'S/N: auto(4) (number(25,0) %)');
});

test('templateFormatter takes the last value of a data array', () => {
  assert.equal(templateFormatter('{c}', fmt)({ value: [1000, 7] }), 'auto(7)');
});

test('templateFormatter returns a template without placeholders unchanged', () => {
  assert.equal(templateFormatter('{value} kWh', fmt), '{value} kWh');
  assert.equal(templateFormatter(undefined, fmt), undefined);
});

test('optionTitle is the text of the first title', () => {
  assert.equal(optionTitle(timeOption()), 'Temperaturer');
  assert.equal(optionTitle({ title: [{ text: 'COP' }, { text: 'sub' }] }), 'COP');
});

test('optionTitle is null when the option has no title text', () => {
  assert.equal(optionTitle({}), null);
  assert.equal(optionTitle({ title: { text: '' } }), null);
  assert.equal(optionTitle(null), null);
});

test('firstXAxis finds the first x axis in either shape', () => {
  assert.deepEqual(firstXAxis({ xAxis: [{ type: 'time' }, { type: 'value' }] }), { type: 'time' });
  assert.deepEqual(firstXAxis({ xAxis: { type: 'value' } }), { type: 'value' });
  assert.equal(firstXAxis({}), null);
});

test('isTimeSeries is true only for a time x axis', () => {
  assert.equal(isTimeSeries(timeOption()), true);
  assert.equal(isTimeSeries({ series: [{ type: 'sankey' }] }), false);
});

test('viewState reads the zoom windows and legend selection of a drawn chart', () => {
  const chart = { getOption: () => ({ dataZoom: [{ start: 40, end: 70 }], legend: [{ selected: { Ute: false } }, {}] }) };
  assert.deepEqual(viewState(chart), { zoom: [{ start: 40, end: 70 }], legend: [{ Ute: false }, null] });
});

test('applyViewState carries the zoom window over when the same range is redrawn', () => {
  const option = { dataZoom: [{ type: 'inside', startValue: 1, endValue: 2 }] };
  applyViewState(option, { zoom: [{ start: 40, end: 70 }], legend: [] }, { keepZoom: true });
  assert.deepEqual(option.dataZoom, [{ type: 'inside', start: 40, end: 70 }]);
});

test('applyViewState leaves the zoom window of another range alone', () => {
  const option = { dataZoom: [{ type: 'inside', startValue: 1 }] };
  applyViewState(option, { zoom: [{ start: 40, end: 70 }], legend: [] }, { keepZoom: false });
  assert.deepEqual(option.dataZoom, [{ type: 'inside', startValue: 1 }]);
});

test('applyViewState carries the legend selection over, over the option own', () => {
  const option = { legend: { selected: { Ute: true, Inne: false } } };
  applyViewState(option, { zoom: [], legend: [{ Ute: false }] }, { keepZoom: false });
  assert.deepEqual(option.legend, [{ selected: { Ute: false, Inne: false } }]);
});
