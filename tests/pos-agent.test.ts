// The POS agent (modules/pos/agent) as merchants run it: a child process `bun modules/pos/agent/main.ts`
// talking HTTP to the real app served by Bun.serve. Pairing writes a 0600 credentials file; lines of a
// jsonl file go through the outbox and the signed relay into store sales; kill -9 in the middle of a
// burst loses nothing and counts nothing twice; a server that is down during the burst gets
// everything once when it is back; the outbox survives a restart.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Outbox } from "../modules/pos/agent/outbox.ts";
import { backoffDelay } from "../modules/pos/agent/relay.ts";
import { createJsonlDriver, parseTransactionLine } from "../modules/pos/agent/drivers/jsonl.ts";
import type { ParsedTransaction } from "../modules/pos/agent/drivers/driver.ts";
import { scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { pairingCode, skuCode as codeOf, staffClient } from "./fixtures/pos.ts";
import { startPtyPair } from "./fixtures/pty-pair.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";
import { waitFor as waitUntil } from "./fixtures/wait.ts";

const MAIN = join(import.meta.dir, "../modules/pos/agent/main.ts");
let app: TestApp;
let staff: TestClient;
let server: ReturnType<typeof Bun.serve>;
let port = 0;
let dir = "";
const children = new Set<Agent>();

function serve(onPort = 0) {
  server = Bun.serve({ port: onPort, hostname: "127.0.0.1", fetch: (request) => app.app.fetch(request) });
  port = server.port!;
}

beforeAll(async () => {
  app = await startTestApp();
  staff = await staffClient(app);
  dir = mkdtempSync(join(tmpdir(), "broadcart-agent-"));
  serve();
}, 60_000);

afterAll(async () => {
  for (const child of children) child.proc.kill("SIGKILL");
  await server?.stop(true);
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = (condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) => waitUntil(condition, timeoutMs, what, 25);

interface Agent {
  proc: ReturnType<typeof Bun.spawn>;
  stderr: Promise<string>;
}

function agent(args: string[]): Agent {
  const proc = Bun.spawn([process.execPath, MAIN, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, BROADCART_AGENT_CONFIG: "" } });
  const stderr = new Response(proc.stderr as ReadableStream).text();
  const child = { proc, stderr };
  children.add(child);
  void proc.exited.then(() => children.delete(child));
  return child;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = agent(args);
  const [code, stdout, stderr] = await Promise.all([child.proc.exited, new Response(child.proc.stdout as ReadableStream).text(), child.stderr]);
  return { code, stdout, stderr };
}

/** A paired device with its own folder, config and jsonl file. */
async function device(name: string, relay: Record<string, number> = {}) {
  const home = mkdtempSync(join(dir, `${name}-`));
  const config = join(home, "agent.json");
  const file = join(home, "till.jsonl");
  writeFileSync(config, JSON.stringify({ server: `http://127.0.0.1:${port}`, credentials: "device.json", outbox: "outbox.db", driver: { type: "jsonl", file: "till.jsonl", pollIntervalMs: 20 }, relay: { baseDelayMs: 50, maxDelayMs: 500, ...relay } }));
  const paired = await cli(["pair", await pairingCode(staff, name), "--server", `http://127.0.0.1:${port}`, "--config", config, "--name", name]);
  expect(paired.stderr).toBe("");
  expect(paired.code).toBe(0);
  const credentials = JSON.parse(readFileSync(join(home, "device.json"), "utf8")) as { deviceId: string; secret: string };
  return { home, config, file, outbox: join(home, "outbox.db"), deviceId: credentials.deviceId, credentials };
}

const skuCode = (skuId: string) => codeOf(app, skuId);

function line(receiptNo: string, code: string, quantity = 1, unitPriceFen = 100): string {
  return `${JSON.stringify({ receiptNo, at: new Date().toISOString(), lines: [{ code, quantity, unitPriceFen }], totalFen: quantity * unitPriceFen, currency: "CNY", payment: "cash" })}\n`;
}

const stored = (deviceId: string) => scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ?", [deviceId]);

function outboxPending(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM outbox").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function stopAgent(child: Agent): Promise<number> {
  child.proc.kill("SIGTERM");
  return child.proc.exited;
}

describe("agent pairing", () => {
  it("pair writes the device id and secret to a file only the user can read; a group-readable file is refused", async () => {
    const d = await device("till-pair");
    expect(d.deviceId).toMatch(/^dev_/);
    expect(d.credentials.secret.length).toBeGreaterThanOrEqual(40);
    expect(statSync(join(d.home, "device.json")).mode & 0o777).toBe(0o600);

    const again = await cli(["pair", "AAAA-BBBB", "--server", `http://127.0.0.1:${port}`, "--config", d.config]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already holds a paired device");
    const refused = await cli(["pair", "AAAA-BBBB", "--server", `http://127.0.0.1:${port}`, "--credentials", join(d.home, "other.json")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("pairing code refused");

    chmodSync(join(d.home, "device.json"), 0o644);
    const run = await cli(["run", "--config", d.config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("readable by group or others");
    chmodSync(join(d.home, "device.json"), 0o600);
  }, 60_000);

  it("a bad config is one line on stderr and exit 1", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ server: "http://x", driver: { type: "jsonl" } }));
    const result = await cli(["status", "--config", bad]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("driver jsonl needs exactly one of file or serial");
    const missing = await cli(["run", "--config", join(dir, "nope.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no such file");
  });
});

describe("agent run", () => {
  it("jsonl file → outbox → signed relay → store sales; a bad line is kept as rejected; status reports it", async () => {
    const d = await device("till-basic");
    const { skuId } = await testProduct(app, { priceFen: 100, stock: 20 });
    const code = await skuCode(skuId);
    writeFileSync(d.file, line("B-1", code, 2) + "not json\n" + line("B-2", code, 3));
    const child = agent(["run", "--config", d.config]);
    await waitFor(async () => (await stored(d.deviceId)) === 2, 20_000, "2 receipts on the server");
    expect(await skuStock(app, skuId)).toBe(15);
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE channel = 'store' AND idempotency_key LIKE ?", [`pos:${d.deviceId}:%`])).toBe(2);
    await waitFor(() => outboxPending(d.outbox) === 0, 5_000, "empty outbox");
    const status = await cli(["status", "--config", d.config]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`device: ${d.deviceId}`);
    expect(status.stdout).toContain("pending: 0");
    expect(status.stdout).toContain("rejected: 1");
    expect(status.stdout).toMatch(/last ack: \d{4}-/);
    expect(await stopAgent(child)).toBe(0);
    expect(await child.stderr).toContain("rejected a line");
    // Restarted, it does not read the file again.
    const again = agent(["run", "--config", d.config]);
    appendFileSync(d.file, line("B-3", code, 1));
    await waitFor(async () => (await stored(d.deviceId)) === 3, 20_000, "the third receipt");
    await Bun.sleep(300);
    expect(await stored(d.deviceId)).toBe(3);
    expect(await skuStock(app, skuId)).toBe(14);
    expect(await stopAgent(again)).toBe(0);
  }, 60_000);

  it("kill -9 in the middle of a burst of 500 (three times), then restart: 0 lost, 0 duplicated on the server", async () => {
    const d = await device("till-kill");
    const { skuId } = await testProduct(app, { priceFen: 100, stock: 10_000 });
    const code = await skuCode(skuId);
    const started = performance.now();
    let child = agent(["run", "--config", d.config]);
    let written = 0;
    const writer = (async () => {
      for (let i = 1; i <= 500; i += 1) {
        appendFileSync(d.file, line(`K-${i}`, code));
        written = i;
        if (i % 5 === 0) await Bun.sleep(3);
      }
    })();
    const kills: string[] = [];
    for (const threshold of [1, 120, 260]) {
      await waitFor(async () => (await stored(d.deviceId)) >= threshold, 30_000, `${threshold} receipts on the server`);
      child.proc.kill("SIGKILL");
      await child.proc.exited;
      kills.push(`${written} written/${await stored(d.deviceId)} on server`);
      child = agent(["run", "--config", d.config]);
    }
    await writer;
    await waitFor(async () => (await stored(d.deviceId)) >= 500, 60_000, "500 receipts on the server");
    await waitFor(() => outboxPending(d.outbox) === 0, 10_000, "empty outbox");
    await Bun.sleep(300);
    const elapsed = performance.now() - started;
    expect(await stored(d.deviceId)).toBe(500);
    expect(await scalar(app, "SELECT count(DISTINCT receipt_no) FROM pos_transactions WHERE device_id = ?", [d.deviceId])).toBe(500);
    expect(await scalar(app, "SELECT max(sequence) FROM pos_transactions WHERE device_id = ?", [d.deviceId])).toBe(500);
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE channel = 'store' AND idempotency_key LIKE ?", [`pos:${d.deviceId}:%`])).toBe(500);
    expect(await skuStock(app, skuId)).toBe(10_000 - 500);
    expect(await stopAgent(child)).toBe(0);
    console.log(`kill -9 burst: killed at ${kills.join(", ")}; all 500 once after the last restart, ${Math.round(elapsed)} ms in all`);
  }, 120_000);

  it("server down during the burst, up again later on the same port: everything arrives once", async () => {
    const d = await device("till-offline");
    const { skuId } = await testProduct(app, { priceFen: 100, stock: 1_000 });
    const code = await skuCode(skuId);
    const child = agent(["run", "--config", d.config]);
    appendFileSync(d.file, line("O-0", code));
    await waitFor(async () => (await stored(d.deviceId)) === 1, 20_000, "the first receipt");
    const samePort = port;
    await server.stop(true);
    for (let i = 1; i <= 200; i += 1) {
      appendFileSync(d.file, line(`O-${i}`, code));
      if (i % 20 === 0) await Bun.sleep(5);
    }
    await waitFor(() => outboxPending(d.outbox) === 200, 20_000, "200 waiting in the outbox");
    await Bun.sleep(1_000); // several failed attempts with backoff
    expect(await stored(d.deviceId)).toBe(1);
    const back = performance.now();
    serve(samePort);
    expect(port).toBe(samePort);
    await waitFor(async () => (await stored(d.deviceId)) >= 201, 30_000, "201 receipts on the server");
    const recovered = performance.now() - back;
    await waitFor(() => outboxPending(d.outbox) === 0, 10_000, "empty outbox");
    await Bun.sleep(300);
    expect(await stored(d.deviceId)).toBe(201);
    expect(await scalar(app, "SELECT count(DISTINCT receipt_no) FROM pos_transactions WHERE device_id = ?", [d.deviceId])).toBe(201);
    expect(await skuStock(app, skuId)).toBe(1_000 - 201);
    expect(await stopAgent(child)).toBe(0);
    expect(await child.stderr).toContain("server reachable again");
    console.log(`server down: 200 waited in the outbox; all delivered ${Math.round(recovered)} ms after the server came back`);
  }, 90_000);

  it("a revoked device: the agent stops with one clear line and exit 3, keeping what it has not sent", async () => {
    const d = await device("till-revoked");
    const { skuId } = await testProduct(app, { priceFen: 100, stock: 10 });
    await staff.get("/merchant/pos");
    expect((await staff.post(`/merchant/pos/devices/${d.deviceId}/revoke`)).status).toBe(303);
    writeFileSync(d.file, line("R-1", await skuCode(skuId)));
    const child = agent(["run", "--config", d.config]);
    expect(await child.proc.exited).toBe(3);
    expect(await child.stderr).toMatch(/stopped: server refused device dev_\S+ \(device_refused\): it was revoked/);
    expect(outboxPending(d.outbox)).toBe(1);
    expect(await stored(d.deviceId)).toBe(0);
  }, 60_000);
});

describe("outbox", () => {
  it("survives a restart: pending entries stay, sequences continue and are never reused after acknowledgements", () => {
    const path = join(dir, "restart-outbox.db");
    const tx = { kind: "sale" as const, receiptNo: "X", at: new Date().toISOString(), lines: [{ code: "A", quantity: 1, unitPriceFen: 1 }], totalFen: 1, currency: "CNY", payment: null };
    let outbox = new Outbox(path);
    expect(outbox.db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(outbox.db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 2 });
    expect([outbox.append({ ...tx, receiptNo: "1" }), outbox.append({ ...tx, receiptNo: "2" }), outbox.append({ ...tx, receiptNo: "3" }, { key: "k", value: "v3" })]).toEqual([1, 2, 3]);
    outbox.close();
    outbox = new Outbox(path);
    expect(outbox.pending(10).map((t) => [t.sequence, t.receiptNo])).toEqual([[1, "1"], [2, "2"], [3, "3"]]);
    expect(outbox.cursor("k")).toBe("v3");
    expect(outbox.acknowledge([1, 2, 3, 99])).toBe(3);
    outbox.close();
    outbox = new Outbox(path);
    expect(outbox.counts()).toMatchObject({ pending: 0, lastSequence: 3, acknowledged: 3, lastAckSequence: 99 });
    expect(outbox.append(tx)).toBe(4);
    outbox.bindDevice("dev_A");
    expect(() => outbox.bindDevice("dev_B")).toThrow("unsent transactions of device dev_A");
    outbox.close();
  });
});

describe("agent pieces", () => {
  it("backoff is full jitter under min(cap, base·2^attempt)", () => {
    expect(backoffDelay(0, 500, 60_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 60_000, () => 0.5)).toBe(2_000);
    expect(backoffDelay(20, 500, 60_000, () => 0.999)).toBe(59_940);
    expect(backoffDelay(5, 500, 60_000, () => 0)).toBe(0);
  });

  it("a jsonl line is validated by the server's rules, with defaults for kind, time, currency and payment", () => {
    const ok = parseTransactionLine('{"receiptNo":"R1","lines":[{"code":"A","quantity":1,"unitPriceFen":5}],"totalFen":5,"sequence":77}', { now: () => new Date("2025-01-02T03:04:05Z") });
    expect(ok).toEqual({ ok: true, transaction: { kind: "sale", receiptNo: "R1", at: "2025-01-02T03:04:05.000Z", lines: [{ code: "A", quantity: 1, unitPriceFen: 5 }], totalFen: 5, currency: "CNY", payment: null } });
    expect(parseTransactionLine("[1]")).toEqual({ ok: false, reason: "not a JSON object" });
    expect(parseTransactionLine('{"receiptNo":"R1","lines":[],"totalFen":5}').ok).toBe(false);
    expect(parseTransactionLine('{"receiptNo":"R1","lines":[{"code":"A","quantity":1,"unitPriceFen":5}],"totalFen":5,"currency":"XXX"}').ok).toBe(false);
  });

  it("jsonl over a serial port (socat pty pair): lines become transactions in order, bad lines are kept as rejected", async () => {
    const { a, b, stop } = await startPtyPair("agent-tty");
    try {
      const got: ParsedTransaction[] = [];
      const rejected: string[] = [];
      const driver = createJsonlDriver({ type: "jsonl", serial: { path: a, baudRate: 115_200, lock: false } }, { cursor: () => null, reject: (row) => rejected.push(row.raw), log: () => undefined });
      await driver.start(async (transaction) => {
        await Bun.sleep(1);
        got.push(transaction);
      });
      const till = Bun.spawn(["sh", "-c", `cat > ${b}`], { stdin: "pipe" });
      await Bun.sleep(200);
      till.stdin.write(line("S-1", "A") + "garbage\r\n" + line("S-2", "A").replace("\n", "\r\n") + line("S-3", "A"));
      await till.stdin.flush();
      await waitFor(() => got.length === 3, 5_000, "3 transactions from the port");
      expect(got.map((t) => t.receiptNo)).toEqual(["S-1", "S-2", "S-3"]);
      expect(rejected).toEqual(["garbage"]);
      till.kill();
      await driver.stop();
    } finally {
      await stop();
    }
  }, 30_000);
});
