// Checkout through the real app: one stock under a crowd, idempotent submits, race-safe coupons,
// expiry that returns units once, and server-side prices whatever the browser sends.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { checkoutFields, demoStoreId, newShopper, orderIdFrom, scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { fastTestPasswords, startTestApp, type TestApp } from "./fixtures/test-app.ts";

/** A clock the test moves forward, to reach an order's payment deadline without waiting. */
function testClock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms) };
}

const clock = testClock();
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ passwords: fastTestPasswords(), clock });
}, 60_000);
afterAll(() => app.close());

/** A 满减 coupon for the whole demo store, valid from a minute ago for a day, one per shopper. */
async function storeCoupon(code: string, offFen: number, minSpendFen: number) {
  const now = clock.now().getTime();
  await app.services.orders.coupons.create({ type: "system", id: "test" }, {
    storeId: await demoStoreId(app), code, nameZh: `满减 ${code}`, nameEn: `${code} off`, kind: "amount_off", value: offFen, minSpendFen, capFen: null,
    audience: "everyone", scope: "store", startsAt: new Date(now - 60_000), endsAt: new Date(now + 86_400_000), perShopperLimit: 1, totalLimit: 100,
  });
}

describe("one stock under a crowd", () => {
  it("sells a 50-unit SKU to exactly 50 of 200 shoppers checking out at once; stock ends at 0, never below", async () => {
    const { skuId } = await testProduct(app, { priceFen: 9_900, stock: 50 });
    const shoppers = await Promise.all(Array.from({ length: 200 }, () => newShopper(app, "crowd")));
    for (const { client } of shoppers) await client.get(`/checkout?sku=${skuId}&quantity=1`);
    const answers = await Promise.all(shoppers.map(({ client }) => client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1" }))));
    const placed = answers.filter((response) => response.status === 303);
    const refused = answers.filter((response) => response.status === 409);
    expect(placed).toHaveLength(50);
    expect(refused).toHaveLength(150);
    expect(await refused[0]!.text()).toContain("not enough of this item is left");
    expect(await skuStock(app, skuId)).toBe(0);
    expect(await scalar(app, "SELECT count(*) FROM order_items WHERE sku_id = ?", [skuId])).toBe(50);
    expect(await scalar(app, "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE sku_id = ? AND reason = 'sale'", [skuId])).toBe(-50);
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  }, 120_000);
});

describe("idempotent checkout", () => {
  it("returns the first order for the same idempotency key, sent twice in a row and twice at once", async () => {
    const { skuId } = await testProduct(app, { priceFen: 1_000, stock: 10 });
    const { client } = await newShopper(app);
    await client.get(`/checkout?sku=${skuId}`);
    const fields = checkoutFields({ sku: skuId, quantity: "2" });
    const first = orderIdFrom(await client.post("/checkout", fields));
    const again = orderIdFrom(await client.post("/checkout", fields));
    expect(again).toBe(first);
    const concurrent = checkoutFields({ sku: skuId, quantity: "1" });
    const [a, b] = await Promise.all([client.post("/checkout", concurrent), client.post("/checkout", concurrent)]);
    expect(orderIdFrom(a)).toBe(orderIdFrom(b));
    expect(await skuStock(app, skuId)).toBe(7);
  });
});

describe("coupons", () => {
  it("uses a single-use coupon once when two tabs submit it at the same moment", async () => {
    await storeCoupon("TWOTABS", 3_000, 10_000);
    const { skuId } = await testProduct(app, { priceFen: 12_000, stock: 10 });
    const { id, client } = await newShopper(app);
    await client.get(`/checkout?sku=${skuId}`);
    const [tabA, tabB] = await Promise.all([
      client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", couponCode: "twotabs" })),
      client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", couponCode: "twotabs" })),
    ]);
    const statuses = [tabA.status, tabB.status].sort();
    expect(statuses).toEqual([303, 422]);
    const refused = tabA.status === 422 ? tabA : tabB;
    expect(await refused.text()).toMatch(/already (been used|claimed this coupon)/);
    const orders = await app.services.orders.queries.forShopper(id);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.discount.amount).toBe(3_000);
    expect(orders[0]!.total.amount).toBe(9_000);
    // The refused tab took no stock.
    expect(await skuStock(app, skuId)).toBe(9);
  });

  it("refuses a 满减 coupon below its threshold with the amount in the message, and takes nothing", async () => {
    await storeCoupon("BIGSPEND", 5_000, 50_000);
    const { skuId } = await testProduct(app, { priceFen: 12_000, stock: 5 });
    const { client } = await newShopper(app);
    await client.get(`/checkout?sku=${skuId}`);
    const response = await client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", couponCode: "BIGSPEND" }), { htmx: true });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("¥500.00");
    expect(await skuStock(app, skuId)).toBe(5);
  });
});

describe("prices come from the server", () => {
  it("ignores prices and totals a client adds to the form, and refuses negative or huge quantities in place", async () => {
    const { skuId } = await testProduct(app, { priceFen: 4_990, stock: 5 });
    const { id, client } = await newShopper(app);
    await client.get(`/checkout?sku=${skuId}`);
    const placed = await client.post("/checkout", checkoutFields({ sku: skuId, quantity: "2", priceFen: "1", total: "0.01", unitPriceFen: "1" }));
    const order = await app.services.orders.queries.shopperOrder(id, orderIdFrom(placed));
    expect(order.total.amount).toBe(9_980);
    for (const quantity of ["-1", "0", "1e3", "100000", "2.5"]) {
      const response = await client.post("/checkout", checkoutFields({ sku: skuId, quantity }));
      expect(response.status).toBe(422);
    }
    expect(await skuStock(app, skuId)).toBe(3);
  });

  it("re-renders the checkout with messages in place for a bad address, and places nothing", async () => {
    const { skuId } = await testProduct(app, { priceFen: 1_000, stock: 5 });
    const { id, client } = await newShopper(app);
    await client.get(`/checkout?sku=${skuId}`);
    const response = await client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", recipient: "", phone: "call me" }), { htmx: true });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain("Enter the recipient");
    expect(html).toContain("mobile number");
    expect(html).toContain('value="龙井路 1 号"');
    expect(await app.services.orders.queries.forShopper(id)).toHaveLength(0);
  });
});

describe("unpaid orders expire", () => {
  it("returns an expired order's units once, even when the expiry job runs twice at once, and gives the coupon back", async () => {
    const { skuId } = await testProduct(app, { priceFen: 2_000, stock: 4 });
    const { id, client } = await newShopper(app);
    await client.get(`/checkout?sku=${skuId}`);
    const orderId = orderIdFrom(await client.post("/checkout", checkoutFields({ sku: skuId, quantity: "3" })));
    expect(await skuStock(app, skuId)).toBe(1);
    clock.advance(3 * 24 * 60 * 60 * 1000); // past OFFLINE_PAYMENT_MINUTES (two days)
    const runs = await Promise.all([app.services.orders.lifecycle.expireUnpaid(), app.services.orders.lifecycle.expireUnpaid()]);
    expect(runs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(await app.services.orders.lifecycle.expireUnpaid()).toBe(0);
    expect(await skuStock(app, skuId)).toBe(4);
    expect(await scalar(app, "SELECT count(*) FROM stock_movements WHERE order_id = ? AND reason = 'release'", [orderId])).toBe(1);
    const order = await app.services.orders.queries.shopperOrder(id, orderId);
    expect(order.status).toBe("expired");
    const page = await client.get(`/orders/${orderId}`);
    expect(await page.text()).toContain("not paid in time");
  });
});

describe("receipt nobody confirmed", () => {
  it("completes a shipped order fifteen days after shipping, once", async () => {
    const { skuId } = await testProduct(app, { priceFen: 2_000, stock: 4 });
    const { id, client } = await newShopper(app);
    await client.get(`/checkout?sku=${skuId}`);
    const orderId = orderIdFrom(await client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1" })));
    const staff = { type: "user" as const, id: (await app.services.accounts.findByEmail("staff@demo.broadcart.test"))!.id };
    await app.services.orders.lifecycle.confirmOfflinePayment(staff, orderId);
    await app.services.orders.lifecycle.ship(staff, orderId, "中通快递 ZTO", "ZTO778899001122");
    clock.advance(14 * 24 * 60 * 60 * 1000);
    await app.services.orders.lifecycle.completeUnconfirmed();
    expect((await app.services.orders.queries.shopperOrder(id, orderId)).status).toBe("shipped");
    clock.advance(2 * 24 * 60 * 60 * 1000);
    expect(await app.services.orders.lifecycle.completeUnconfirmed()).toBeGreaterThanOrEqual(1);
    expect(await app.services.orders.lifecycle.completeUnconfirmed()).toBe(0);
    expect((await app.services.orders.queries.shopperOrder(id, orderId)).status).toBe("completed");
  });
});
