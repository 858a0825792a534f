// `npm run bench:edge`: time to first byte of the product page on Bun (embedded database) and on the
// worker under `wrangler dev` (workerd) against a real sqld, and of a bare `SELECT 1` to that sqld over
// HTTP, all in one run; then the flash-sale rate across two app instances against one
// (bench/edge-cluster.ts, when the cluster's tools are installed).
//
//   npm run bench:edge -- --requests 200 --warmup 20
//
// Requests go one after another (TTFB, not throughput): fetch() resolves when the response headers
// arrive. Ratios are against the bare sqld query measured in the same run.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runBench } from "./interrupts.ts";
import { machineLines } from "./report.ts";
import { startServer, type BenchServer } from "./server-process.ts";
import { median, percentile } from "./stats.ts";
import { startSqld, type Sqld } from "../tests/fixtures/sqld.ts";
import { migrateAndSeedForWorker, startWorker, type Worker } from "../tests/fixtures/worker.ts";

interface Timing {
  name: string;
  samples: number[];
}

let bun: BenchServer | undefined;
let sqld: Sqld | undefined;
let worker: Worker | undefined;

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`bench:edge: --${name} must be a whole number ≥ 1`);
  return value;
}

async function ttfb(name: string, request: () => Promise<Response>, requests: number, warmup: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await (await request()).arrayBuffer();
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const response = await request();
    samples.push(performance.now() - started);
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
    await response.arrayBuffer();
  }
  return { name, samples };
}

async function productPath(baseUrl: string): Promise<string> {
  const html = await (await fetch(`${baseUrl}/`)).text();
  const path = /href="(\/products\/[A-Za-z0-9_-]+)"/.exec(html)?.[1];
  if (!path) throw new Error(`no product link on ${baseUrl}/`);
  return path;
}

const bareQuery = (url: string) => () =>
  fetch(`${url}/v2/pipeline`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ requests: [{ type: "execute", stmt: { sql: "SELECT 1" } }, { type: "close" }] }),
  });

function lines(timings: Timing[], baseline: Timing): string[] {
  const base = median(baseline.samples);
  const rows = timings.map((t) => {
    const sorted = [...t.samples].sort((a, b) => a - b);
    const p50 = median(t.samples);
    return `${t.name.padEnd(44)} ${p50.toFixed(2).padStart(8)} ${percentile(sorted, 90).toFixed(2).padStart(8)} ${percentile(sorted, 99).toFixed(2).padStart(8)}   ${(p50 / base).toFixed(2).padStart(6)}×`;
  });
  return [`${"time to first byte (ms)".padEnd(44)} ${"p50".padStart(8)} ${"p90".padStart(8)} ${"p99".padStart(8)}   ${"vs bare sqld".padStart(7)}`, ...rows];
}

async function main(): Promise<number> {
  const requests = flag("requests", 200);
  const warmup = flag("warmup", 20);
  console.log("bench:edge — product page TTFB on Bun (embedded) and workerd (sqld), bare sqld query");
  for (const line of machineLines("the servers, sqld and this client share these CPUs")) console.log(line);

  bun = startServer();
  sqld = await startSqld();
  await Promise.all([bun.ready(), migrateAndSeedForWorker(sqld.url)]);
  worker = await startWorker({ databaseUrl: sqld.url });

  const bunProduct = await productPath(bun.baseUrl);
  const workerProduct = await productPath(worker.baseUrl);
  const timings = [
    await ttfb("bare sqld query over HTTP (SELECT 1)", bareQuery(sqld.url), requests, warmup),
    await ttfb("product page, Bun + embedded database", () => fetch(`${bun!.baseUrl}${bunProduct}`), requests, warmup),
    await ttfb("product page, workerd (wrangler dev) + sqld", () => fetch(`${worker!.baseUrl}${workerProduct}`), requests, warmup),
  ];
  console.log(`${requests} sequential requests each after ${warmup} warm-up requests`);
  for (const line of lines(timings, timings[0]!)) console.log(line);
  const [bare, onBun, onWorker] = timings.map((t) => median(t.samples));
  console.log(`ratios: workerd+sqld / Bun embedded = ${(onWorker! / onBun!).toFixed(2)}; Bun embedded / bare sqld = ${(onBun! / bare!).toFixed(2)}`);

  await worker.stop();
  await bun.stop();
  await sqld.stop();
  worker = undefined;
  bun = undefined;
  sqld = undefined;

  console.log("\nflash-sale rate across two instances against one (bench/edge-cluster.ts):");
  const cluster = spawnSync(process.execPath, [join(import.meta.dir, "edge-cluster.ts")], { stdio: "inherit" });
  return cluster.status === 0 ? 0 : 1;
}

await runBench(main, async () => {
  await worker?.stop();
  await bun?.stop();
  await sqld?.stop();
});
