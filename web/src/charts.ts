/**
 * Chart.js set-up: the parts we use registered once (tree-shaken by the
 * bundler), the time adapter, and the zoom, annotation and error-bar plugins.
 * Every chart is created through `makeChart`, which turns animation off (a
 * dashboard is read, not watched) and records the chart so the page can say
 * when it is drawn and tests can read what it holds.
 *
 * @example
 * const chart = makeChart(canvas, { type: 'line', data: { datasets: [...] }, options: {} });
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  type ChartType,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  type Plugin,
  PointElement,
  ScatterController,
  TimeScale,
  Title,
  Tooltip,
} from 'chart.js';
import { formatRatio, formatRatioReading } from './format.ts';
import 'chartjs-adapter-date-fns';
import {
  BarWithErrorBar,
  BarWithErrorBarsController,
  LineWithErrorBarsController,
  PointWithErrorBar,
} from 'chartjs-chart-error-bars';
import annotationPlugin from 'chartjs-plugin-annotation';
import zoomPlugin from 'chartjs-plugin-zoom';
import { h } from './dom.ts';
import type { ChartMark } from './views/shared/model.ts';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  TimeScale,
  Title,
  Tooltip,
  BarWithErrorBarsController,
  BarWithErrorBar,
  LineWithErrorBarsController,
  PointWithErrorBar,
  annotationPlugin,
  // The plugin's types resolve as a CommonJS namespace under NodeNext; the value is the plugin.
  zoomPlugin as unknown as Plugin,
);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** One colour per mode name, the same on every chart. */
const MODE_COLORS: Record<string, string> = {
  gil: '#1f6fb2',
  nogil: '#d9480f',
  'ft-gil': '#2b8a3e',
};
const EXTRA_COLORS = ['#7048e8', '#c2255c', '#0b7285', '#e67700', '#5c940d'];

/**
 * The colour of a mode, by name (`nogil`) or id (`cpython-3.13.5t/nogil`).
 * @example modeColor('cpython-3.13.5t/nogil') === modeColor('nogil')
 */
export function modeColor(mode: string, index = 0): string {
  const name = mode.includes('/') ? mode.slice(mode.lastIndexOf('/') + 1) : mode;
  return MODE_COLORS[name] ?? EXTRA_COLORS[index % EXTRA_COLORS.length]!;
}

/**
 * A mode's line on an error-bar chart: the line, its points and its CI whiskers all in the mode's colour.
 * @example datasets: model.lines.map((line) => ({ ...modeLine(line), pointRadius: 3 }))
 */
export function modeLine<P>(line: { mode: string; index: number; label: string; points: P }): {
  label: string;
  data: P;
  borderColor: string;
  backgroundColor: string;
  errorBarColor: string;
  errorBarWhiskerColor: string;
} {
  const color = modeColor(line.mode, line.index);
  return {
    label: line.label,
    data: line.points,
    borderColor: color,
    backgroundColor: color,
    errorBarColor: color,
    errorBarWhiskerColor: color,
  };
}

/**
 * An axis for time ratios that always shows 1 (no change): linear while the
 * values stay within a factor of 3 (a log axis then crowds its labels), else
 * logarithmic with labels only at round values.
 * @example scales: { x: ratioScale([0.9, 1.4], 'time ratio nogil / gil') }
 */
export function ratioScale(values: readonly number[], title: string): Record<string, unknown> {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  const low = Math.min(1, ...finite);
  const high = Math.max(1, ...finite);
  const axisTitle = { display: true, text: title };
  if (high / low <= 3) {
    const pad = (high - low) * 0.08 || 0.05;
    // Suggested, not fixed: the axis rounds its ends to tick values.
    return {
      type: 'linear',
      beginAtZero: false,
      suggestedMin: Math.max(0, low - pad),
      suggestedMax: high + pad,
      title: axisTitle,
      ticks: { callback: (v: number | string) => formatRatio(Number(v)), maxTicksLimit: 8 },
    };
  }
  const round = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100];
  return {
    type: 'logarithmic',
    min: low / 1.1,
    max: high * 1.1,
    title: axisTitle,
    ticks: {
      autoSkip: true,
      callback: (v: number | string) => {
        const n = Number(v);
        return round.some((r) => Math.abs(n - r) / r < 1e-9) ? `${n}×` : '';
      },
    },
  };
}

/** One bar of `ratioBars`: a time ratio and its 95% CI. */
export interface RatioBar {
  label: string;
  ratio: number;
  ciLow: number;
  ciHigh: number;
}

/**
 * Horizontal bars of time ratios `other / base` with their 95% CIs, a dashed
 * line at 1 and a tooltip in words ("nogil is 1.42× slower than gil"): the
 * chart the compare and overview views share.
 * @example ratioBars(canvas, { bars, colors: '#d9480f', other: 'nogil', base: 'gil', axisTitle: 'time ratio', y: {} });
 */
export function ratioBars(
  canvas: HTMLCanvasElement,
  opts: {
    bars: readonly RatioBar[];
    /** One colour for all bars, or one per bar. */
    colors: string | string[];
    other: string;
    base: string;
    axisTitle: string;
    /** Options of the category axis (labels). */
    y: Record<string, unknown>;
  },
): Chart {
  const { bars, other, base } = opts;
  return makeChart(canvas, {
    type: 'barWithErrorBars',
    data: {
      labels: bars.map((b) => b.label),
      datasets: [
        {
          label: `${other} / ${base}`,
          data: bars.map((b) => ({ x: b.ratio, xMin: b.ciLow, xMax: b.ciHigh })),
          backgroundColor: opts.colors,
          base: 1,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item: { parsed: { x: number } }) =>
              `${other} is ${formatRatioReading(item.parsed.x)} than ${base} (${formatRatio(item.parsed.x)})`,
          },
        },
        annotation: {
          annotations: { one: { type: 'line', xMin: 1, xMax: 1, borderColor: '#495057', borderDash: [4, 4] } },
        },
      },
      scales: {
        x: ratioScale(
          bars.flatMap((b) => [b.ratio, b.ciLow, b.ciHigh]),
          opts.axisTitle,
        ),
        y: opts.y,
      },
    },
  } as never) as unknown as Chart;
}

/**
 * Vertical lines on a time axis (detected changes, notes, runtime changes) as annotation-plugin options.
 * @example plugins: { annotation: { annotations: markAnnotations(model.marks) } }
 */
export function markAnnotations(marks: readonly ChartMark[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of marks) {
    out[m.key] = {
      type: 'line',
      xMin: m.at,
      xMax: m.at,
      borderColor: m.color,
      ...(m.dash ? { borderDash: m.dash } : {}),
      borderWidth: m.width,
      ...(m.label
        ? {
            label: {
              display: true,
              content: m.label.text,
              position: m.label.position,
              backgroundColor: m.color,
              font: { size: 10 },
            },
          }
        : {}),
    };
  }
  return out;
}

const live = new Set<Chart>();
let firstChartMarked = false;

/**
 * Creates a chart on a canvas inside a sized box (Chart.js needs a box with a
 * height when `maintainAspectRatio` is off), and remembers it.
 */
export function makeChart<T extends ChartType>(canvas: HTMLCanvasElement, config: ChartConfiguration<T>): Chart<T> {
  const chart = new Chart(canvas, config);
  live.add(chart as unknown as Chart);
  if (!firstChartMarked) {
    firstChartMarked = true;
    performance.mark('gilbench:first-chart');
  }
  return chart;
}

/** Destroys every chart (before a view is replaced). */
export function destroyCharts(): void {
  for (const chart of live) chart.destroy();
  live.clear();
}

/** Destroys the charts whose canvas is not in the document. */
export function destroyDetachedCharts(): void {
  for (const chart of live) {
    if (!chart.canvas.isConnected) {
      chart.destroy();
      live.delete(chart);
    }
  }
}

/** The charts on the page now. */
export function liveCharts(): Chart[] {
  return [...live];
}

/** A chart box: a titled figure with a canvas of a fixed height. */
export function chartBox(
  title: string,
  opts: { height?: number; id?: string } = {},
): { figure: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { attrs: { role: 'img', 'aria-label': title } });
  const box = h('div', { className: 'chart-box' }, canvas);
  box.style.height = `${opts.height ?? 320}px`;
  const figure = h(
    'figure',
    { className: 'chart', data: { chart: opts.id ?? title } },
    h('figcaption', {}, title),
    box,
  );
  return { figure, canvas };
}

export { Chart };
