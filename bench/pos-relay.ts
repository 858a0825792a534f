// `npm run bench:pos-relay`: the POS agent's two hot paths against the real server (`bun src/server.ts`).
//   1. Drain: 10,000 store transactions buffered in a paired device's outbox while the agent was not
//      running, then the agent (`bun modules/pos/agent/main.ts run`, a separate process) is started and
//      sends them in signed batches until its outbox is empty. Baseline in the same run: the same
//      10,000 transactions sent by this process straight from memory, in the same signed batches of the
//      same size, one after another, as a second device (no agent: no outbox reads, no acknowledgement
//      commits, no process start) — what the server's ingest alone allows, so the ratio is the share of
//      the server's ingest rate the agent achieves. The baseline runs in two halves, before and after
//      the agent's drain, so both see on average the same database size.
//   2. Tap latency: a till and a printer (this process) on socat pty pairs, the agent with the
//      escpos-tap driver between them; receipts written in 64-byte chunks at a steady pace, latency =
//      chunk written on the till's pty → its last byte read on the printer's pty. Baseline in the same
//      run: one pty pair, till → printer directly, same chunks, rounds alternating with the tap's.
// Exits 1 when a transaction is lost or counted twice, or the printer gets other bytes than the till sent.
//   options: --transactions N (10000)  --batch N (200, the agent's default)  --chunks N (2000 per path)
//            --chunk-bytes N (64)  --interval-ms N (5)  --rounds N (4)
import { Database as Sqlite } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openRuntime } from "./flash-sale-db.ts";
import { runBench } from "./interrupts.ts";
import { UsageError } from "./options.ts";
import { fixed, machineLines, percent, table } from "./report.ts";
import { startServer, type BenchServer } from "./server-process.ts";
import { processCpuSeconds } from "./cpu.ts";
import { startPtyPair, type PtyPair } from "../tests/fixtures/pty-pair.ts";
import { writeCredentials, type Credentials } from "../modules/pos/agent/credentials.ts";
import { Outbox } from "../modules/pos/agent/outbox.ts";
import type { ParsedTransaction } from "../modules/pos/agent/drivers/driver.ts";
import { signedHeaders, type IngestAnswer, type PairAnswer, type StoreTransaction } from "../modules/pos/protocol.ts";
import { measureTap, type TapReport } from "./pos-relay-tap.ts";

const AGENT_MAIN = join(import.meta.dir, "../modules/pos/agent/main.ts");
const INGEST_PATH = "/pos/v1/ingest";

interface Params {
  transactions: number;
  batch: number;
  chunks: number;
  chunkBytes: number;
  intervalMs: number;
  rounds: number;
}

function readParams(argv: string[]): Params {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        transactions: { type: "string", default: "10000" },
        batch: { type: "string", default: "200" },
        chunks: { type: "string", default: "2000" },
        "chunk-bytes": { type: "string", default: "64" },
        "interval-ms": { type: "string", default: "5" },
        rounds: { type: "string", default: "4" },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const int = (name: string, text: string, min: number, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer in ${min}…${max}, not ${text}`);
    return n;
  };
  const params = {
    transactions: int("transactions", values.transactions, 2, 1_000_000),
    batch: int("batch", values.batch, 1, 500),
    chunks: int("chunks", values.chunks, 10, 1_000_000),
    chunkBytes: int("chunk-bytes", values["chunk-bytes"], 1, 4096),
    intervalMs: int("interval-ms", values["interval-ms"], 0, 1000),
    rounds: int("rounds", values.rounds, 1, 100),
  };
  if (params.chunks % params.rounds !== 0) throw new UsageError(`--chunks (${params.chunks}) must be a multiple of --rounds (${params.rounds})`);
  return params;
}

// ---- state the clean-up needs ----
let server: BenchServer | undefined;
let dir: string | undefined;
const agents = new Set<Agent>();
const ptyPairs = new Set<PtyPair>();

async function cleanUp(): Promise<void> {
  for (const agent of agents) agent.proc.kill("SIGKILL");
  await Promise.all([...agents].map((agent) => agent.proc.exited));
  await Promise.all([...ptyPairs].map((pair) => pair.stop().catch(() => undefined)));
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

const seconds = (since: number) => (performance.now() - since) / 1000;

// ---- the agent as a child process ----
export interface Agent {
  proc: ReturnType<typeof Bun.spawn>;
  /** Its stderr so far. */
  output: { text: string };
  /** Resolves when stderr has a line matching `pattern`; rejects if the agent exits first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<number>;
}

export function spawnAgent(config: string): Agent {
  const proc = Bun.spawn([process.execPath, AGENT_MAIN, "run", "--config", config], {
    stdout: "ignore",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), BROADCART_AGENT_CONFIG: "" },
  });
  const output = { text: "" };
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) output.text = (output.text + decoder.decode(chunk, { stream: true })).slice(-20_000);
  })().catch(() => undefined);
  const agent: Agent = {
    proc,
    output,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output.text)) {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`bench: the agent exited (${proc.exitCode ?? proc.signalCode}) before ${pattern}:\n${output.text.trim()}`);
        if (Date.now() > deadline) throw new Error(`bench: the agent did not log ${pattern} within ${timeoutMs} ms:\n${output.text.trim()}`);
        await Bun.sleep(2);
      }
    },
    async stop() {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
  agents.add(agent);
  void proc.exited.then(() => agents.delete(agent));
  return agent;
}

// ---- setup through the app's services and the pairing route ----
interface Sku {
  code: string;
  priceFen: number;
}

async function prepare(bench: BenchServer, devices: number): Promise<{ storeId: string; codes: string[]; skus: Sku[] }> {
  const runtime = await openRuntime(bench.settings);
  try {
    const owner = await runtime.services.accounts.findByEmail("owner@demo.broadcart.test");
    if (!owner) throw new Error("bench: the demo owner is missing (the server seeds it with DEMO_DATA=auto)");
    const codes: string[] = [];
    let storeId = "";
    for (let i = 0; i < devices; i += 1) {
      const created = await runtime.services.pos.createDevice(owner.id, `bench till ${i + 1}`);
      codes.push(created.code);
    }
    const store = await runtime.services.pos.devices(owner.id);
    storeId = store.store.id;
    const rows = await runtime.database.client.execute({
      sql: "SELECT s.code, s.price_fen FROM skus s JOIN products p ON p.id = s.product_id WHERE p.store_id = ? ORDER BY s.code",
      args: [storeId],
    });
    const skus = rows.rows.map((row) => ({ code: String(row[0]), priceFen: Number(row[1]) }));
    if (skus.length === 0) throw new Error("bench: the demo store has no SKUs");
    return { storeId, codes, skus };
  } finally {
    runtime.database.close();
  }
}

async function pair(baseUrl: string, code: string, name: string): Promise<PairAnswer> {
  const response = await fetch(`${baseUrl}/pos/v1/pair`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify({ code, name }) });
  if (response.status !== 200) throw new Error(`bench: pairing ${code} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as PairAnswer;
}

/** A deterministic mix: 1–4 lines of the demo store's SKUs at their prices, every 20th a refund. */
function transactionsFor(skus: Sku[], n: number): ParsedTransaction[] {
  const payments = ["wechat", "alipay", "cash", null];
  const start = Date.now() - n * 1000;
  return Array.from({ length: n }, (_, i) => {
    const lines = Array.from({ length: 1 + (i % 4) }, (_, j) => {
      const sku = skus[(i * 7 + j * 13) % skus.length]!;
      return { code: sku.code, quantity: 1 + ((i + j) % 3), unitPriceFen: sku.priceFen };
    });
    return {
      kind: i % 20 === 19 ? ("refund" as const) : ("sale" as const),
      receiptNo: `BENCH-${String(i + 1).padStart(6, "0")}`,
      at: new Date(start + i * 1000).toISOString(),
      lines,
      totalFen: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceFen, 0),
      currency: "CNY",
      payment: payments[i % payments.length]!,
    };
  });
}

/** The baseline: signed batches straight from memory, one in flight at a time, as the relay sends them. */
async function sendDirect(baseUrl: string, device: PairAnswer, transactions: StoreTransaction[], batch: number): Promise<{ seconds: number; requests: number; serverCpu: number | null }> {
  const cpu0 = processCpuSeconds(server!.pid);
  const started = performance.now();
  let requests = 0;
  for (let i = 0; i < transactions.length; i += batch) {
    const slice = transactions.slice(i, i + batch);
    const body = JSON.stringify({ deviceId: device.deviceId, transactions: slice });
    const headers = await signedHeaders(device.deviceId, device.secret, "POST", INGEST_PATH, body);
    const response = await fetch(`${baseUrl}${INGEST_PATH}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
    const text = await response.text();
    requests += 1;
    if (response.status !== 200) throw new Error(`bench: direct ingest answered ${response.status}: ${text.slice(0, 300)}`);
    const answer = JSON.parse(text) as IngestAnswer;
    if (answer.acknowledged.length !== slice.length) throw new Error(`bench: direct ingest acknowledged ${answer.acknowledged.length} of ${slice.length}`);
  }
  const elapsed = seconds(started);
  const cpu1 = processCpuSeconds(server!.pid);
  return { seconds: elapsed, requests, serverCpu: cpu0 === null || cpu1 === null ? null : (cpu1 - cpu0) / elapsed };
}

function pendingIn(outboxPath: string): number {
  const db = new Sqlite(outboxPath, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

interface ServerCounts {
  transactions: number;
  distinctSequences: number;
  maxSequence: number;
  orders: number;
  recorded: number;
  requests: number;
}

/** Read with bun:sqlite, read-only, from the server's own database file (WAL: the server keeps running). */
function serverCounts(databaseUrl: string, deviceId: string): ServerCounts {
  const db = new Sqlite(databaseUrl.replace(/^file:/, ""), { readonly: true });
  try {
    const one = (sql: string) => Number(Object.values(db.query(sql).get(deviceId) as Record<string, unknown>)[0] ?? 0);
    return {
      transactions: one("SELECT count(*) FROM pos_transactions WHERE device_id = ?1"),
      distinctSequences: one("SELECT count(DISTINCT sequence) FROM pos_transactions WHERE device_id = ?1"),
      maxSequence: one("SELECT coalesce(max(sequence), 0) FROM pos_transactions WHERE device_id = ?1"),
      orders: one("SELECT count(*) FROM orders WHERE channel = 'store' AND idempotency_key LIKE 'pos:' || ?1 || ':%'"),
      recorded: one("SELECT count(*) FROM pos_transactions WHERE device_id = ?1 AND status = 'recorded'"),
      requests: one("SELECT count(*) FROM pos_nonces WHERE device_id = ?1"),
    };
  } finally {
    db.close();
  }
}

interface DrainReport {
  fillSeconds: number;
  startupSeconds: number;
  seconds: number;
  requests: number;
  serverCpu: number | null;
  agentCpu: number | null;
  agentExit: number;
}

async function drain(params: Params, config: string, outboxPath: string, deviceId: string): Promise<DrainReport> {
  const spawned = performance.now();
  const agent = spawnAgent(config);
  await agent.waitFor(/running as device/, 30_000);
  // The relay sends its first batch just before that line; the clock starts at the line.
  const started = performance.now();
  const serverCpu0 = processCpuSeconds(server!.pid);
  const agentCpu0 = processCpuSeconds(agent.proc.pid);
  const startupSeconds = (started - spawned) / 1000;
  const deadline = Date.now() + 600_000;
  while (pendingIn(outboxPath) > 0) {
    if (agent.proc.exitCode !== null) throw new Error(`bench: the agent exited with ${agent.proc.exitCode} during the drain:\n${agent.output.text.trim()}`);
    if (Date.now() > deadline) throw new Error(`bench: the outbox did not drain within 600 s:\n${agent.output.text.trim()}`);
    await Bun.sleep(5);
  }
  const elapsed = seconds(started);
  const serverCpu1 = processCpuSeconds(server!.pid);
  const agentCpu1 = processCpuSeconds(agent.proc.pid);
  const requests = serverCounts(server!.settings.databaseUrl, deviceId).requests;
  const agentExit = await agent.stop();
  return {
    fillSeconds: 0,
    startupSeconds,
    seconds: elapsed,
    requests,
    serverCpu: serverCpu0 === null || serverCpu1 === null ? null : (serverCpu1 - serverCpu0) / elapsed,
    agentCpu: agentCpu0 === null || agentCpu1 === null ? null : (agentCpu1 - agentCpu0) / elapsed,
    agentExit,
  };
}

async function main(): Promise<number> {
  const params = readParams(process.argv.slice(2));
  for (const line of machineLines("the server, the agent and this bench (direct baseline, till and printer) are separate Bun processes sharing these CPUs")) console.log(line);
  console.log(
    `parameters: ${params.transactions} transactions, batches of ${params.batch}; tap: ${params.chunks} chunks of ${params.chunkBytes} B per path every ${params.intervalMs} ms (≈ ${fixed((params.chunkBytes * 10 * 1000) / Math.max(1, params.intervalMs), 0)} baud), ${params.rounds} rounds per path, alternating`,
  );
  dir = mkdtempSync(join(tmpdir(), "broadcart-pos-relay-"));

  let started = performance.now();
  server = startServer();
  await server.ready();
  console.log(`server: ${server.description}`);
  console.log(`        started in ${fixed(seconds(started), 1)} s`);

  const { codes, skus } = await prepare(server, 2);
  const agentDevice = await pair(server.baseUrl, codes[0]!, "bench agent");
  const directDevice = await pair(server.baseUrl, codes[1]!, "bench direct");
  const credentials: Credentials = { deviceId: agentDevice.deviceId, secret: agentDevice.secret, storeId: String(agentDevice.storeId), server: server.baseUrl, pairedAt: new Date().toISOString() };
  writeCredentials(join(dir, "device.json"), credentials);
  writeFileSync(join(dir, "till.jsonl"), "");
  const drainConfig = join(dir, "agent-drain.json");
  writeFileSync(drainConfig, JSON.stringify({ server: server.baseUrl, credentials: "device.json", outbox: "outbox.db", driver: { type: "jsonl", file: "till.jsonl" }, relay: { batchSize: params.batch, baseDelayMs: 50, maxDelayMs: 1_000 } }));
  const outboxPath = join(dir, "outbox.db");
  console.log(`devices: ${agentDevice.deviceId} (agent), ${directDevice.deviceId} (direct baseline), demo store ${agentDevice.storeId}, ${skus.length} SKUs`);

  // The outbox filled while no agent runs: one commit for all (each append would be its own fsync otherwise).
  const parsed = transactionsFor(skus, params.transactions);
  started = performance.now();
  const outbox = new Outbox(outboxPath);
  try {
    outbox.bindDevice(agentDevice.deviceId);
    outbox.db.transaction(() => {
      for (const t of parsed) outbox.append(t);
    }).immediate();
  } finally {
    outbox.close();
  }
  const fillSeconds = seconds(started);
  if (pendingIn(outboxPath) !== params.transactions) throw new Error("bench: the outbox does not hold every transaction");
  console.log(`outbox filled (untimed for the figures): ${params.transactions} transactions in ${fixed(fillSeconds, 2)} s, one commit\n`);

  // Baseline half 1, the agent's drain, baseline half 2.
  const direct: StoreTransaction[] = parsed.map((t, i) => ({ sequence: i + 1, ...t }));
  const half = Math.ceil(direct.length / 2 / params.batch) * params.batch;
  const before = await sendDirect(server.baseUrl, directDevice, direct.slice(0, half), params.batch);
  const drained = await drain(params, drainConfig, outboxPath, agentDevice.deviceId);
  drained.fillSeconds = fillSeconds;
  const after = await sendDirect(server.baseUrl, directDevice, direct.slice(half), params.batch);

  const agentCounts = serverCounts(server.settings.databaseUrl, agentDevice.deviceId);
  const directCounts = serverCounts(server.settings.databaseUrl, directDevice.deviceId);

  // Tap latency: the agent (same device, empty outbox) with the escpos-tap driver between two pty pairs.
  const tap = await measureTap({
    params,
    dir,
    server: server.baseUrl,
    databaseUrl: server.settings.databaseUrl,
    deviceId: agentDevice.deviceId,
    startPair: async (name) => {
      const pair = await startPtyPair(name);
      ptyPairs.add(pair);
      return pair;
    },
    spawnAgent,
  });

  const directSeconds = before.seconds + after.seconds;
  const directRequests = before.requests + after.requests;
  const directRate = params.transactions / directSeconds;
  const agentRate = params.transactions / drained.seconds;
  const directCpu = before.serverCpu === null || after.serverCpu === null ? null : (before.serverCpu * before.seconds + after.serverCpu * after.seconds) / directSeconds;

  const checks = [
    { ok: agentCounts.transactions === params.transactions && agentCounts.distinctSequences === params.transactions && agentCounts.maxSequence === params.transactions, text: `agent: ${agentCounts.transactions} transactions on the server (${agentCounts.distinctSequences} distinct sequences, highest ${agentCounts.maxSequence}), expected ${params.transactions}` },
    { ok: agentCounts.orders === agentCounts.recorded && agentCounts.recorded === params.transactions, text: `agent: ${agentCounts.orders} store orders, ${agentCounts.recorded} transactions recorded (all codes known), expected ${params.transactions}` },
    { ok: directCounts.transactions === params.transactions && directCounts.orders === params.transactions, text: `direct: ${directCounts.transactions} transactions, ${directCounts.orders} store orders, expected ${params.transactions}` },
    { ok: drained.agentExit === 0, text: `agent (drain) exited with ${drained.agentExit} on SIGTERM` },
    ...tap.checks,
  ];

  console.log("drain after reconnect (server reachable again, outbox full):");
  console.log(
    table([
      ["path", "transactions", "requests", "seconds", "tx/s", "batches/s", "server CPU", "agent CPU"],
      ["agent outbox → relay", String(params.transactions), String(drained.requests), fixed(drained.seconds, 2), fixed(agentRate, 0), fixed(drained.requests / drained.seconds, 1), percent(drained.serverCpu), percent(drained.agentCpu)],
      ["direct (baseline)", String(params.transactions), String(directRequests), fixed(directSeconds, 2), fixed(directRate, 0), fixed(directRequests / directSeconds, 1), percent(directCpu), "–"],
    ], 1).map((line) => `  ${line}`).join("\n"),
  );
  console.log(`  baseline halves: ${fixed(half / before.seconds, 0)} tx/s before the drain, ${fixed((params.transactions - half) / after.seconds, 0)} tx/s after it`);
  console.log(`  agent: ${fixed(drained.startupSeconds, 2)} s from spawn to "running" (not counted); requests counted from the server's nonces (retries included)`);
  console.log(`  ratio agent tx/s ÷ direct tx/s: ${fixed(agentRate / directRate, 3)} (the agent drains at ${percent(agentRate / directRate)} of what the server's ingest takes from a client with nothing to read or commit)`);
  console.log("  CPU is the share of one core during the phase.\n");

  console.log("tap latency (chunk written on the till's pty → last byte read on the printer's pty):");
  console.log(table(tap.header.length ? [tap.header, ...tap.rows] : [["–"]], 1).map((line) => `  ${line}`).join("\n"));
  for (const line of tap.lines) console.log(`  ${line}`);
  console.log("");
  console.log("invariants:");
  for (const check of checks) console.log(`  ${check.ok ? "ok  " : "FAIL"} ${check.text}`);
  console.log(`\nload average after the run: ${loadavg().map((n) => n.toFixed(2)).join(" ")}`);
  return checks.every((check) => check.ok) ? 0 : 1;
}

export type { TapReport };

if (import.meta.main) await runBench(main, cleanUp);
