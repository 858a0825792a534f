// bench/pos-relay.ts's second half: the latency the escpos-tap agent adds between a till and its printer.
// The till and the printer are this process, on socat pty pairs; the agent (`bun modules/pos/agent/main.ts
// run` with the escpos-tap driver) sits between them. Baseline: one pty pair, till → printer directly.
import { Database as Sqlite } from "bun:sqlite";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SerialPortStream } from "@serialport/stream";
import { fixtureReceipt, receiptBytes } from "../modules/pos/agent/drivers/escpos-fixtures.ts";
import { openSerialPort } from "../modules/pos/agent/serial/port.ts";
import type { PtyPair } from "../tests/fixtures/pty-pair.ts";
import type { Agent } from "./pos-relay.ts";
import { fixed } from "./report.ts";
import { percentile, Samples } from "./stats.ts";

export interface TapReport {
  header: string[];
  rows: string[][];
  lines: string[];
  checks: { ok: boolean; text: string }[];
}

interface TapInput {
  params: { chunks: number; chunkBytes: number; intervalMs: number; rounds: number };
  dir: string;
  server: string;
  /** The server's database URL, to count the receipts the tap turned into transactions. */
  databaseUrl: string;
  deviceId: string;
  startPair(name: string): Promise<PtyPair>;
  spawnAgent(config: string): Agent;
}

/** One till → printer path: what was written, when, and what arrived. */
class Path {
  readonly latency = new Samples();
  private readonly received: Buffer[] = [];
  receivedBytes = 0;
  sentBytes = 0;
  private readonly queue: { end: number; at: number }[] = [];
  private head = 0;

  constructor(
    readonly name: string,
    private readonly till: SerialPortStream,
    printer: SerialPortStream,
    private readonly stream: Buffer,
  ) {
    printer.on("data", (chunk: Buffer) => {
      const now = performance.now();
      this.received.push(chunk);
      this.receivedBytes += chunk.length;
      while (this.head < this.queue.length && this.queue[this.head]!.end <= this.receivedBytes) {
        this.latency.push(now - this.queue[this.head]!.at);
        this.head += 1;
      }
    });
  }

  /** Writes `count` chunks at a steady pace, then waits until the printer side has them all. */
  async round(count: number, chunkBytes: number, intervalMs: number, record = true): Promise<void> {
    const start = performance.now();
    for (let k = 0; k < count; k += 1) {
      const due = start + k * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const chunk = this.stream.subarray(this.sentBytes, this.sentBytes + chunkBytes);
      if (chunk.length === 0) throw new Error("bench: the receipt stream is too short");
      this.sentBytes += chunk.length;
      if (record) this.queue.push({ end: this.sentBytes, at: performance.now() });
      this.till.write(chunk);
    }
    const deadline = Date.now() + 15_000;
    while (this.receivedBytes < this.sentBytes) {
      if (Date.now() > deadline) throw new Error(`bench: ${this.name}: ${this.receivedBytes} of ${this.sentBytes} bytes reached the printer side`);
      await Bun.sleep(1);
    }
    if (!record) {
      // warm-up bytes are not measured
      this.queue.length = 0;
      this.head = 0;
    }
  }

  bytesMatch(): boolean {
    return Buffer.concat(this.received).equals(this.stream.subarray(0, this.sentBytes));
  }
}

async function open(path: string, ports: SerialPortStream[]): Promise<SerialPortStream> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const port = await openSerialPort({ path, baudRate: 115_200, lock: false });
      ports.push(port);
      return port;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await Bun.sleep(20);
    }
  }
}

function closePort(port: SerialPortStream): Promise<void> {
  return port.isOpen ? new Promise((resolve) => port.close(() => resolve())) : Promise.resolve();
}

function storedReceipts(databaseUrl: string, deviceId: string): number {
  const db = new Sqlite(databaseUrl.replace(/^file:/, ""), { readonly: true });
  try {
    return Number(Object.values(db.query("SELECT count(*) FROM pos_transactions WHERE device_id = ?1 AND receipt_no LIKE 'S%'").get(deviceId) as Record<string, unknown>)[0]);
  } finally {
    db.close();
  }
}

export async function measureTap(input: TapInput): Promise<TapReport> {
  const { params } = input;
  const perRound = params.chunks / params.rounds;
  const warmupChunks = 50;
  const needed = (params.chunks + warmupChunks) * params.chunkBytes;
  const receipts: Buffer[] = [];
  const ends: number[] = [];
  let length = 0;
  for (let n = 0; length < needed; n += 1) {
    const bytes = Buffer.from(receiptBytes(fixtureReceipt(n)));
    receipts.push(bytes);
    length += bytes.length;
    ends.push(length);
  }
  const stream = Buffer.concat(receipts);

  const tillPair = await input.startPair("till"); // a: till, b: agent
  const printerPair = await input.startPair("printer"); // a: agent, b: printer
  const directPair = await input.startPair("direct"); // a: till, b: printer
  const config = join(input.dir, "agent-tap.json");
  writeFileSync(
    config,
    JSON.stringify({
      server: input.server,
      credentials: "device.json",
      outbox: "outbox.db",
      driver: { type: "escpos-tap", serial: { path: tillPair.b, baudRate: 115_200, lock: false }, printer: { path: printerPair.a, baudRate: 115_200, lock: false } },
      relay: { baseDelayMs: 50, maxDelayMs: 1_000 },
    }),
  );
  const agent = input.spawnAgent(config);
  const ports: SerialPortStream[] = [];
  try {
    await agent.waitFor(/running as device/, 30_000);
    const tapPath = new Path("tap", await open(tillPair.a, ports), await open(printerPair.b, ports), stream);
    const directPath = new Path("direct", await open(directPair.a, ports), await open(directPair.b, ports), stream);
    // Warm-up (not measured): the agent's ports open, the JIT warms.
    await tapPath.round(warmupChunks, params.chunkBytes, params.intervalMs, false);
    await directPath.round(warmupChunks, params.chunkBytes, params.intervalMs, false);
    const started = performance.now();
    for (let r = 0; r < params.rounds; r += 1) {
      for (const path of r % 2 === 0 ? [directPath, tapPath] : [tapPath, directPath]) await path.round(perRound, params.chunkBytes, params.intervalMs);
    }
    const measureSeconds = (performance.now() - started) / 1000;

    // The receipts the tap saw whole become transactions on the server (unknown fixture codes: kept as mismatches).
    const complete = ends.filter((end) => end <= tapPath.sentBytes).length;
    const deadline = Date.now() + 20_000;
    let stored = storedReceipts(input.databaseUrl, input.deviceId);
    while (stored < complete && Date.now() < deadline) {
      await Bun.sleep(50);
      stored = storedReceipts(input.databaseUrl, input.deviceId);
    }
    const agentExit = await agent.stop();

    const direct = directPath.latency.sorted();
    const tap = tapPath.latency.sorted();
    const row = (name: string, s: Float64Array) => [name, String(s.length), fixed(percentile(s, 50), 3), fixed(percentile(s, 90), 3), fixed(percentile(s, 99), 3), fixed(s[s.length - 1] ?? Number.NaN, 3)];
    const added = (p: number) => percentile(tap, p) - percentile(direct, p);
    return {
      header: ["path", "chunks", "p50 ms", "p90 ms", "p99 ms", "max ms"],
      rows: [row("direct pty pair (baseline)", direct), row("till → agent tap → printer", tap)],
      lines: [
        `added by the tap: p50 +${fixed(added(50), 3)} ms, p99 +${fixed(added(99), 3)} ms, max +${fixed((tap[tap.length - 1] ?? 0) - (direct[direct.length - 1] ?? 0), 3)} ms`,
        `ratio tap ÷ direct: p50 ${fixed(percentile(tap, 50) / percentile(direct, 50), 2)}×, p99 ${fixed(percentile(tap, 99) / percentile(direct, 99), 2)}×`,
        `${params.rounds} rounds per path, alternating, ${fixed(measureSeconds, 1)} s; ${tapPath.sentBytes} B through each path (${warmupChunks} warm-up chunks not counted); the tap path crosses two pty pairs and the agent process`,
        `the agent parsed ${stored} of the ${complete} whole receipts it forwarded into transactions on the server`,
      ],
      checks: [
        { ok: tapPath.bytesMatch(), text: `tap: the printer side got the till's ${tapPath.sentBytes} bytes unchanged and in order (${tapPath.receivedBytes} received)` },
        { ok: directPath.bytesMatch(), text: `direct: the printer side got the till's ${directPath.sentBytes} bytes unchanged (${directPath.receivedBytes} received)` },
        { ok: stored === complete, text: `tap: ${stored} of ${complete} whole receipts became transactions on the server` },
        { ok: agentExit === 0, text: `agent (tap) exited with ${agentExit} on SIGTERM` },
      ],
    };
  } finally {
    await Promise.all(ports.map(closePort));
    if (agent.proc.exitCode === null) await agent.stop();
  }
}
