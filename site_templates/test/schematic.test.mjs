import test from 'node:test';
import assert from 'node:assert/strict';
import { schematicState, SCHEMATIC_TEMPS } from '../src/schematic.js';
import { dictionary } from '../src/i18n.js';
import { createFormat } from '../src/format.js';

const sv = { t: dictionary('sv'), fmt: createFormat('sv', 'Europe/Stockholm') };
const en = { t: dictionary('en'), fmt: createFormat('en', 'Europe/Stockholm') };

// A live file as the generator writes it (docs/public-format.md): status mirrors the 0/1 values.
function live({ values = {}, status = {} } = {}) {
  return { latest_data_at: '2026-01-15T11:00:00Z', values, status, alarms: [], data_quality: [] };
}

test('a running compressor is drawn running and says so', () => {
  const state = schematicState(live({ values: { compressor_on: 1 }, status: { compressor_on: 1 } }), en);
  assert.equal(state.compressor, 'on');
  assert.equal(state.texts.compressor, 'On');
});

test('a stopped compressor is drawn stopped and says so', () => {
  const state = schematicState(live({ values: { compressor_on: 0 }, status: { compressor_on: 0 } }), en);
  assert.equal(state.compressor, 'off');
  assert.equal(state.texts.compressor, 'Off');
});

test('valve 0 sends the flow to the radiators', () => {
  const state = schematicState(live({ status: { switch_valve: 0 } }), sv);
  assert.equal(state.valve, 'heating');
  assert.equal(state.texts.valve, 'Värme');
});

test('valve 1 sends the flow to the hot-water tank', () => {
  const state = schematicState(live({ status: { switch_valve: 1 } }), sv);
  assert.equal(state.valve, 'hot_water');
  assert.equal(state.texts.valve, 'Varmvatten');
});

test('a state the live file does not have is unknown and shows a dash', () => {
  const state = schematicState(live({ values: { outdoor_temp: 1 } }), en);
  assert.deepEqual([state.compressor, state.valve, state.aux], ['unknown', 'unknown', 'unknown']);
  assert.deepEqual([state.texts.compressor, state.texts.valve, state.texts.aux], ['–', '–', '–']);
});

test('a running brine pump and a stopped heating pump are drawn so and say so', () => {
  const status = { brine_pump_on: 1, heating_pump_on: 0 };
  const state = schematicState(live({ values: status, status }), sv);
  assert.deepEqual([state.brinePump, state.heatingPump], ['on', 'off']);
  assert.deepEqual([state.texts.brine_pump, state.texts.heating_pump], ['På', 'Av']);
});

test('a pump the brand does not report is unknown, not off', () => {
  const status = { compressor_on: 1, switch_valve: 0 };  // a brand without pump registers
  const state = schematicState(live({ values: status, status }), en);
  assert.deepEqual([state.brinePump, state.heatingPump], ['unknown', 'unknown']);
  assert.deepEqual([state.texts.brine_pump, state.texts.heating_pump], ['–', '–']);
});

test('a pump state only among the values (an older live file) is read from there', () => {
  assert.equal(schematicState(live({ values: { heating_pump_on: 1 } }), en).heatingPump, 'on');
});

test('no live file yet: every figure is a dash, never 0', () => {
  const state = schematicState(null, en);
  for (const key of [...SCHEMATIC_TEMPS, 'power_electric']) assert.equal(state.texts[key], '–', key);
  assert.equal(state.heatCarrier, false);
});

test('each temperature is written at its sensor with one decimal, in the page language', () => {
  const values = { brine_in_temp: 2.46, brine_out_temp: -0.5, supply_temp: 35, return_temp: 30.04,
    hot_water_temp: 51.25, outdoor_temp: -12.3, indoor_temp: 21.05 };
  const state = schematicState(live({ values }), sv);
  assert.equal(state.texts.brine_in_temp, '2,5 °C');
  assert.equal(state.texts.brine_out_temp, '−0,5 °C');  // Intl's sv minus sign
  assert.equal(state.texts.supply_temp, '35,0 °C');
  assert.equal(state.texts.return_temp, '30,0 °C');
  assert.equal(state.texts.hot_water_temp, '51,3 °C');
  assert.equal(state.texts.outdoor_temp, '−12,3 °C');
});

test('a zero reading is shown as zero, not as missing', () => {
  const state = schematicState(live({ values: { outdoor_temp: 0, power_electric: 0 } }), en);
  assert.equal(state.texts.outdoor_temp, '0.0 °C');
  assert.equal(state.texts.power_electric, '0 W');
});

test('electric power is in W below 1 kW and in kW from there', () => {
  assert.equal(schematicState(live({ values: { power_electric: 640 } }), en).texts.power_electric, '640 W');
  assert.equal(schematicState(live({ values: { power_electric: 1875 } }), en).texts.power_electric, '1.88 kW');
});

test('the heat-carrier pair is drawn only where the brand has it', () => {
  assert.equal(schematicState(live({ values: { supply_temp: 40 } }), en).heatCarrier, false);
  const state = schematicState(live({ values: { heat_carrier_supply_temp: 45.2 } }), en);
  assert.equal(state.heatCarrier, true);
  assert.equal(state.texts.heat_carrier_supply_temp, '45.2 °C');
  assert.equal(state.texts.heat_carrier_return_temp, '–');
});

test('add-heat while it runs shows on, with its power', () => {
  const values = { aux_heater_on: 1, aux_heater_power: 3000 };
  const state = schematicState(live({ values, status: { aux_heater_on: 1 } }), en);
  assert.equal(state.aux, 'on');
  assert.equal(state.texts.aux, 'On');
  assert.equal(state.texts.aux_heater_power, '3.00 kW');
});

test('add-heat that is off shows no power figure', () => {
  const values = { aux_heater_on: 0, aux_heater_power: 0 };
  const state = schematicState(live({ values, status: { aux_heater_on: 0 } }), en);
  assert.equal(state.aux, 'off');
  assert.equal(state.texts.aux_heater_power, '');
});

test('a brand with add-heat power only: above 0 W it runs', () => {
  assert.equal(schematicState(live({ values: { aux_heater_power: 1500 } }), en).aux, 'on');
  assert.equal(schematicState(live({ values: { aux_heater_power: 0 } }), en).aux, 'off');
});

test('the description says the state and the figures in words', () => {
  const status = { compressor_on: 1, switch_valve: 1, aux_heater_on: 0, brine_pump_on: 1, heating_pump_on: 0 };
  const values = { ...status, outdoor_temp: -3, power_electric: 1500 };
  const state = schematicState(live({ values, status }), en);
  assert.equal(state.desc, 'Compressor: On. Switch valve: Hot water. Add-heat: Off. Brine pump: On. '
    + 'Heating pump: Off. Outdoor -3.0 °C, Electric power 1.50 kW.');
});

test('the description words an unknown state rather than a dash', () => {
  const state = schematicState(live(), sv);
  assert.equal(state.desc, 'Kompressor: okänt. Växelventil: okänt. Tillsats: okänt. Köldbärarpump: okänt. '
    + 'Värmebärarpump: okänt.');
});
