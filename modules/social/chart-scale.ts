// The arithmetic of the figures pages' charts: daily series over a date range (days without data
// count as zero, so a quiet day shows as a dip rather than vanishing) and a "nice" value axis; and
// the UTC day of a timestamp column, which every figure groups its rows by.
import { sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DailyPoint {
  /** The UTC day, "2026-11-26". */
  day: string;
  value: number;
}

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/** A timestamp_ms column's UTC day ("2026-11-26"), computed by the database: a GROUP BY key. */
export const utcDayOf = (column: SQLiteColumn) => sql<string>`strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

/** Every UTC day from `from` to `to` (both included), each with its value from `counts` or 0. */
export function dailySeries(counts: ReadonlyMap<string, number> | Record<string, number>, from: Date, to: Date): DailyPoint[] {
  const lookup = counts instanceof Map ? counts : new Map(Object.entries(counts));
  const points: DailyPoint[] = [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  for (let at = start; at <= to.getTime(); at += DAY_MS) {
    const day = utcDay(new Date(at));
    points.push({ day, value: lookup.get(day) ?? 0 });
  }
  return points;
}

/** Axis ticks from 0 up to a round number at or above `max`: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const whole = Math.max(1, Math.round(step));
  const top = Math.ceil(max / whole) * whole;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += whole) ticks.push(t);
  return ticks;
}

/** A running total of a daily series (follower growth as a total, not per day). */
export function cumulative(points: readonly DailyPoint[], start = 0): DailyPoint[] {
  let total = start;
  return points.map((point) => ({ day: point.day, value: (total += point.value) }));
}
