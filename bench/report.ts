// Turns the load generator's figures into the table and ratio lines bench/http.ts prints.
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import type { LoadReport, TargetReport } from "./load-report.ts";
import type { LoadParams } from "./options.ts";
import { median } from "./stats.ts";

/** The machine, the runtime and how the bench's processes share it, and the load before the run. */
export function machineLines(processes = "the server and the load generator are separate Bun processes sharing these CPUs"): string[] {
  const model = cpus()[0]?.model.trim() ?? "unknown CPU";
  return [
    `machine: ${availableParallelism()} CPUs available (${cpus().length} online), ${model}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${process.platform}/${process.arch}`,
    `runtime: Bun ${Bun.version}; ${processes}`,
    `load average before the run: ${loadavg().map((n) => n.toFixed(2)).join(" ")} (other work on the machine skews the figures)`,
  ];
}

export function paramLines(params: LoadParams, targets: number): string[] {
  const seconds = targets * (params.warmup + params.rounds * params.duration);
  return [
    `load: ${params.concurrency} requests in flight (keep-alive), ${params.warmup} s warm-up then ${params.rounds} rounds × ${params.duration} s per route, alternating; about ${Math.ceil(seconds)} s of load`,
  ];
}

export const fixed = (n: number | null, digits: number) => (n !== null && Number.isFinite(n) ? n.toFixed(digits) : "–");
export const percent = (share: number | null) => (share === null ? "–" : `${Math.round(share * 100)}%`);

/** Aligned columns: the first `textColumns` left-aligned, the numbers after them right-aligned. */
export function table(rows: string[][], textColumns = 2): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => (col < textColumns ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join("  ").trimEnd());
}

export function rateOf(target: TargetReport): number {
  return median(target.roundRates);
}

export function resultLines(report: LoadReport, baseline: TargetReport, subject: TargetReport): string[] {
  const header = ["route", "path", "requests", "req/s", "rounds min–max", "p50 ms", "p99 ms", "body B", "errors", "server CPU", "loadgen CPU"];
  const rows = report.targets.map((t) => [
    t.name,
    t.path,
    String(t.requests),
    fixed(rateOf(t), 0),
    `${fixed(Math.min(...t.roundRates), 0)}–${fixed(Math.max(...t.roundRates), 0)}`,
    fixed(t.p50Ms, 2),
    fixed(t.p99Ms, 2),
    fixed(t.meanBytes, 0),
    String(t.errors),
    percent(t.serverCpu),
    percent(t.loadCpu),
  ]);
  const ratio = rateOf(subject) / rateOf(baseline);
  const lines = [
    ...table([header, ...rows]),
    "",
    "req/s is the median over rounds; p50/p99 are over every 2xx response of every round; CPU is the share of one core.",
    `${subject.name} / ${baseline.name} ratio: ${fixed(ratio, 2)}`,
    `(${baseline.name} serves ${fixed(1 / ratio, 1)}× the ${subject.name}'s requests a second; the ${subject.name}'s p50 latency is ${fixed(subject.p50Ms !== null && baseline.p50Ms !== null ? subject.p50Ms / baseline.p50Ms : null, 1)}× ${baseline.name}'s)`,
  ];
  for (const t of report.targets) {
    if (t.errors > 0) lines.push(`errors on ${t.name}: ${Object.entries(t.errorKinds).map(([kind, n]) => `${kind} ×${n}`).join(", ")}`);
  }
  if (baseline.loadCpu >= 0.9 && availableParallelism() <= 4) {
    lines.push(`note: the load generator kept about a whole core busy on ${baseline.name} and shares ${availableParallelism()} CPUs with the server, so ${baseline.name}'s rate — and the gap — may be understated.`);
  }
  return lines;
}
