// Signed batches from a till device through the real app: store sales decrement the one stock the
// live room sells from, a batch sent again counts nothing twice, forged, stale and replayed requests
// are refused, unknown codes wait in the mismatch queue until staff match them, refunds return units once.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { MAX_CLOCK_SKEW_MS, signedHeaders, type IngestAnswer, type PairAnswer, type StoreTransaction } from "../modules/pos/protocol.ts";
import { scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { pairDevice, signedRequest, skuCode as codeOf, staffClient, type SignedRequestOptions } from "./fixtures/pos.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let staff: TestClient;
let device: PairAnswer;
let sequence = 0;

const skuCode = (skuId: string) => codeOf(app, skuId);

beforeAll(async () => {
  app = await startTestApp();
  staff = await staffClient(app);
  device = await pairDevice(app, { name: "Counter", staff });
}, 60_000);
afterAll(() => app.close());

function sale(lines: StoreTransaction["lines"], kind: StoreTransaction["kind"] = "sale"): StoreTransaction {
  sequence += 1;
  const totalFen = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceFen, 0);
  return { sequence, kind, receiptNo: `R${1000 + sequence}`, at: new Date().toISOString(), lines, totalFen, currency: "CNY", payment: "cash" };
}

function send(body: string, options: Omit<SignedRequestOptions, "body"> = {}) {
  return signedRequest(app, device, "POST", "/pos/v1/ingest", { ...options, body });
}

async function ingest(transactions: StoreTransaction[]): Promise<IngestAnswer> {
  const response = await send(JSON.stringify({ deviceId: device.deviceId, transactions }));
  expect(response.status).toBe(200);
  return (await response.json()) as IngestAnswer;
}

describe("ingest", () => {
  it("records store sales through the orders service and decrements the one stock; the same batch again counts nothing twice", async () => {
    const a = await testProduct(app, { priceFen: 1_500, stock: 10 });
    const b = await testProduct(app, { priceFen: 800, stock: 5 });
    const batch = [sale([{ code: await skuCode(a.skuId), quantity: 2, unitPriceFen: 1_500 }]), sale([{ code: (await skuCode(b.skuId)).toLowerCase(), quantity: 1, unitPriceFen: 800 }, { code: await skuCode(a.skuId), quantity: 1, unitPriceFen: 1_500 }])];
    const first = await ingest(batch);
    expect(first.acknowledged).toEqual(batch.map((t) => t.sequence));
    expect(await skuStock(app, a.skuId)).toBe(7);
    expect(await skuStock(app, b.skuId)).toBe(4);
    const again = await ingest(batch);
    expect(again.acknowledged).toEqual(first.acknowledged);
    expect(await skuStock(app, a.skuId)).toBe(7);
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE channel = 'store' AND status = 'completed' AND idempotency_key IN (?, ?)", batch.map((t) => `pos:${device.deviceId}:${t.sequence}`))).toBe(2);
    expect(await scalar(app, "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE sku_id = ? AND reason = 'store_sale'", [a.skuId])).toBe(-3);
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'order.store_sale' AND actor_type = 'device' AND actor_id = ?", [device.deviceId])).toBe(2);
    expect(await scalar(app, "SELECT last_sequence FROM pos_devices WHERE id = ?", [device.deviceId])).toBe(batch[1]!.sequence);
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
    const page = await (await staff.get("/merchant/pos/transactions")).text();
    expect(page).toContain(batch[0]!.receiptNo);
  });

  it("matches a barcode as well as a SKU code", async () => {
    const { productId } = await testProduct(app, { priceFen: 500, stock: 3 });
    const product = await app.services.catalog.getPublishedProduct(productId);
    await app.database.client.execute({ sql: "UPDATE skus SET barcode = ? WHERE id = ?", args: [`BC-${productId}`, product.skus[0]!.id] });
    await ingest([sale([{ code: `BC-${productId}`, quantity: 1, unitPriceFen: 500 }])]);
    expect(await skuStock(app, product.skus[0]!.id)).toBe(2);
  });

  it("refuses a tampered body, a wrong secret, a stale timestamp, a reused nonce and an unknown device", async () => {
    const { skuId } = await testProduct(app, { priceFen: 100, stock: 10 });
    const body = JSON.stringify({ deviceId: device.deviceId, transactions: [sale([{ code: await skuCode(skuId), quantity: 1, unitPriceFen: 100 }])] });
    const tampered = await send(body, { tamper: (text) => text.replace('"quantity":1', '"quantity":9') });
    expect(tampered.status).toBe(401);
    expect((await send(body, { secret: "not-the-secret" })).status).toBe(401);
    const stale = await send(body, { now: Date.now() - MAX_CLOCK_SKEW_MS - 60_000 });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { code: string } }).error.code).toBe("stale_timestamp");
    expect((await send(body, { now: Date.now() + MAX_CLOCK_SKEW_MS + 60_000 })).status).toBe(401);
    const headers = await signedHeaders(device.deviceId, device.secret, "POST", "/pos/v1/ingest", body);
    expect((await send(body, { headers })).status).toBe(200);
    const replay = await send(body, { headers });
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe("nonce_reused");
    const unknown = await signedHeaders("dev_UNKNOWN", device.secret, "POST", "/pos/v1/ingest", body);
    expect((await send(body, { headers: unknown })).status).toBe(401);
    expect((await send(body, { headers: { ...headers, "x-broadcart-signature": "" } })).status).toBe(401);
    expect(await skuStock(app, skuId)).toBe(9);
  });

  it("refuses a batch for another device and an invalid body, even when signed", async () => {
    const other = JSON.stringify({ deviceId: "dev_OTHER", transactions: [] });
    expect((await send(other)).status).toBe(401);
    expect((await send("{not json")).status).toBe(400);
    const tooMany = JSON.stringify({ deviceId: device.deviceId, transactions: Array.from({ length: 501 }, (_, i) => ({ ...sale([{ code: "X", quantity: 1, unitPriceFen: 1 }]), sequence: 100_000 + i })) });
    expect((await send(tooMany)).status).toBe(400);
  });

  it("queues an unknown code as a mismatch (nothing dropped, still acknowledged); staff match it and the sale is recorded then", async () => {
    const { skuId } = await testProduct(app, { priceFen: 2_000, stock: 4 });
    const t = sale([{ code: "UNKNOWN-CODE-42", quantity: 2, unitPriceFen: 2_000 }]);
    expect((await ingest([t])).acknowledged).toEqual([t.sequence]);
    expect(await scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ? AND sequence = ? AND status = 'mismatch'", [device.deviceId, t.sequence])).toBe(1);
    expect(await skuStock(app, skuId)).toBe(4);
    const page = await (await staff.get("/merchant/pos/mismatches")).text();
    expect(page).toContain("UNKNOWN-CODE-42");
    const id = String((await app.database.client.execute({ sql: "SELECT id FROM pos_mismatches WHERE code = 'UNKNOWN-CODE-42'" })).rows[0]![0]);

    const wrong = await staff.post(`/merchant/pos/mismatches/${id}/resolve`, { sku: "NO-SUCH-SKU" });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain("No SKU of this store has that code");
    expect((await staff.post(`/merchant/pos/mismatches/${id}/resolve`, { sku: await skuCode(skuId) })).status).toBe(303);
    expect(await skuStock(app, skuId)).toBe(2);
    expect(await scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ? AND sequence = ? AND status = 'resolved' AND order_id IS NOT NULL", [device.deviceId, t.sequence])).toBe(1);
    // Resolving again, or the device sending the transaction again, records nothing more.
    await staff.post(`/merchant/pos/mismatches/${id}/resolve`, { sku: await skuCode(skuId) });
    await ingest([t]);
    expect(await skuStock(app, skuId)).toBe(2);
  });

  it("returns a refund receipt's units to stock once", async () => {
    const { skuId } = await testProduct(app, { priceFen: 300, stock: 5 });
    const code = await skuCode(skuId);
    await ingest([sale([{ code, quantity: 3, unitPriceFen: 300 }])]);
    expect(await skuStock(app, skuId)).toBe(2);
    const refund = sale([{ code, quantity: 2, unitPriceFen: 300 }], "refund");
    await ingest([refund]);
    await ingest([refund]);
    expect(await skuStock(app, skuId)).toBe(4);
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE channel = 'store' AND status = 'refunded' AND idempotency_key = ?", [`pos:${device.deviceId}:${refund.sequence}`])).toBe(1);
    expect(await scalar(app, "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE sku_id = ? AND reason = 'return'", [skuId])).toBe(2);
  });

  it("a store sale of the last unit makes the live room's stock show 0", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 9_900, stock: 1 });
    expect((await app.services.showcase.card("lss_none", productId))!.options[0]!.stock).toBe(1);
    await ingest([sale([{ code: await skuCode(skuId), quantity: 1, unitPriceFen: 9_900 }])]);
    expect((await app.services.showcase.card("lss_none", productId))!.options[0]!.stock).toBe(0);
    expect(await (await app.client().get(`/products/${productId}`)).text()).toContain("Sold out");
  });

  it("records a sale of more than the stock held (the goods left the shop), stops stock at 0 and queues the shortfall", async () => {
    const { skuId } = await testProduct(app, { priceFen: 100, stock: 1 });
    const t = sale([{ code: await skuCode(skuId), quantity: 3, unitPriceFen: 100 }]);
    await ingest([t]);
    expect(await skuStock(app, skuId)).toBe(0);
    expect(await scalar(app, "SELECT count(*) FROM pos_transactions WHERE device_id = ? AND sequence = ? AND status = 'recorded'", [device.deviceId, t.sequence])).toBe(1);
    expect(await scalar(app, "SELECT quantity FROM pos_mismatches WHERE device_id = ? AND sequence = ? AND reason = 'short_stock'", [device.deviceId, t.sequence])).toBe(2);
  });

  it("shows today's figures per channel on the dashboard", async () => {
    const page = await (await staff.get("/merchant/pos")).text();
    expect(page).toContain("Today: live room and store");
    const figures = await app.services.pos.figures((await app.services.accounts.findByEmail("staff@demo.broadcart.test"))!.id, new Date(Date.now() - 3_600_000), new Date(Date.now() + 3_600_000));
    const store = figures.channels.find((c) => c.channel === "store")!;
    expect(store.orders).toBeGreaterThanOrEqual(8);
    expect(store.refunds).toBe(1);
    expect(store.refundedFen).toBe(600);
  });
});
