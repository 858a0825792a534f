// `npm run bench:flash-sale`: N buyers race for U units of one SKU through the real HTTP checkout of the
// real server on an embedded database file; then, on the same file, the bare conditional update the
// checkout is built on, for the ratio.
//
//   npm run bench:flash-sale -- --buyers 2000 --units 500 --concurrency 64
//   BENCH_BUYERS=… BENCH_UNITS=… BENCH_CONCURRENCY=… npm run bench:flash-sale
//
// 1. Starts `bun src/server.ts` on a throw-away database with the demo data (bench/server-process.ts).
// 2. Untimed: through the project's own services on the same file, a published product with one SKU of
//    U units and N shopper accounts with a session each (bench/flash-sale-db.ts).
// 3. A separate load-generator process (bench/flash-sale-load.ts) opens every buyer's checkout page
//    (untimed: the CSRF token), then times the race: `concurrency` buyers at a time POST one checkout
//    of one unit; 303 = order, 409 = sold out, anything else = error.
// 4. Stops the server and reads back from the file: units sold, stock left, the stock ledger and the
//    audit chain. Oversold must be 0.
// 5. Times `UPDATE skus SET stock = stock - 1 WHERE id = ? AND stock >= 1` on the same file.
// Exits 1 on any error answer, oversold unit or broken invariant; 2 on a bad argument.
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { baselineVariantCount, openRuntime, prepareBaselineSkus, prepareSale, readOutcome, runBaseline, type Baseline, type Outcome } from "./flash-sale-db.ts";
import type { FlashSaleJob, FlashSaleLoadReport, Latency } from "./flash-sale-load.ts";
import { readFlags, UsageError } from "./options.ts";
import { fixed, machineLines, percent, table } from "./report.ts";
import { runBench } from "./interrupts.ts";
import { startServer, type BenchServer } from "./server-process.ts";

interface FlashSaleParams {
  /** Buyers, each submitting one checkout of one unit. */
  buyers: number;
  /** Units of the SKU on sale. */
  units: number;
  /** Checkouts in flight at once, each on its own kept-alive connection. */
  concurrency: number;
}

const defaults: FlashSaleParams = { buyers: 2_000, units: 500, concurrency: 64 };
const rules: Record<keyof FlashSaleParams, { env: string; min: number; max: number }> = {
  buyers: { env: "BENCH_BUYERS", min: 1, max: 1_000_000 },
  // A SKU holds at most catalogLimits.stock units.
  units: { env: "BENCH_UNITS", min: 1, max: 1_000_000 },
  concurrency: { env: "BENCH_CONCURRENCY", min: 1, max: 10_000 },
};
const BASELINE = { rounds: 7, seconds: 0.4 };

function readParams(argv: readonly string[], env: Record<string, string | undefined>): FlashSaleParams {
  const names = Object.keys(rules) as (keyof FlashSaleParams)[];
  const flags = readFlags(argv, names);
  const params = { ...defaults };
  for (const name of names) {
    const rule = rules[name];
    const raw = flags.get(name)?.at(-1) ?? env[rule.env];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
      throw new UsageError(`bench: --${name} / ${rule.env} must be a whole number from ${rule.min} to ${rule.max} (got ${JSON.stringify(raw)})`);
    }
    params[name] = value;
  }
  return params;
}

let server: BenchServer | undefined;
let loadProcess: Subprocess | undefined;

async function cleanUp(): Promise<void> {
  if (loadProcess && loadProcess.exitCode === null) loadProcess.kill();
  await server?.stop();
}

async function runLoadProcess(job: FlashSaleJob): Promise<FlashSaleLoadReport> {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "flash-sale-load.ts")], {
    stdin: new Blob([JSON.stringify(job)]),
    stdout: "pipe",
    stderr: "inherit",
  });
  loadProcess = child;
  const stdout = await new Response(child.stdout).text();
  const code = await child.exited;
  if (code !== 0) throw new Error(`bench: the load generator exited with code ${code}`);
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as FlashSaleLoadReport;
}

const seconds = (started: number) => (performance.now() - started) / 1000;

const latencyRow = (name: string, l: Latency) => [name, String(l.count), fixed(l.p50Ms, 1), fixed(l.p90Ms, 1), fixed(l.p99Ms, 1), fixed(l.maxMs, 1)];

interface Check {
  ok: boolean;
  text: string;
}

function invariants(params: FlashSaleParams, race: FlashSaleLoadReport["race"], outcome: Outcome): Check[] {
  const oversold = Math.max(0, outcome.unitsSold - params.units);
  return [
    { ok: oversold === 0, text: `oversold: ${oversold} (units sold ${outcome.unitsSold}, units on sale ${params.units})` },
    { ok: outcome.stockLeft >= 0, text: `stock left ${outcome.stockLeft} ≥ 0` },
    { ok: outcome.unitsSold + outcome.stockLeft === params.units, text: `units sold + stock left = ${outcome.unitsSold} + ${outcome.stockLeft} = ${outcome.unitsSold + outcome.stockLeft} (must be ${params.units})` },
    {
      ok: outcome.orders === race.orders && race.distinctOrderIds === race.orders && outcome.orderLines === outcome.orders,
      text: `orders in the database ${outcome.orders} (lines ${outcome.orderLines}) = order answers ${race.orders} (distinct ids ${race.distinctOrderIds})`,
    },
    {
      ok: race.soldOut === 0 || outcome.stockLeft === 0,
      text: `no buyer told "sold out" while units were left (${race.soldOut} sold-out answers, ${outcome.stockLeft} left)`,
    },
    { ok: race.orders + race.soldOut + race.errors === params.buyers, text: `answers ${race.orders + race.soldOut + race.errors} = buyers ${params.buyers}` },
    {
      ok: outcome.ledgerSales === -outcome.unitsSold && outcome.ledgerTotal === outcome.stockLeft,
      text: `stock ledger: sales ${outcome.ledgerSales} = −units sold, all movements ${outcome.ledgerTotal} = stock left`,
    },
    {
      ok: outcome.audit.intact,
      text: outcome.audit.intact ? `audit chain intact (${outcome.audit.entries} entries)` : `audit chain BROKEN at ${outcome.audit.brokenAt}: ${outcome.audit.reason}`,
    },
  ];
}

function resultLines(params: FlashSaleParams, report: FlashSaleLoadReport, baseline: Baseline, checks: Check[]): string[] {
  const { race, prepare } = report;
  const ordersPerSecond = race.lastOrderSeconds ? race.orders / race.lastOrderSeconds : Number.NaN;
  const headline = baseline.variants[0]!;
  const ratio = ordersPerSecond / headline.rate;
  const spread = Math.max(...headline.roundRates) / Math.min(...headline.roundRates);
  const lines = [
    `checkout pages opened before the sale (untimed): ${prepare.pages} in ${fixed(prepare.seconds, 1)} s, ${fixed(prepare.pages / prepare.seconds, 0)}/s, p50 ${fixed(prepare.latency.p50Ms, 1)} ms, p99 ${fixed(prepare.latency.p99Ms, 1)} ms`,
    "",
    `the race: ${params.buyers} buyers, ${params.concurrency} checkouts in flight, ${params.units} units`,
    ...table([["answer", "count", "p50 ms", "p90 ms", "p99 ms", "max ms"], latencyRow("order (303)", race.orderLatency), latencyRow("sold out (409)", race.soldOutLatency), ["error", String(race.errors), "", "", "", ""], latencyRow("all answered", race.allLatency)], 1),
    "",
    `orders/s: ${fixed(ordersPerSecond, 0)} — ${race.orders} orders in ${fixed(race.lastOrderSeconds, 2)} s (first checkout sent → last order answered)`,
    `checkouts/s: ${fixed((race.orders + race.soldOut) / race.seconds, 0)} — ${race.orders + race.soldOut} answers in ${fixed(race.seconds, 2)} s, sold-out pages included; first "sold out" after ${fixed(race.firstSoldOutSeconds, 2)} s`,
    `CPU during the race (share of one core): server ${percent(race.serverCpu)}, load generator ${percent(race.loadCpu)}`,
    `server CPU per order ≈ ${fixed(race.serverCpuUntilSoldOut === null ? null : (race.serverCpuUntilSoldOut * 1000) / race.orders, 2)} ms (its CPU time until the first "sold out" ÷ orders)`,
    "",
    `baseline on the same file, server stopped (synchronous=${baseline.synchronous}, journal_mode=${baseline.journalMode}), one statement after another, median of ${BASELINE.rounds} × ${BASELINE.seconds} s:`,
    ...table([
      ["statement", "per s", "rounds min–max", "statements"],
      ...baseline.variants.map((v) => [v.name, fixed(v.rate, 0), `${fixed(Math.min(...v.roundRates), 0)}–${fixed(Math.max(...v.roundRates), 0)}`, String(v.statements)]),
    ], 1).map((line) => `  ${line}`),
    ...baseline.variants.map((v) => `  ${v.name}: ${v.description}`),
    "",
    `ratio orders/s ÷ bare update/s (own write tx): ${fixed(ratio, 3)} — the bare statement runs ${fixed(1 / ratio, 1)}× as often as orders are placed (against its best round: ${fixed(ordersPerSecond / Math.max(...headline.roundRates), 3)})`,
    ...(spread > 2
      ? [`note: the bare update's rounds differ ${fixed(spread, 1)}×: each commit waits for the disk (synchronous=FULL), so other I/O on the machine slows it; this run's ratio is unreliable.`]
      : []),
    "",
    "invariants (read from the database after the race):",
    ...checks.map((check) => `  ${check.ok ? "ok  " : "FAIL"} ${check.text}`),
    "",
    `load average after the run: ${loadavg().map((n) => n.toFixed(2)).join(" ")}`,
  ];
  if (race.errors > 0) {
    lines.push(`errors: ${Object.entries(race.errorKinds).map(([kind, n]) => `${kind} ×${n}`).join(", ")}`);
    if (race.firstError) lines.push(`first error: ${race.firstError}`);
  }
  return lines;
}

async function main(): Promise<number> {
  const params = readParams(process.argv.slice(2), process.env);
  for (const line of machineLines()) console.log(line);
  console.log(`flash sale: ${params.buyers} buyers, ${params.units} units, ${params.concurrency} checkouts in flight (keep-alive), one unit each`);

  let started = performance.now();
  server = startServer();
  await server.ready();
  const settings = server.settings;
  console.log(`server: ${server.description}`);
  console.log(`        started in ${fixed(seconds(started), 1)} s`);

  started = performance.now();
  const setup = await openRuntime(settings);
  const sale = await (async () => {
    try {
      return await prepareSale(setup, settings, params);
    } finally {
      setup.database.close();
    }
  })();
  console.log(`setup (untimed): product ${sale.productId}, SKU ${sale.skuId} with ${params.units} units, ${params.buyers} buyers signed up, in ${fixed(seconds(started), 1)} s\n`);

  const report = await runLoadProcess({ baseUrl: server.baseUrl, skuId: sale.skuId, sessionCookies: sale.sessionCookies, concurrency: params.concurrency, serverPid: server.pid });
  const prepareErrors = Object.values(report.prepare.errorKinds).reduce((a, b) => a + b, 0);

  await server.halt();
  const after = await openRuntime(settings);
  let outcome: Outcome;
  let baselineSkus: string[];
  try {
    outcome = await readOutcome(after, sale.skuId);
    baselineSkus = await prepareBaselineSkus(after, baselineVariantCount);
  } finally {
    after.database.close();
  }
  const baseline = await runBaseline(settings.databaseUrl, baselineSkus, BASELINE);

  const checks = invariants(params, report.race, outcome);
  console.log("");
  for (const line of resultLines(params, report, baseline, checks)) console.log(line);

  const failures: string[] = [];
  if (prepareErrors > 0) failures.push(`${prepareErrors} checkout pages failed to open (${Object.entries(report.prepare.errorKinds).map(([kind, n]) => `${kind} ×${n}`).join(", ")})`);
  if (report.race.errors > 0) failures.push(`${report.race.errors} checkouts were answered with neither an order nor "sold out"`);
  const broken = checks.filter((check) => !check.ok);
  if (broken.length > 0) failures.push(`${broken.length} invariant(s) broken`);
  if (failures.length > 0) {
    console.error(`bench: FAILED — ${failures.join("; ")}`);
    return 1;
  }
  return 0;
}

await runBench(main, cleanUp);
