// An order's life through the real app, paid in store: staff confirm the cash, ship it, the shopper
// asks to return it, staff approve and receive it, the money goes back and the units return once.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { checkoutFields, newShopper, orderIdFrom, scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let staff: TestClient;

beforeAll(async () => {
  app = await startTestApp();
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
}, 60_000);
afterAll(() => app.close());

async function placeOrder(skuId: string, quantity = 2) {
  const shopper = await newShopper(app);
  await shopper.client.get(`/checkout?sku=${skuId}`);
  const orderId = orderIdFrom(await shopper.client.post("/checkout", checkoutFields({ sku: skuId, quantity: String(quantity) })));
  return { ...shopper, orderId };
}

describe("order lifecycle, paid in store", () => {
  it("goes paid → shipped → return requested → approved → goods received → refunded, restocking once", async () => {
    const { skuId } = await testProduct(app, { priceFen: 15_800, stock: 10 });
    const { client, orderId } = await placeOrder(skuId);
    expect(await skuStock(app, skuId)).toBe(8);

    await staff.get(`/merchant/orders/${orderId}`);
    expect((await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true })).status).toBe(200);
    const second = await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain("moved on");

    const badShip = await staff.post(`/merchant/orders/${orderId}/ship`, { carrier: "", trackingNumber: "x" }, { htmx: true });
    expect(badShip.status).toBe(422);
    expect(await badShip.text()).toContain("Enter the tracking number");
    expect((await staff.post(`/merchant/orders/${orderId}/ship`, { carrier: "顺丰速运 SF Express", trackingNumber: "SF1234567890" }, { htmx: true })).status).toBe(200);

    const shopperView = await client.get(`/orders/${orderId}`);
    const html = await shopperView.text();
    expect(html).toContain("SF1234567890");
    expect(html).toContain("Shipped");

    const noReason = await client.post(`/orders/${orderId}/after-sales`, { kind: "return_and_refund", reason: "" }, { htmx: true });
    expect(noReason.status).toBe(422);
    expect((await client.post(`/orders/${orderId}/after-sales`, { kind: "return_and_refund", reason: "茶饼有破损 The cake arrived broken" }, { htmx: true })).status).toBe(200);
    const twice = await client.post(`/orders/${orderId}/after-sales`, { kind: "refund_only", reason: "again" }, { htmx: true });
    expect(twice.status).toBe(409);

    const requestId = String((await app.database.client.execute({ sql: "SELECT id FROM after_sales WHERE order_id = ?", args: [orderId] })).rows[0]![0]);
    const listed = await staff.get("/merchant/orders?status=after_sales");
    expect(await listed.text()).toContain(orderId);
    expect((await staff.post(`/merchant/after-sales/${requestId}/decide`, { decision: "approve", note: "请寄回 Please send it back" }, { htmx: true })).status).toBe(200);
    expect(await skuStock(app, skuId)).toBe(8); // not until the goods are back

    const received = await staff.post(`/merchant/after-sales/${requestId}/returned`, {}, { htmx: true });
    expect(received.status).toBe(200);
    await staff.post(`/merchant/after-sales/${requestId}/returned`, {}, { htmx: true });
    expect(await skuStock(app, skuId)).toBe(10);
    expect(await scalar(app, "SELECT count(*) FROM stock_movements WHERE order_id = ? AND reason = 'return'", [orderId])).toBe(1);

    const after = await client.get(`/orders/${orderId}`);
    expect(await after.text()).toContain("Refunded");
    const actions = (await app.services.audit.recent(50)).filter((entry) => entry.subject === `order:${orderId}`).map((entry) => entry.action);
    expect(actions.reverse()).toEqual(["order.placed", "order.paid", "order.shipped", "after_sale.requested", "after_sale.approved", "after_sale.goods_returned", "order.refunded"]);
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  });

  it("refunds an unshipped order on approval and puts its units back; a rejected request changes nothing", async () => {
    const { skuId } = await testProduct(app, { priceFen: 3_000, stock: 5 });
    const { client, orderId } = await placeOrder(skuId, 1);
    await staff.get(`/merchant/orders/${orderId}`);
    await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {});
    await client.post(`/orders/${orderId}/after-sales`, { kind: "refund_only", reason: "Ordered the wrong size" });
    const requestId = String((await app.database.client.execute({ sql: "SELECT id FROM after_sales WHERE order_id = ?", args: [orderId] })).rows[0]![0]);
    await staff.post(`/merchant/after-sales/${requestId}/decide`, { decision: "approve", note: "" });
    expect(await skuStock(app, skuId)).toBe(5);
    expect((await app.services.orders.queries.shopperOrder((await app.services.orders.queries.storeOrder((await app.services.accounts.findByEmail("staff@demo.broadcart.test"))!.id, orderId)).userId, orderId)).status).toBe("refunded");

    const other = await placeOrder(skuId, 1);
    await staff.post(`/merchant/orders/${other.orderId}/confirm-payment`, {});
    await other.client.post(`/orders/${other.orderId}/after-sales`, { kind: "refund_only", reason: "Changed my mind" });
    const otherRequest = String((await app.database.client.execute({ sql: "SELECT id FROM after_sales WHERE order_id = ?", args: [other.orderId] })).rows[0]![0]);
    await staff.post(`/merchant/after-sales/${otherRequest}/decide`, { decision: "reject", note: "Tea is food; no change-of-mind returns" });
    expect(await skuStock(app, skuId)).toBe(4);
    expect(await (await other.client.get(`/orders/${other.orderId}`)).text()).toContain("no change-of-mind returns");
  });

  it("keeps staff of other stores and other shoppers out of an order", async () => {
    const { skuId } = await testProduct(app, { priceFen: 1_000, stock: 5 });
    const { orderId } = await placeOrder(skuId, 1);
    const stranger = await newShopper(app);
    expect((await stranger.client.get(`/orders/${orderId}`)).status).toBe(404);
    const system = { type: "system" as const, id: "test" };
    const rival = await app.services.accounts.createAccount({ email: "rival@example.com", displayName: "Rival", password: "long-enough-password", roles: ["merchant"] }, system);
    const rivalStore = await app.services.catalog.createStore(system, { nameZh: "对手店", nameEn: "Rival shop", currency: "CNY" });
    await app.services.catalog.addStaff(system, rivalStore.id, rival.id, "owner");
    const rivalClient = app.client();
    await rivalClient.signIn("rival@example.com", "long-enough-password");
    expect((await rivalClient.get(`/merchant/orders/${orderId}`)).status).toBe(403);
    expect((await rivalClient.post(`/merchant/orders/${orderId}/confirm-payment`, {})).status).toBe(403);
    expect(await (await rivalClient.get("/merchant/orders")).text()).not.toContain(orderId);
  });
});
