/**
 * POS drivers against socat pty pairs: the ESC/POS tap between a till and its printer, and the ECR
 * framed protocol. Needs `socat` and Linux; fails without them.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { SerialPortStream } from "@serialport/stream";
import type { ParsedTransaction } from "../modules/pos/agent/drivers/driver.ts";
import { EcrDriver, EcrSender, type RejectedFrame } from "../modules/pos/agent/drivers/ecr.ts";
import { ACK, NAK } from "../modules/pos/agent/drivers/ecr-frames.ts";
import { fixtureReceipt, receiptBytes } from "../modules/pos/agent/drivers/escpos-fixtures.ts";
import { EscposTapDriver, type UnreadableReceipt } from "../modules/pos/agent/drivers/escpos-tap.ts";
import { openSerialPort } from "../modules/pos/agent/serial/port.ts";
import { ptyPairs } from "./fixtures/pty-pair.ts";
import { closePort, writePort as write } from "./fixtures/serial.ts";
import { waitFor as waitUntil } from "./fixtures/wait.ts";

const ptys = ptyPairs();
const startPair = ptys.start;
const cleanups: (() => Promise<unknown>)[] = [];
const waitFor = (cond: () => boolean, timeoutMs: number, what: string) => waitUntil(cond, timeoutMs, what, 5);

async function open(path: string): Promise<SerialPortStream> {
  const port = await openSerialPort({ path, baudRate: 115200 });
  cleanups.push(() => closePort(port));
  return port;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

describe("POS drivers over socat ptys", () => {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await ptys.stopAll();
  });

  test("escpos-tap: 100 receipts in a burst pass through to the printer side byte for byte and produce 100 store sales", async () => {
    const tillPair = await startPair("till"); // a: the till, b: the agent
    const printerPair = await startPair("printer"); // a: the agent, b: the printer
    const till = await open(tillPair.a);
    const printer = await open(printerPair.b);

    const transactions: ParsedTransaction[] = [];
    const unreadable: UnreadableReceipt[] = [];
    const latencies: number[] = [];
    let chunks = 0;
    const driver = new EscposTapDriver({
      till: { path: tillPair.b, baudRate: 115200 },
      printer: { path: printerPair.a, baudRate: 115200 },
      encoding: "gb18030",
      onUnreadable: (r) => unreadable.push(r),
      onForwarded: (_bytes, ms) => {
        chunks += 1;
        latencies.push(ms);
      },
      context: { reject: (r) => unreadable.push(r), log: () => undefined },
    });
    cleanups.push(() => driver.stop());
    await driver.start(async (tx) => {
      await Bun.sleep(0); // an outbox commit
      transactions.push(tx);
    });

    const fixtures = Array.from({ length: 100 }, (_, i) => fixtureReceipt(i));
    const sent = Buffer.concat(fixtures.map((f) => receiptBytes(f)));
    const received: Buffer[] = [];
    let receivedBytes = 0;
    printer.on("data", (chunk: Buffer) => {
      received.push(chunk);
      receivedBytes += chunk.length;
    });

    const t0 = performance.now();
    await Promise.all(fixtures.map((f) => write(till, receiptBytes(f)))); // a burst: no waiting between receipts
    await waitFor(() => receivedBytes >= sent.length, 20_000, `printer bytes (${receivedBytes}/${sent.length})`);
    const throughMs = performance.now() - t0;
    await waitFor(() => transactions.length + unreadable.length >= 100, 10_000, "100 transactions");

    expect(Buffer.concat(received).equals(sent)).toBe(true);
    expect(unreadable).toEqual([]);
    expect(transactions.length).toBe(100);
    transactions.forEach((tx, i) => {
      const f = fixtures[i]!;
      expect(tx).toEqual({
        kind: f.refund ? "refund" : "sale",
        receiptNo: f.receiptNo,
        at: new Date(`${f.printedAt.replace(" ", "T")}+08:00`).toISOString(),
        lines: f.lines.map((l) => ({ code: l.code, quantity: l.quantity, unitPriceFen: l.unitPriceFen })),
        totalFen: f.totalFen,
        currency: "CNY",
        payment: f.payment,
      });
    });
    expect(transactions.filter((tx) => tx.kind === "refund").length).toBe(10);

    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `[pos-drivers] tap: ${sent.length} bytes in ${chunks} chunks, till→printer through in ${throughMs.toFixed(1)} ms; ` +
        `added latency per chunk (till data event → printer write done): p50 ${percentile(sorted, 50).toFixed(3)} ms, p99 ${percentile(sorted, 99).toFixed(3)} ms, max ${sorted.at(-1)!.toFixed(3)} ms`,
    );
    expect(chunks).toBeGreaterThan(0);
  }, 60_000);

  test("escpos-tap: a receipt the patterns cannot read is handed to onUnreadable, still printed", async () => {
    const tillPair = await startPair("till2");
    const printerPair = await startPair("printer2");
    const till = await open(tillPair.a);
    const printer = await open(printerPair.b);
    const unreadable: UnreadableReceipt[] = [];
    const transactions: ParsedTransaction[] = [];
    const driver = new EscposTapDriver({
      till: { path: tillPair.b, baudRate: 115200 },
      printer: { path: printerPair.a, baudRate: 115200 },
      onUnreadable: (r) => unreadable.push(r),
    });
    cleanups.push(() => driver.stop());
    await driver.start(async (tx) => {
      transactions.push(tx);
    });
    const bytes = Buffer.concat([Buffer.from("\x1b@hello\nno total here\n"), Buffer.from([0x1d, 0x56, 0x00])]);
    let got = 0;
    printer.on("data", (chunk: Buffer) => {
      got += chunk.length;
    });
    await write(till, bytes);
    await waitFor(() => unreadable.length === 1 && got === bytes.length, 5000, "unreadable receipt");
    expect(unreadable[0]).toEqual({ source: `escpos-tap:${tillPair.b}`, raw: "hello\nno total here", reason: "no receipt number" });
    expect(transactions).toEqual([]);
  }, 30_000);

  test("ECR: a corrupted LRC is NAKed and the retransmission is accepted once; a duplicate after ACK is ACKed, not delivered", async () => {
    const pair = await startPair("ecr"); // a: the terminal, b: the agent
    const terminal = await open(pair.a);
    const delivered: ParsedTransaction[] = [];
    const rejected: RejectedFrame[] = [];
    const driver = new EcrDriver({ port: { path: pair.b, baudRate: 115200 }, onRejected: (r) => rejected.push(r), context: { reject: () => undefined, log: () => undefined }, interByteTimeoutMs: 200 });
    cleanups.push(() => driver.stop());
    await driver.start(async (tx) => {
      await Bun.sleep(5);
      delivered.push(tx);
    });

    const answers: number[] = [];
    terminal.on("data", (chunk: Buffer) => answers.push(...chunk));
    const sender = new EcrSender(terminal, { ackTimeoutMs: 1000, retries: 3 });
    const payload = new TextEncoder().encode(JSON.stringify({ kind: "sale", receiptNo: "E-1", at: "2024-05-01T02:00:00Z", lines: [{ code: "6901234567890", quantity: 2, unitPriceFen: 350 }], totalFen: 700, payment: "wechat" }));
    const seq = sender.nextSeq;
    let wire: Uint8Array = new Uint8Array();
    const result = await sender.send(payload, (frame, attempt) => {
      wire = frame;
      if (attempt > 1) return frame;
      const bad = Uint8Array.from(frame);
      bad[bad.length - 1]! ^= 0x5a; // corrupt the LRC
      return bad;
    });
    expect(result).toEqual({ attempts: 2, naks: 1, timeouts: 0 });
    expect(answers).toEqual([NAK, ACK]);
    expect(delivered.length).toBe(1);
    expect(delivered[0]).toEqual({ kind: "sale", receiptNo: "E-1", at: "2024-05-01T02:00:00.000Z", lines: [{ code: "6901234567890", quantity: 2, unitPriceFen: 350 }], totalFen: 700, currency: "CNY", payment: "wechat" });
    expect(wire[1]).toBe(seq);

    // the terminal missed the ACK and sends the same frame again
    await write(terminal, wire);
    await waitFor(() => answers.length === 3, 3000, "ACK of the duplicate");
    expect(answers[2]).toBe(ACK);
    await Bun.sleep(50);
    expect(delivered.length).toBe(1);
    expect(driver.counts).toMatchObject({ delivered: 1, duplicates: 1 });

    // a malformed payload is NAKed and recorded once; a partial frame times out with a NAK
    const malformed = new TextEncoder().encode(JSON.stringify({ kind: "sale", receiptNo: "E-2", lines: [], totalFen: 0 }));
    await expect(new EcrSender(terminal, { ackTimeoutMs: 500, retries: 1 }).send(malformed)).rejects.toThrow(/not acknowledged/);
    expect(rejected.length).toBe(1);
    expect(rejected[0]!.reason).toMatch(/lines/);
    const before = answers.length;
    await write(terminal, wire.subarray(0, 10));
    await waitFor(() => answers.length === before + 1, 3000, "NAK of a partial frame");
    expect(answers.at(-1)).toBe(NAK);

    // the next frame (next sequence byte) is a new transaction
    const next = new EcrSender(terminal);
    await next.send(new TextEncoder().encode(JSON.stringify({ kind: "refund", receiptNo: "E-3", lines: [{ code: "A1", quantity: 1, unitPriceFen: 100 }], totalFen: 100 })));
    expect(delivered.map((tx) => tx.receiptNo)).toEqual(["E-1", "E-3"]);
  }, 30_000);
});
