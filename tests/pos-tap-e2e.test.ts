// The whole till path for an ESC/POS printer: 100 receipts from the till (GB18030 text, formatting,
// a raster logo, barcodes, cuts) go through the agent (`bun modules/pos/agent/main.ts run`, escpos-tap
// driver between two socat pty pairs) to the printer byte for byte, and arrive at the real server as
// 100 store transactions that move the one stock.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCredentials } from "../modules/pos/agent/credentials.ts";
import { receiptBytes, type FixtureReceipt } from "../modules/pos/agent/drivers/escpos-fixtures.ts";
import { openSerialPort } from "../modules/pos/agent/serial/port.ts";
import { scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { pairDevice, skuCode } from "./fixtures/pos.ts";
import { startPtyPair, type PtyPair } from "./fixtures/pty-pair.ts";
import { closePort, writePort } from "./fixtures/serial.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";
import { waitFor } from "./fixtures/wait.ts";

let app: TestApp;
let listener: ReturnType<typeof Bun.serve>;
let till: PtyPair;
let printer: PtyPair;
let home: string;
let agent: ReturnType<typeof Bun.spawn> | undefined;

beforeAll(async () => {
  app = await startTestApp();
  listener = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => app.app.fetch(request) });
  till = await startPtyPair("till");
  printer = await startPtyPair("printer");
  home = mkdtempSync(join(tmpdir(), "broadcart-tap-"));
}, 60_000);

afterAll(async () => {
  agent?.kill("SIGKILL");
  listener?.stop(true);
  await till?.stop();
  await printer?.stop();
  app?.close();
  rmSync(home, { recursive: true, force: true });
});

describe("escpos tap, till to server", () => {
  it("passes 100 receipts to the printer byte for byte and records 100 store transactions", async () => {
    const products = await Promise.all([0, 1, 2].map(() => testProduct(app, { priceFen: 1_290, stock: 1_000 })));
    const codes = await Promise.all(products.map((p) => skuCode(app, p.skuId)));
    const device = await pairDevice(app, { name: "Counter printer" });
    const server = `http://127.0.0.1:${listener.port}`;
    writeCredentials(join(home, "device.json"), { ...device, server, pairedAt: new Date().toISOString() });
    const config = join(home, "agent.json");
    writeFileSync(
      config,
      JSON.stringify({
        server,
        credentials: "device.json",
        outbox: "outbox.db",
        driver: { type: "escpos-tap", serial: { path: till.b, baudRate: 115200, lock: false }, printer: { path: printer.a, baudRate: 115200, lock: false } },
        relay: { baseDelayMs: 50, maxDelayMs: 500 },
      }),
    );
    agent = Bun.spawn([process.execPath, join(import.meta.dir, "../modules/pos/agent/main.ts"), "run", "--config", config], { stdout: "ignore", stderr: "pipe", env: { ...process.env, BROADCART_AGENT_CONFIG: "" } });
    const agentErrors = new Response(agent.stderr as ReadableStream).text();

    const printerSide = await openSerialPort({ path: printer.b, baudRate: 115200, lock: false });
    const printed: Buffer[] = [];
    printerSide.on("data", (chunk: Buffer) => printed.push(chunk));
    const tillSide = await openSerialPort({ path: till.a, baudRate: 115200, lock: false });
    await Bun.sleep(500); // the agent opens both ports

    const receipts: FixtureReceipt[] = Array.from({ length: 100 }, (_, n) => {
      const lines = [{ code: codes[n % 3]!, name: "明前龙井", quantity: 1 + (n % 2), unitPriceFen: 1_290 }];
      return { receiptNo: `S${20260000 + n}`, refund: n % 10 === 9, lines, totalFen: lines[0]!.quantity * 1_290, paymentText: "微信支付", payment: "wechat", printedAt: `2026-11-26 1${n % 10}:0${n % 6}:00` };
    });
    const bytes = Buffer.concat(receipts.map((receipt) => Buffer.from(receiptBytes(receipt))));
    for (let offset = 0; offset < bytes.length; offset += 4_096) await writePort(tillSide, bytes.subarray(offset, offset + 4_096));

    const total = () => printed.reduce((n, chunk) => n + chunk.length, 0);
    await waitFor(() => total() >= bytes.length, 20_000, () => `the printer got ${total()} of ${bytes.length} bytes`);
    expect(Buffer.concat(printed).equals(bytes)).toBe(true);
    await waitFor(async () => (await scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ?", [device.deviceId])) === 100, 20_000, "100 store transactions on the server");
    expect(await scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ? AND kind = 'refund'", [device.deviceId])).toBe(10);
    expect(await scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ? AND status = 'recorded'", [device.deviceId])).toBe(100);
    const soldUnits = receipts.reduce((n, r) => n + (r.refund ? -1 : 1) * r.lines[0]!.quantity, 0);
    const stockNow = (await Promise.all(products.map((p) => skuStock(app, p.skuId)))).reduce((a, b) => a + b, 0);
    expect(stockNow).toBe(3_000 - soldUnits);

    await closePort(tillSide);
    await closePort(printerSide);
    agent.kill("SIGTERM");
    await agent.exited;
    expect(await agentErrors).not.toContain("unreadable");
  }, 60_000);
});
