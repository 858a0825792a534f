// The load generator: its own process, so its work never shares the server's event loop. bench/http.ts
// starts it; it also runs alone against any server:
//
//   bun bench/load.ts --base http://127.0.0.1:3000 --target hello-world=/healthz --target product=/products/prd_…
//
// Each target gets a warm-up, then `rounds` measured rounds of `duration` seconds with `concurrency`
// requests in flight over kept-alive connections. Targets alternate within a round and the order flips
// every round (A B, B A, A B …), so drift in the machine affects every target alike. Progress goes to
// stderr; the result is one JSON line (a LoadReport) on stdout. It exits 0 even when responses were errors:
// judging them is the caller's business.
import { ownCpuSeconds, processCpuSeconds } from "./cpu.ts";
import type { LoadReport, Target, TargetReport } from "./load-report.ts";
import { loadParams, paramFlags, readFlags, UsageError, type LoadParams } from "./options.ts";
import { percentile, Samples } from "./stats.ts";

/** A request that takes longer than this counts as an error rather than stalling the bench. */
const REQUEST_TIMEOUT_MS = 10_000;

interface Tally {
  ok: number;
  bytes: number;
  latencies: Samples;
  errorKinds: Map<string, number>;
}

const newTally = (): Tally => ({ ok: 0, bytes: 0, latencies: new Samples(), errorKinds: new Map() });

function countError(tally: Tally, kind: string): void {
  tally.errorKinds.set(kind, (tally.errorKinds.get(kind) ?? 0) + 1);
}

/** Keeps `concurrency` requests to `url` in flight until `seconds` have passed; returns the wall time used. */
async function drive(url: string, concurrency: number, seconds: number, tally: Tally): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const body = await response.arrayBuffer();
        if (response.status >= 200 && response.status < 300) {
          tally.latencies.push(performance.now() - sent);
          tally.ok++;
          tally.bytes += body.byteLength;
        } else {
          countError(tally, `HTTP ${response.status}`);
        }
      } catch (error) {
        countError(tally, error instanceof Error ? error.name : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (performance.now() - started) / 1000;
}

interface Measured {
  tally: Tally;
  rates: number[];
  wallSeconds: number;
  loadCpuSeconds: number;
  serverCpuSeconds: number | null;
}

export async function runLoad(baseUrl: string, targets: Target[], params: LoadParams, serverPid?: number): Promise<LoadReport> {
  const urls = targets.map((target) => new URL(target.path, baseUrl).href);
  const log = (line: string) => process.stderr.write(`load: ${line}\n`);

  if (params.warmup > 0) {
    for (const [i, target] of targets.entries()) {
      const tally = newTally();
      await drive(urls[i]!, params.concurrency, params.warmup, tally);
      log(`warm-up ${target.name}: ${tally.ok} ok, ${sumErrors(tally)} errors`);
    }
  }

  const measured: Measured[] = targets.map(() => ({ tally: newTally(), rates: [], wallSeconds: 0, loadCpuSeconds: 0, serverCpuSeconds: 0 }));
  for (let round = 0; round < params.rounds; round++) {
    const order = targets.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const m = measured[i]!;
      const tally = newTally();
      const cpuBefore = ownCpuSeconds();
      const serverBefore = serverPid === undefined ? null : processCpuSeconds(serverPid);
      const seconds = await drive(urls[i]!, params.concurrency, params.duration, tally);
      const serverAfter = serverPid === undefined ? null : processCpuSeconds(serverPid);
      m.loadCpuSeconds += ownCpuSeconds() - cpuBefore;
      m.serverCpuSeconds = serverBefore === null || serverAfter === null || m.serverCpuSeconds === null ? null : m.serverCpuSeconds + serverAfter - serverBefore;
      m.wallSeconds += seconds;
      m.rates.push(tally.ok / seconds);
      merge(m.tally, tally);
      log(`round ${round + 1}/${params.rounds} ${targets[i]!.name}: ${Math.round(tally.ok / seconds)} req/s, ${sumErrors(tally)} errors`);
    }
  }

  return { params, baseUrl, targets: targets.map((target, i) => report(target, measured[i]!)) };
}

function merge(into: Tally, from: Tally): void {
  into.ok += from.ok;
  into.bytes += from.bytes;
  into.latencies.append(from.latencies);
  for (const [kind, n] of from.errorKinds) into.errorKinds.set(kind, (into.errorKinds.get(kind) ?? 0) + n);
}

function sumErrors(tally: Tally): number {
  let n = 0;
  for (const count of tally.errorKinds.values()) n += count;
  return n;
}

function report(target: Target, m: Measured): TargetReport {
  const sorted = m.tally.latencies.sorted();
  const at = (p: number) => (sorted.length === 0 ? null : percentile(sorted, p));
  const errors = sumErrors(m.tally);
  return {
    ...target,
    requests: m.tally.ok + errors,
    errors,
    errorKinds: Object.fromEntries(m.tally.errorKinds),
    roundRates: m.rates,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    maxMs: at(100),
    meanBytes: m.tally.ok === 0 ? 0 : m.tally.bytes / m.tally.ok,
    loadCpu: m.loadCpuSeconds / m.wallSeconds,
    serverCpu: m.serverCpuSeconds === null ? null : m.serverCpuSeconds / m.wallSeconds,
  };
}

function parseTarget(spec: string): Target {
  const at = spec.indexOf("=");
  const name = spec.slice(0, at);
  const path = spec.slice(at + 1);
  if (at < 1 || !path.startsWith("/")) throw new UsageError(`load: --target must look like name=/path (got ${JSON.stringify(spec)})`);
  return { name, path };
}

if (import.meta.main) {
  try {
    const flags = readFlags(process.argv.slice(2), ["base", "target", "server-pid", ...paramFlags]);
    const baseUrl = flags.get("base")?.at(-1);
    if (!baseUrl || !URL.canParse(baseUrl)) throw new UsageError("load: --base must be the server's URL, e.g. http://127.0.0.1:3000");
    const targets = (flags.get("target") ?? []).map(parseTarget);
    if (targets.length === 0) throw new UsageError("load: give at least one --target name=/path");
    const pidFlag = flags.get("server-pid")?.at(-1);
    const serverPid = pidFlag === undefined ? undefined : Number(pidFlag);
    if (serverPid !== undefined && !Number.isInteger(serverPid)) throw new UsageError("load: --server-pid must be a process id");
    const result = await runLoad(baseUrl, targets, loadParams(flags, process.env), serverPid);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}
