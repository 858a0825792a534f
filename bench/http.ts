// `npm run bench`: requests a second of the product page against the bare /healthz route of the same
// server, measured in one run by a separate load-generator process (bench/load.ts).
//
//   npm run bench -- --duration 3 --concurrency 32 --rounds 5 --warmup 1
//   BENCH_DURATION=… BENCH_CONCURRENCY=… BENCH_ROUNDS=… BENCH_WARMUP=… npm run bench
//
// Starts `bun src/server.ts` on a throw-away database with the demo data, finds a product on the home
// page, runs the load, prints a table and the ratio. Exits 1 if any response was not 2xx.
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { LoadReport, Target } from "./load-report.ts";
import { loadParams, paramFlags, paramsToArgs, readFlags, type LoadParams } from "./options.ts";
import { machineLines, paramLines, resultLines } from "./report.ts";
import { runBench } from "./interrupts.ts";
import { startServer, type BenchServer } from "./server-process.ts";

let server: BenchServer | undefined;
let loadProcess: Subprocess | undefined;

async function cleanUp(): Promise<void> {
  if (loadProcess && loadProcess.exitCode === null) loadProcess.kill();
  await server?.stop();
}

/** The path of the first product the home page links to, checked to answer 200. */
async function findProductPath(baseUrl: string): Promise<string> {
  const home = await fetch(`${baseUrl}/`);
  const html = await home.text();
  const path = /href="(\/products\/[A-Za-z0-9_-]+)"/.exec(html)?.[1];
  if (!home.ok || !path) throw new Error(`bench: no product link on the home page (HTTP ${home.status})`);
  const page = await fetch(baseUrl + path);
  await page.arrayBuffer();
  if (page.status !== 200) throw new Error(`bench: ${path} answered HTTP ${page.status}`);
  return path;
}

async function runLoadProcess(baseUrl: string, serverPid: number, targets: Target[], params: LoadParams): Promise<LoadReport> {
  const child = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "load.ts"),
      "--base",
      baseUrl,
      ...targets.flatMap((t) => ["--target", `${t.name}=${t.path}`]),
      "--server-pid",
      String(serverPid),
      ...paramsToArgs(params),
    ],
    { stdout: "pipe", stderr: "inherit" },
  );
  loadProcess = child;
  const stdout = await new Response(child.stdout).text();
  const code = await child.exited;
  if (code !== 0) throw new Error(`bench: the load generator exited with code ${code}`);
  const lastLine = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(lastLine) as LoadReport;
}

async function main(): Promise<number> {
  const params = loadParams(readFlags(process.argv.slice(2), paramFlags), process.env);
  for (const line of [...machineLines(), ...paramLines(params, 2)]) console.log(line);

  server = startServer();
  await server.ready();
  const baseline: Target = { name: "hello-world", path: "/healthz" };
  const subject: Target = { name: "product page", path: await findProductPath(server.baseUrl) };
  console.log(`server: ${server.description}`);
  console.log(`routes: ${baseline.name} GET ${baseline.path}, ${subject.name} GET ${subject.path}\n`);

  const report = await runLoadProcess(server.baseUrl, server.pid, [baseline, subject], params);
  const [baselineResult, subjectResult] = report.targets;
  if (!baselineResult || !subjectResult) throw new Error("bench: the load generator reported no figures");
  console.log("");
  for (const line of resultLines(report, baselineResult, subjectResult)) console.log(line);

  const errors = report.targets.reduce((sum, t) => sum + t.errors, 0);
  if (errors > 0) {
    console.error(`bench: FAILED — ${errors} requests got no 2xx response`);
    return 1;
  }
  return 0;
}

await runBench(main, cleanUp);
