// Membership points through the real app: paid orders earn them (storefront, and the till when the
// receipt carries a member code), checkout spends them within the balance and the cap, refunds and
// closed unpaid orders give back what they should, a redelivered event changes nothing, and the
// tier multiplier applies once the 12-month spend crosses a threshold.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { OrderEvent } from "../modules/orders/index.ts";
import { parseTransactionLine } from "../modules/pos/agent/drivers/jsonl.ts";
import type { PairAnswer, StoreTransaction } from "../modules/pos/protocol.ts";
import { checkoutFields, newShopper, orderIdFrom, scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { pairDevice, signedRequest, skuCode, staffClient } from "./fixtures/pos.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const clock = {
  offset: 0,
  now() {
    return new Date(Date.now() + this.offset);
  },
};

let app: TestApp;
let staff: TestClient;
let shoppers = 0;

beforeAll(async () => {
  app = await startTestApp({ clock });
  staff = await staffClient(app);
}, 60_000);
afterAll(() => app.close());

type Shopper = Awaited<ReturnType<typeof newShopper>>;

/** A shopper with an address of their own, so the per-address risk rule never holds these orders. */
async function shopper(): Promise<Shopper & { fields: (extra?: Record<string, string>) => Record<string, string> }> {
  shoppers += 1;
  const made = await newShopper(app, "member");
  const street = `会员路 ${shoppers} 号`;
  return { ...made, fields: (extra = {}) => checkoutFields({ street, ...extra }) };
}

async function order(buyer: Awaited<ReturnType<typeof shopper>>, skuId: string, extra: Record<string, string> = {}): Promise<Response> {
  await buyer.client.get(`/checkout?sku=${skuId}`);
  return buyer.client.post("/checkout", buyer.fields({ sku: skuId, quantity: "1", ...extra }));
}

async function confirmPaid(orderId: string): Promise<Response> {
  await staff.get(`/merchant/orders/${orderId}`);
  return staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true });
}

/** A paid order of `priceFen`: the shopper earns its points. */
async function paidOrder(buyer: Awaited<ReturnType<typeof shopper>>, priceFen: number, extra: Record<string, string> = {}): Promise<string> {
  const { skuId } = await testProduct(app, { priceFen, stock: 5 });
  const orderId = orderIdFrom(await order(buyer, skuId, extra));
  expect((await confirmPaid(orderId)).status).toBe(200);
  return orderId;
}

const balance = (userId: string) => scalar(app, "SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE user_id = ?", [userId]);
const ledgerRows = (userId: string) => scalar(app, "SELECT count(*) FROM points_ledger WHERE user_id = ?", [userId]);
const entry = (orderId: string, reason: string) =>
  app.database.client.execute({ sql: "SELECT user_id, delta, spend_fen, note FROM points_ledger WHERE order_id = ? AND reason = ?", args: [orderId, reason] }).then((r) => r.rows[0] ?? null);

async function memberCodeOf(client: TestClient): Promise<string> {
  const code = /data-testid="member-code">(M\d{10})</.exec(await (await client.get("/member")).text())?.[1];
  if (!code) throw new Error("no member code on the member page");
  return code;
}

describe("earning on paid orders", () => {
  it("earns a storefront order's points once it is paid, and the member page shows balance, history and progress", async () => {
    const buyer = await shopper();
    const { skuId } = await testProduct(app, { priceFen: 12_345, stock: 5 });
    const orderId = orderIdFrom(await order(buyer, skuId));
    expect(await balance(buyer.id)).toBe(0); // not before the money is in

    expect((await confirmPaid(orderId)).status).toBe(200);
    expect(await balance(buyer.id)).toBe(123);
    expect(await entry(orderId, "order_paid")).toMatchObject({ delta: 123, spend_fen: 12_345 });

    const page = await (await buyer.client.get("/member")).text();
    expect(page).toContain('data-testid="points-balance">123 points');
    expect(page).toContain("Earned on a paid order");
    expect(page).toContain(`href="/orders/${orderId}"`);
    expect(page).toContain("+123");
    expect(page).toContain('data-testid="tier">Member');
    expect(page).toMatch(/<progress[^>]*value="12"/); // 123.45 of the 1,000 yuan to Silver
    expect(page).toMatch(/data-testid="next-tier">[^<]*876\.55[^<]*Silver/);
    const code = await memberCodeOf(buyer.client);
    expect(await memberCodeOf(buyer.client)).toBe(code); // stable: issued once

    await buyer.client.post("/locale", { locale: "zh-CN" });
    const zh = await (await buyer.client.get("/member")).text();
    expect(zh).toContain("积分明细");
    expect(zh).toContain("订单付款获得");
    expect(zh).toContain("白银会员");

    const exported = await app.services.personalData.export(buyer.id);
    expect(exported.pointsHistory).toEqual([expect.objectContaining({ delta: 123, reason: "order_paid", orderId })]);
  });

  it("applies the tier multiplier once the 12-month spend crosses a threshold", async () => {
    const buyer = await shopper();
    const first = await paidOrder(buyer, 100_000); // regular tier before it: 1,000 points, and now Silver
    expect(await entry(first, "order_paid")).toMatchObject({ delta: 1_000 });
    const second = await paidOrder(buyer, 10_000);
    expect(await entry(second, "order_paid")).toMatchObject({ delta: 125 }); // 100 × 125%
    expect(await (await buyer.client.get("/member")).text()).toContain('data-testid="tier">Silver');
  });

  it("changes nothing when an order event is delivered again", async () => {
    const buyer = await shopper();
    const orderId = await paidOrder(buyer, 5_000);
    expect((await confirmPaid(orderId)).status).toBe(409);
    const event: OrderEvent = { orderId, userId: buyer.id, storeId: "x", channel: "storefront", liveSessionId: null, totalFen: 5_000, currency: "CNY", clientDevice: null, addressKey: null, memberCode: null, lines: [], at: new Date() };
    const { orderEvents } = app.services.membership;
    await app.database.write((tx) => orderEvents.paid!(tx, event));
    expect(await balance(buyer.id)).toBe(50);
    expect(await ledgerRows(buyer.id)).toBe(1);
    await app.database.write((tx) => orderEvents.refunded!(tx, event));
    await app.database.write((tx) => orderEvents.refunded!(tx, event));
    await app.database.write((tx) => orderEvents.closedUnpaid!(tx, event));
    expect(await balance(buyer.id)).toBe(0);
    expect(await ledgerRows(buyer.id)).toBe(2);
  });
});

describe("spending points at checkout", () => {
  it("lowers the order's total by the points spent and writes them to the ledger", async () => {
    const buyer = await shopper();
    await paidOrder(buyer, 20_000); // 200 points
    const { skuId } = await testProduct(app, { priceFen: 10_000, stock: 5 });
    const checkout = await (await buyer.client.get(`/checkout?sku=${skuId}`)).text();
    expect(checkout).toContain("You may use up to 200 points on this order");
    // Applying the points shows the total the order will have, before it is placed.
    const quoted = await (await buyer.client.post("/checkout/quote", buyer.fields({ sku: skuId, quantity: "1", points: "150" }), { htmx: true })).text();
    expect(quoted).toMatch(/data-testid="points-discount">-¥1\.50/);
    expect(quoted).toMatch(/data-testid="total">\s*¥98\.50/);
    const tooMany = await (await buyer.client.post("/checkout/quote", buyer.fields({ sku: skuId, quantity: "1", points: "900" }), { htmx: true })).text();
    expect(tooMany).not.toContain("points-discount");

    const orderId = orderIdFrom(await buyer.client.post("/checkout", buyer.fields({ sku: skuId, quantity: "1", points: "150" })));
    expect(await scalar(app, "SELECT total_fen FROM orders WHERE id = ?", [orderId])).toBe(9_850);
    expect(await scalar(app, "SELECT points_fen FROM orders WHERE id = ?", [orderId])).toBe(150);
    expect(await entry(orderId, "redeemed")).toMatchObject({ delta: -150 });
    expect(await balance(buyer.id)).toBe(50);
    const page = await (await buyer.client.get(`/orders/${orderId}`)).text();
    expect(page).toMatch(/data-testid="points-discount">-¥1\.50/);

    expect((await confirmPaid(orderId)).status).toBe(200);
    expect(await entry(orderId, "order_paid")).toMatchObject({ delta: 98, spend_fen: 9_850 }); // earned on what was paid
    const member = await (await buyer.client.get("/member")).text();
    expect(member).toContain("Spent at checkout");
    expect(member).toContain("−150");
  });

  it("refuses more points than the balance or the cap with 422 and writes nothing", async () => {
    const buyer = await shopper();
    await paidOrder(buyer, 20_000); // 200 points
    const rowsBefore = await ledgerRows(buyer.id);
    const ordersBefore = await scalar(app, "SELECT count(*) FROM orders WHERE user_id = ?", [buyer.id]);

    const cheap = await testProduct(app, { priceFen: 200, stock: 5 }); // at most 100 points on ¥2
    const overCap = await order(buyer, cheap.skuId, { points: "150" });
    expect(overCap.status).toBe(422);
    expect(await overCap.text()).toContain("points pay for at most half of the goods");

    const dear = await testProduct(app, { priceFen: 100_000, stock: 5 });
    const overBalance = await order(buyer, dear.skuId, { points: "300" });
    expect(overBalance.status).toBe(422);
    expect(await overBalance.text()).toContain("You do not have that many points.");

    const notANumber = await order(buyer, dear.skuId, { points: "-5" });
    expect(notANumber.status).toBe(422);

    expect(await ledgerRows(buyer.id)).toBe(rowsBefore);
    expect(await balance(buyer.id)).toBe(200);
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE user_id = ?", [buyer.id])).toBe(ordersBefore);
    expect(await skuStock(app, cheap.skuId)).toBe(5);
    expect(await skuStock(app, dear.skuId)).toBe(5);
  });
});

describe("giving points back", () => {
  it("reverses a refunded order's earning and returns the points it spent", async () => {
    const buyer = await shopper();
    await paidOrder(buyer, 20_000); // 200 points
    const orderId = await paidOrder(buyer, 10_000, { points: "100" }); // pays 9,900: earns 99
    expect(await balance(buyer.id)).toBe(199);

    await buyer.client.get(`/orders/${orderId}`);
    expect((await buyer.client.post(`/orders/${orderId}/after-sales`, { kind: "refund_only", reason: "Changed my mind" }, { htmx: true })).status).toBe(200);
    const requestId = String((await app.database.client.execute({ sql: "SELECT id FROM after_sales WHERE order_id = ?", args: [orderId] })).rows[0]![0]);
    expect((await staff.post(`/merchant/after-sales/${requestId}/decide`, { decision: "approve", note: "" }, { htmx: true })).status).toBe(200);

    expect(await entry(orderId, "order_refunded")).toMatchObject({ delta: -99, spend_fen: -9_900 });
    expect(await entry(orderId, "redemption_returned")).toMatchObject({ delta: 100 });
    expect(await balance(buyer.id)).toBe(200);
    expect(await scalar(app, "SELECT sum(spend_fen) FROM points_ledger WHERE user_id = ?", [buyer.id])).toBe(20_000);
    expect(await (await buyer.client.get("/member")).text()).toContain("Taken back: order refunded");
  });

  it("returns the points of an unpaid order that expires or is cancelled", async () => {
    const buyer = await shopper();
    await paidOrder(buyer, 20_000); // 200 points
    const { skuId } = await testProduct(app, { priceFen: 10_000, stock: 5 });
    const expiring = orderIdFrom(await order(buyer, skuId, { points: "100" }));
    const cancelled = orderIdFrom(await order(buyer, skuId, { points: "60" }));
    expect(await balance(buyer.id)).toBe(40);

    await buyer.client.post(`/orders/${cancelled}/cancel`);
    expect(await entry(cancelled, "redemption_returned")).toMatchObject({ delta: 60 });

    clock.offset = 3 * DAY_MS; // past the offline payment window
    try {
      expect(await app.services.orders.lifecycle.expireUnpaid()).toBeGreaterThanOrEqual(1);
    } finally {
      clock.offset = 0;
    }
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE id = ? AND status = 'expired'", [expiring])).toBe(1);
    expect(await entry(expiring, "redemption_returned")).toMatchObject({ delta: 100 });
    expect(await balance(buyer.id)).toBe(200);
    expect(await entry(expiring, "order_paid")).toBeNull();
  });
});

describe("store sales from the till", () => {
  let device: PairAnswer;
  let sequence = 0;

  beforeAll(async () => {
    device = await pairDevice(app, { name: "Member till", staff });
  });

  function receipt(code: string, priceFen: number, kind: StoreTransaction["kind"], memberCode?: string): StoreTransaction {
    sequence += 1;
    return { sequence, kind, receiptNo: `M${1000 + sequence}`, at: new Date().toISOString(), lines: [{ code, quantity: 1, unitPriceFen: priceFen }], totalFen: priceFen, currency: "CNY", payment: "cash", ...(memberCode === undefined ? {} : { memberCode }) };
  }

  async function ingest(transactions: StoreTransaction[]) {
    const response = await signedRequest(app, device, "POST", "/pos/v1/ingest", { body: JSON.stringify({ deviceId: device.deviceId, transactions }) });
    expect(response.status).toBe(200);
    return (await response.json()) as { acknowledged: number[] };
  }

  const storeOrderOf = (t: StoreTransaction) => scalar(app, "SELECT count(*) FROM orders WHERE idempotency_key = ?", [`pos:${device.deviceId}:${t.sequence}`]);
  const storeOrderId = async (t: StoreTransaction) =>
    String((await app.database.client.execute({ sql: "SELECT id FROM orders WHERE idempotency_key = ?", args: [`pos:${device.deviceId}:${t.sequence}`] })).rows[0]![0]);

  it("awards a store sale with a member code from the POS ingest to that member, and a refund receipt deducts them", async () => {
    const buyer = await shopper();
    const memberCode = await memberCodeOf(buyer.client);
    const { skuId } = await testProduct(app, { priceFen: 5_000, stock: 10 });
    const code = await skuCode(app, skuId);

    // The till prints the code its own way: lower case, spaced.
    const sale = receipt(code, 5_000, "sale", `${memberCode.toLowerCase().slice(0, 6)} ${memberCode.slice(6)}`);
    await ingest([sale]);
    const saleOrder = await storeOrderId(sale);
    expect(await entry(saleOrder, "order_paid")).toMatchObject({ user_id: buyer.id, delta: 50, spend_fen: 5_000, note: "store" });
    expect(await balance(buyer.id)).toBe(50);
    await ingest([sale]); // the agent sends the batch again
    expect(await balance(buyer.id)).toBe(50);
    expect(await (await buyer.client.get("/member")).text()).toContain("Store purchase");

    const refund = receipt(code, 2_000, "refund", memberCode);
    await ingest([refund]);
    expect(await entry(await storeOrderId(refund), "order_refunded")).toMatchObject({ user_id: buyer.id, delta: -20, spend_fen: -2_000 });
    expect(await balance(buyer.id)).toBe(30);
    expect(await skuStock(app, skuId)).toBe(10);
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE subject = ? AND action IN ('points.earned', 'points.reversed')", [`user:${buyer.id}`])).toBe(2);
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  });

  it("deducts a full refund of the till sale that lifted the member to Silver at the tier it earned at", async () => {
    const buyer = await shopper();
    const memberCode = await memberCodeOf(buyer.client);
    const { skuId } = await testProduct(app, { priceFen: 100_000, stock: 10 });
    const code = await skuCode(app, skuId);
    const sale = receipt(code, 100_000, "sale", memberCode);
    await ingest([sale]);
    expect(await entry(await storeOrderId(sale), "order_paid")).toMatchObject({ delta: 1_000, spend_fen: 100_000 }); // earned at Regular; now Silver

    // Counted at Silver (the tier the sale itself brought) it would take 1,250 and leave −250.
    const refund = receipt(code, 100_000, "refund", memberCode);
    await ingest([refund]);
    expect(await entry(await storeOrderId(refund), "order_refunded")).toMatchObject({ delta: -1_000, spend_fen: -100_000 });
    expect(await balance(buyer.id)).toBe(0);
  });

  it("never deducts more for till refunds than the member's till sales earned", async () => {
    const buyer = await shopper();
    const memberCode = await memberCodeOf(buyer.client);
    await paidOrder(buyer, 30_000); // 300 points online
    const { skuId } = await testProduct(app, { priceFen: 5_000, stock: 10 });
    const code = await skuCode(app, skuId);
    await ingest([receipt(code, 5_000, "sale", memberCode)]); // 50 points at the till
    const refund = receipt(code, 8_000, "refund", memberCode); // a refund receipt larger than any till sale of theirs
    await ingest([refund]);
    expect(await entry(await storeOrderId(refund), "order_refunded")).toMatchObject({ delta: -50 });
    expect(await balance(buyer.id)).toBe(300);
  });

  it("keeps an erased member's ledger, and their code names nobody any more", async () => {
    const buyer = await shopper();
    const memberCode = await memberCodeOf(buyer.client);
    const { skuId } = await testProduct(app, { priceFen: 4_000, stock: 10 });
    const code = await skuCode(app, skuId);
    await ingest([receipt(code, 4_000, "sale", memberCode)]);
    expect(await balance(buyer.id)).toBe(40);

    const { id } = await app.services.erasure.request(buyer.id);
    const counts = await app.services.erasure.carryOut({ type: "system", id: "test" }, id);
    expect(counts.member_code).toBe(1);
    expect(await ledgerRows(buyer.id)).toBe(1);
    const later = receipt(code, 4_000, "sale", memberCode);
    await ingest([later]);
    expect(await storeOrderOf(later)).toBe(1);
    expect(await scalar(app, "SELECT count(*) FROM points_ledger WHERE order_id = ?", [await storeOrderId(later)])).toBe(0);
    expect(await balance(buyer.id)).toBe(40);
  });

  it("reads a receipt's member code in the agent's jsonl driver, and none when the line has none", () => {
    const line = { receiptNo: "R1", lines: [{ code: "SKU-1", quantity: 1, unitPriceFen: 100 }], totalFen: 100 };
    const withCode = parseTransactionLine(JSON.stringify({ ...line, memberCode: "M1234567897" }));
    expect(withCode.ok && withCode.transaction.memberCode).toBe("M1234567897");
    const without = parseTransactionLine(JSON.stringify(line));
    expect(without.ok && without.transaction.memberCode).toBeUndefined();
  });

  it("earns nothing for a walk-in sale or an unknown code, and records the sale all the same", async () => {
    const { skuId } = await testProduct(app, { priceFen: 3_000, stock: 10 });
    const code = await skuCode(app, skuId);
    const walkIn = receipt(code, 3_000, "sale");
    const mistyped = receipt(code, 3_000, "sale", "M0000000001");
    const garbage = receipt(code, 3_000, "sale", "not-a-code");
    expect((await ingest([walkIn, mistyped, garbage])).acknowledged).toEqual([walkIn.sequence, mistyped.sequence, garbage.sequence]);
    for (const t of [walkIn, mistyped, garbage]) {
      expect(await storeOrderOf(t)).toBe(1);
      expect(await scalar(app, "SELECT count(*) FROM points_ledger WHERE order_id = ?", [await storeOrderId(t)])).toBe(0);
    }
    expect(await skuStock(app, skuId)).toBe(7);
  });
});
