// Server-rendered SVG charts for the figures pages: no script, no build step. Each chart carries
// its numbers as a table too, for screen readers and for anyone who wants the exact figures.
import type { DailyPoint } from "../../modules/social/chart-scale.ts";
import { niceTicks } from "../../modules/social/chart-scale.ts";

export interface ChartSeries {
  label: string;
  points: readonly DailyPoint[];
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 44 };
const TONES = ["var(--brand)", "#2f6f9f", "#7a6a2f", "#3f7f4f"];

interface Frame {
  days: string[];
  ticks: number[];
  x(index: number): number;
  y(value: number): number;
  slot: number;
}

function frameOf(series: readonly ChartSeries[], stacked: boolean): Frame {
  const days = series[0]?.points.map((p) => p.day) ?? [];
  const max = stacked
    ? Math.max(0, ...days.map((_, i) => series.reduce((sum, s) => sum + (s.points[i]?.value ?? 0), 0)))
    : Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.value)));
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1]!;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = days.length > 0 ? plotWidth / days.length : plotWidth;
  return {
    days,
    ticks,
    slot,
    x: (index) => PAD.left + slot * index + slot / 2,
    y: (value) => PAD.top + plotHeight - (value / top) * plotHeight,
  };
}

function Axes({ frame }: { frame: Frame }) {
  const labelled = frame.days.length <= 1 ? [0] : [0, Math.floor((frame.days.length - 1) / 2), frame.days.length - 1];
  return (
    <g class="chart__axes" font-size="11" fill="currentColor">
      {frame.ticks.map((tick) => (
        <g>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={frame.y(tick)} y2={frame.y(tick)} stroke="currentColor" stroke-opacity="0.15" />
          <text x={PAD.left - 6} y={frame.y(tick) + 4} text-anchor="end">
            {tick}
          </text>
        </g>
      ))}
      {frame.days.length > 0 &&
        [...new Set(labelled)].map((index) => (
          <text x={frame.x(index)} y={HEIGHT - 8} text-anchor="middle">
            {frame.days[index]!.slice(5)}
          </text>
        ))}
    </g>
  );
}

function DataTable({ title, series }: { title: string; series: readonly ChartSeries[] }) {
  return (
    <table class="visually-hidden">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">—</th>
          {series.map((s) => (
            <th scope="col">{s.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {(series[0]?.points ?? []).map((point, i) => (
          <tr>
            <th scope="row">{point.day}</th>
            {series.map((s) => (
              <td>{s.points[i]?.value ?? 0}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Legend({ series }: { series: readonly ChartSeries[] }) {
  return (
    <ul class="chart__legend">
      {series.map((s, i) => (
        <li>
          <span class="chart__swatch" style={`background:${TONES[i % TONES.length]}`} aria-hidden="true" />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

/** The figure around a chart: caption, the SVG with its title, the legend and the numbers. */
function ChartFigure({ title, series, children }: { title: string; series: readonly ChartSeries[]; children: unknown }) {
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title} xmlns="http://www.w3.org/2000/svg">
        <title>{title}</title>
        {children}
      </svg>
      {series.length > 1 && <Legend series={series} />}
      <DataTable title={title} series={series} />
    </figure>
  );
}

/** One line per series over the days of the range. */
export function LineChart({ title, series }: { title: string; series: readonly ChartSeries[] }) {
  const frame = frameOf(series, false);
  return (
    <ChartFigure title={title} series={series}>
      <Axes frame={frame} />
      {series.map((s, i) => (
        <polyline
          class="chart__line"
          fill="none"
          stroke={TONES[i % TONES.length]}
          stroke-width="2"
          points={s.points.map((p, index) => `${frame.x(index).toFixed(1)},${frame.y(p.value).toFixed(1)}`).join(" ")}
        />
      ))}
    </ChartFigure>
  );
}

/** Stacked bars per day (e.g. groups filled and failed). */
export function BarChart({ title, series }: { title: string; series: readonly ChartSeries[] }) {
  const frame = frameOf(series, true);
  const barWidth = Math.max(1, frame.slot * 0.7);
  return (
    <ChartFigure title={title} series={series}>
      <Axes frame={frame} />
      {frame.days.map((_, index) => {
        let base = 0;
        return series.map((s, i) => {
          const value = s.points[index]?.value ?? 0;
          const y0 = frame.y(base);
          base += value;
          const y1 = frame.y(base);
          return value > 0 ? <rect class="chart__bar" x={(frame.x(index) - barWidth / 2).toFixed(1)} y={y1.toFixed(1)} width={barWidth.toFixed(1)} height={(y0 - y1).toFixed(1)} fill={TONES[i % TONES.length]} /> : null;
        });
      })}
    </ChartFigure>
  );
}
