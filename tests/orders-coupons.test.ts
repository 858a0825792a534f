// Merchant staff create coupons through the page; shoppers use them at checkout with the rules held.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { utcToWallTime } from "../src/platform/zoned-time.ts";
import { checkoutFields, newShopper, orderIdFrom, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let owner: TestClient;
const wall = (offsetMs: number) => utcToWallTime(new Date(Date.now() + offsetMs), "Asia/Shanghai");

beforeAll(async () => {
  app = await startTestApp();
  owner = app.client();
  await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
  await owner.get("/merchant/coupons");
}, 60_000);
afterAll(() => app.close());

const couponForm = (fields: Record<string, string | string[]>) => ({
  nameZh: "测试券",
  nameEn: "Test coupon",
  kind: "amount_off",
  audience: "everyone",
  scope: "store",
  startsAt: wall(-60_000),
  endsAt: wall(86_400_000),
  perShopperLimit: "1",
  totalLimit: "10",
  ...fields,
});

describe("merchant coupons", () => {
  it("refuses a bad coupon form with every message in place and creates nothing", async () => {
    const storeId = (await app.services.orders.managedStore((await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!.id))!.id;
    const before = (await app.services.orders.coupons.listForStore(storeId)).length;
    const response = await owner.post("/merchant/coupons", couponForm({ code: "x", amount: "12.345", startsAt: wall(86_400_000), endsAt: wall(-60_000), perShopperLimit: "5", totalLimit: "2" }), { htmx: true });
    expect(response.status).toBe(422);
    const html = await response.text();
    for (const message of ["Coupon codes are 3 to 32", "Enter an amount in yuan", "The end must come after the start", "per-shopper limit cannot exceed"]) expect(html).toContain(message);
    expect(await app.services.orders.coupons.listForStore(storeId)).toHaveLength(before);
  });

  it("creates a percent coupon with a cap for some products; checkout rounds down and caps it", async () => {
    const covered = await testProduct(app, { priceFen: 9_999, stock: 10 });
    const other = await testProduct(app, { priceFen: 5_000, stock: 10 });
    const created = await owner.post("/merchant/coupons", couponForm({ code: "tea15", kind: "percent_off", percent: "15", cap: "20", scope: "products", productIds: [covered.productId] }));
    expect(created.status).toBe(303);
    const page = await (await owner.get("/merchant/coupons")).text();
    expect(page).toContain("TEA15");
    expect(page).toContain("15% off, at most ¥20.00");
    expect((await owner.post("/merchant/coupons", couponForm({ code: "TEA15", amount: "5" }), { htmx: true })).status).toBe(422);

    const { id, client } = await newShopper(app);
    await client.post("/cart", { sku: covered.skuId, quantity: "1" });
    await client.post("/cart", { sku: other.skuId, quantity: "1" });
    await client.get("/checkout");
    const quote = await client.post("/checkout/quote", checkoutFields({ couponCode: "TEA15" }), { htmx: true });
    // 15 % of ¥99.99 is 1499.85 fen: rounded down to ¥14.99, under the ¥20 cap; the other product is not covered.
    expect(await quote.text()).toContain("-¥14.99");
    const orderId = orderIdFrom(await client.post("/checkout", checkoutFields({ couponCode: "TEA15" })));
    const order = await app.services.orders.queries.shopperOrder(id, orderId);
    expect(order.discount.amount).toBe(1_499);
    expect(order.total.amount).toBe(9_999 + 5_000 - 1_499);
    expect(order.lines.find((line) => line.productId === other.productId)!.discount.amount).toBe(0);
    expect((await client.get("/cart")).status).toBe(200);
    expect(await (await client.get("/cart")).text()).toContain("Your cart is empty");
  });

  it("keeps a first-order coupon from a shopper who has ordered before", async () => {
    await owner.post("/merchant/coupons", couponForm({ code: "FIRSTORDER", amount: "10", audience: "new_shoppers" }));
    const product = await testProduct(app, { priceFen: 3_000, stock: 10 });
    const { client } = await newShopper(app);
    await client.get(`/checkout?sku=${product.skuId}`);
    expect((await client.post("/checkout", checkoutFields({ sku: product.skuId, couponCode: "FIRSTORDER" }))).status).toBe(303);
    const again = await client.post("/checkout", checkoutFields({ sku: product.skuId, couponCode: "FIRSTORDER" }), { htmx: true });
    expect(again.status).toBe(422);
    expect(await again.text()).toMatch(/first order only|already claimed/);
  });

  it("stops a withdrawn coupon at checkout", async () => {
    await owner.post("/merchant/coupons", couponForm({ code: "GONE", amount: "5" }));
    const store = (await app.services.orders.managedStore((await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!.id))!;
    const coupon = (await app.services.orders.coupons.listForStore(store.id)).find((c) => c.code === "GONE")!;
    await owner.post(`/merchant/coupons/${coupon.id}/active`, { active: "false" });
    const product = await testProduct(app, { priceFen: 3_000, stock: 10 });
    const { client } = await newShopper(app);
    await client.get(`/checkout?sku=${product.skuId}`);
    const response = await client.post("/checkout", checkoutFields({ sku: product.skuId, couponCode: "gone" }), { htmx: true });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("withdrawn");
  });
});
