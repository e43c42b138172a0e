// The only place that touches ECharts: the core plus exactly the charts and components the
// generated options use, so the bundle stays a fraction of the full library.
// check-imports.mjs fails the build if any file imports the whole 'echarts' package.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, SankeyChart } from 'echarts/charts';
import {
  GridComponent,
  DatasetComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  DataZoomComponent,
  MarkLineComponent,
  AxisPointerComponent,
  AriaComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import langSV from 'echarts/i18n/langSV-obj.js';

echarts.use([
  BarChart, LineChart, PieChart, SankeyChart,
  GridComponent, DatasetComponent, TooltipComponent, LegendComponent, TitleComponent,
  DataZoomComponent, MarkLineComponent, AxisPointerComponent, AriaComponent,
  CanvasRenderer,
]);
// ECharts' own strings (aria descriptions) in Swedish; English is built in.
echarts.registerLocale('SV', langSV);

export const { init, dispose } = echarts;
