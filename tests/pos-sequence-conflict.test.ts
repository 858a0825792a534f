// An agent whose outbox was lost (a new disk, a reinstall) counts sequences from 1 again. The server
// must not take those sales for ones it already has: it answers the clash as a conflict, not an
// acknowledgement, and the agent sends them again under new sequences. Nothing lost, nothing counted twice.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Outbox } from "../modules/pos/agent/outbox.ts";
import { Relay } from "../modules/pos/agent/relay.ts";
import type { IngestAnswer, PairAnswer } from "../modules/pos/protocol.ts";
import { scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { pairDevice, signedRequest, skuCode } from "./fixtures/pos.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;
let listener: ReturnType<typeof Bun.serve>;
let device: PairAnswer;
let dir: string;

beforeAll(async () => {
  app = await startTestApp();
  listener = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => app.app.fetch(request) });
  dir = mkdtempSync(join(tmpdir(), "broadcart-outbox-"));
  device = await pairDevice(app, { name: "Till" });
}, 60_000);

afterAll(() => {
  listener?.stop(true);
  app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const receipt = (receiptNo: string, code: string) => ({ kind: "sale" as const, receiptNo, at: new Date().toISOString(), lines: [{ code, quantity: 1, unitPriceFen: 1_000 }], totalFen: 1_000, currency: "CNY", payment: "cash" });

async function ingest(transactions: object[]): Promise<IngestAnswer> {
  const response = await signedRequest(app, device, "POST", "/pos/v1/ingest", { body: JSON.stringify({ deviceId: device.deviceId, transactions }) });
  expect(response.status).toBe(200);
  return (await response.json()) as IngestAnswer;
}

describe("sequence conflicts", () => {
  it("answers a reused sequence with another receipt as a conflict; the agent renumbers and both sales count once", async () => {
    const { skuId } = await testProduct(app, { priceFen: 1_000, stock: 10 });
    const code = await skuCode(app, skuId);
    // The first outbox sent receipt A as sequence 1, then was lost.
    expect(await ingest([{ sequence: 1, ...receipt("A-0001", code) }])).toMatchObject({ acknowledged: [1], lastSequence: 1 });
    // A rebuilt outbox counts from 1 again: receipt B as sequence 1.
    const outbox = new Outbox(join(dir, "outbox.db"));
    outbox.bindDevice(device.deviceId);
    expect(outbox.append(receipt("B-0001", code))).toBe(1);
    const relay = new Relay({ server: `http://127.0.0.1:${listener.port}`, credentials: device, outbox, baseDelayMs: 50, maxDelayMs: 200 });
    relay.start();
    const deadline = Date.now() + 10_000;
    while (outbox.pendingCount() > 0 && Date.now() < deadline) await Bun.sleep(50);
    await relay.stop();
    outbox.close();
    expect(await scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ?", [device.deviceId])).toBe(2);
    const receipts = (await app.database.client.execute({ sql: "SELECT sequence, receipt_no FROM pos_transactions WHERE device_id = ? ORDER BY sequence", args: [device.deviceId] })).rows.map((r) => [Number(r.sequence), String(r.receipt_no)]);
    expect(receipts).toEqual([
      [1, "A-0001"],
      [2, "B-0001"],
    ]);
    expect(await skuStock(app, skuId)).toBe(8);
    // The same receipt under the same sequence is still just a redelivery.
    expect(await ingest([{ sequence: 1, ...receipt("A-0001", code) }])).toMatchObject({ acknowledged: [1] });
    expect(await skuStock(app, skuId)).toBe(8);
  });
});
