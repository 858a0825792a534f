// The flash-sale rate across two app instances against one, in one run, on the scale-out topology
// (scripts/cluster/topology.ts: sqld primary + replica, instances on embedded replicas, no LiveKit).
//
//   bun bench/edge-cluster.ts [--buyers 600] [--units 200] [--concurrency 32] [--rounds 2]
//
// Each round runs three sales of `units` units to `buyers` signed-in buyers (untimed: sign-up and the
// checkout page, for the CSRF token): one with every buyer on instance a, one with the buyers
// alternating between instances a and b, one through nginx (round-robin over a and b). The rate is orders ÷ (first checkout sent → last order
// answered). Every sale must sell exactly its units (read back from the primary); exits 1 otherwise.
import { loadavg } from "node:os";
import type { Runtime } from "../src/bootstrap.ts";
import { checkoutForm, clusterProduct, onPrimary, openClusterRuntime, signedInShoppers, startCluster, type Cluster, type ClusterBrowser } from "../tests/fixtures/cluster.ts";
import { runBench } from "./interrupts.ts";
import { readFlags, UsageError } from "./options.ts";
import { fixed, machineLines, table } from "./report.ts";
import { median } from "./stats.ts";

interface Params {
  buyers: number;
  units: number;
  concurrency: number;
  rounds: number;
}

const defaults: Params = { buyers: 600, units: 200, concurrency: 32, rounds: 2 };

function readParams(argv: readonly string[]): Params {
  const names = Object.keys(defaults) as (keyof Params)[];
  const flags = readFlags(argv, names);
  const params = { ...defaults };
  for (const name of names) {
    const raw = flags.get(name)?.at(-1);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new UsageError(`bench: --${name} must be a whole number from 1 to 100000 (got ${JSON.stringify(raw)})`);
    params[name] = value;
  }
  if (params.units > params.buyers) throw new UsageError("bench: --units must not exceed --buyers (the sale must sell out)");
  return params;
}

interface SaleResult {
  label: string;
  orders: number;
  soldOut: number;
  errors: number;
  seconds: number;
  rate: number;
  oversold: number;
  stockLeft: number;
  firstError: string | null;
}

/** Runs `task(i)` for i = 0 … n−1 with at most `concurrency` running at once. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, worker));
}

async function runSale(cluster: Cluster, runtime: Runtime, params: Params, label: string, targets: string[]): Promise<SaleResult> {
  const { skuId } = await clusterProduct(runtime, params.units);
  const buyers: ClusterBrowser[] = await signedInShoppers(cluster, runtime, params.buyers, "bench");
  const targetOf = (i: number) => targets[i % targets.length]!;
  await pool(buyers.length, params.concurrency, async (i) => {
    const page = await buyers[i]!.get(targetOf(i), `/checkout?sku=${skuId}&quantity=1`);
    if (page.status !== 200) throw new Error(`bench: the checkout page answered ${page.status}`);
  });

  let orders = 0;
  let soldOut = 0;
  let errors = 0;
  let firstError: string | null = null;
  let lastOrderAt = 0;
  const started = performance.now();
  await pool(buyers.length, params.concurrency, async (i) => {
    try {
      const response = await buyers[i]!.post(targetOf(i), "/checkout", checkoutForm(skuId));
      const body = await response.text();
      if (response.status === 303 && /\/orders\/ord_/.test(response.headers.get("location") ?? "")) {
        orders++;
        lastOrderAt = performance.now();
      } else if (response.status === 409) {
        soldOut++;
      } else {
        errors++;
        firstError ??= `HTTP ${response.status}: ${body.replace(/\s+/g, " ").slice(0, 200)}`;
      }
    } catch (error) {
      errors++;
      firstError ??= String(error);
    }
  });
  const seconds = (lastOrderAt - started) / 1000;
  const sold = await onPrimary(cluster, "SELECT coalesce(sum(quantity), 0) FROM order_items WHERE sku_id = ?", [skuId]);
  const stockLeft = await onPrimary(cluster, "SELECT stock FROM skus WHERE id = ?", [skuId]);
  return { label, orders, soldOut, errors, seconds, rate: orders / seconds, oversold: Math.max(0, sold - params.units), stockLeft, firstError };
}

let cluster: Cluster | undefined;
let runtime: Runtime | undefined;

async function cleanUp(): Promise<void> {
  runtime?.database.close();
  await cluster?.stop();
}

async function main(): Promise<number> {
  const params = readParams(process.argv.slice(2));
  for (const line of machineLines("the instances, sqld primary and replica, and this load generator are separate processes sharing these CPUs")) console.log(line);
  console.log(`flash sale: ${params.buyers} buyers, ${params.units} units, ${params.concurrency} checkouts in flight, ${params.rounds} round(s) of one instance, two, two through nginx`);
  const started = performance.now();
  cluster = await startCluster({ liveKit: false, syncFrom: process.env.BENCH_SYNC_FROM === "primary" ? "primary" : "replica" });
  runtime = await openClusterRuntime(cluster);
  console.log(`cluster started in ${fixed((performance.now() - started) / 1000, 1)} s: instances ${cluster.instances.map((i) => i.url).join(", ")}; writes to sqld primary ${cluster.primaryUrl}; embedded replicas sync from ${cluster.syncUrl === cluster.primaryUrl ? "the primary" : "the sqld replica"} ${cluster.syncUrl}\n`);

  const [a, b] = cluster.instances.map((instance) => instance.url) as [string, string];
  const sales = [["one instance (a)", [a]], ["two instances (a, b alternating)", [a, b]], ["two instances through nginx", [cluster.url]]] as const;
  const results: SaleResult[] = [];
  for (let round = 1; round <= params.rounds; round++) {
    for (const [label, targets] of sales) {
      const result = await runSale(cluster, runtime, params, label, [...targets]);
      results.push(result);
      console.log(`round ${round}, ${label}: ${result.orders} orders in ${fixed(result.seconds, 2)} s = ${fixed(result.rate, 1)} orders/s (${result.soldOut} sold out, ${result.errors} errors)`);
    }
  }

  const ratesOf = (label: string) => results.filter((r) => r.label === label).map((r) => r.rate);
  const [one, two, nginx] = sales.map(([label]) => median(ratesOf(label))) as [number, number, number];
  console.log("");
  for (const line of table([["sale", "orders/s (median)", "rounds"], ...sales.map(([label]) => [label, fixed(median(ratesOf(label)), 1), ratesOf(label).map((rate) => fixed(rate, 1)).join(", ")])], 1)) console.log(line);
  console.log(`\nratio two instances ÷ one: ${fixed(two / one, 2)} (through nginx: ${fixed(nginx / one, 2)})`);
  console.log(`load average after the run: ${loadavg().map((n) => n.toFixed(2)).join(" ")}`);

  const broken = results.filter((r) => r.oversold > 0 || r.stockLeft !== 0 || r.orders !== params.units || r.errors > 0);
  for (const r of broken) console.error(`bench: FAILED ${r.label}: ${r.orders} orders, oversold ${r.oversold}, stock left ${r.stockLeft}, ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ""}`);
  if (broken.length === 0) console.log(`invariants: every sale sold exactly ${params.units} units (read back from the primary), no oversold unit, no error answer`);
  return broken.length ? 1 : 0;
}

await runBench(main, cleanUp);
