// A shopper downloads all their data as JSON from their account: account, orders with the address in
// clear, coupon claims (unused and used); nobody else's data; the export is audited; anonymous visitors sign in first.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { PERSONAL_DATA_FORMAT, type PersonalData } from "../modules/compliance/index.ts";
import { address, checkoutFields, demoStoreId, newShopper, orderIdFrom, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, TEST_SESSION_SECRET, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(() => app.close());

describe("personal data export", () => {
  it("gives a shopper their account, orders with the address in clear and coupon claims, and nobody else's", async () => {
    const owner = (await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!;
    const storeId = await demoStoreId(app);
    const now = Date.now();
    for (const code of ["EXPORT5", "USEDEXPORT"]) await app.services.orders.coupons.create({ type: "user", id: owner.id }, {
      storeId, code, nameZh: "导出券", nameEn: "Export coupon", kind: "amount_off", value: 500, minSpendFen: 0, capFen: null,
      audience: "everyone", scope: "store", startsAt: new Date(now - 60_000), endsAt: new Date(now + 86_400_000), perShopperLimit: 1, totalLimit: 10,
    });
    const product = await testProduct(app, { priceFen: 4_200, stock: 10 });

    const shopper = await newShopper(app, "exporter");
    await shopper.client.get(`/checkout?sku=${product.skuId}`);
    const orderId = orderIdFrom(await shopper.client.post("/checkout", checkoutFields({ sku: product.skuId, couponCode: "USEDEXPORT" })));
    await app.services.orders.coupons.claim(shopper.id, "EXPORT5");

    const other = await newShopper(app, "bystander");
    await other.client.get(`/checkout?sku=${product.skuId}`);
    const otherOrderId = orderIdFrom(await other.client.post("/checkout", checkoutFields({ sku: product.skuId, recipient: "李四", street: "别处路 9 号" })));

    const response = await shopper.client.request("/account/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="broadcart-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const text = await response.text();
    const data = JSON.parse(text) as PersonalData;

    expect(data.format).toBe(PERSONAL_DATA_FORMAT);
    expect(data.account.id).toBe(shopper.id);
    expect(data.account.email).toContain("exporter-");
    expect(data.account.displayName).toContain("exporter");
    expect(Array.isArray(data.account.roles)).toBe(true);
    expect(data.orders.map((order) => order.id)).toEqual([orderId]);
    expect(data.orders[0]!.address).toEqual(address);
    expect(data.orders[0]!.lines[0]!.skuId).toBe(product.skuId);
    expect(data.couponClaims.unused.map((claim) => (claim as { coupon: { code: string } }).coupon.code)).toEqual(["EXPORT5"]);
    expect(data.couponClaims.used.map((claim) => claim as { coupon: { code: string }; orderId: string })).toMatchObject([{ coupon: { code: "USEDEXPORT" }, orderId }]);
    expect(data.orders[0]!.discount.amount).toBe(500);
    expect(data.omitted).toEqual([]);
    expect(data.omitted.map((o) => o.what)).not.toContain("chat_messages");
    expect(data.chatMessages).toEqual([]);

    expect(text).not.toContain(other.id);
    expect(text).not.toContain(otherOrderId);
    expect(text).not.toContain("李四");

    const [entry] = await app.services.audit.recent(1);
    expect(entry!.action).toBe("personal_data.exported");
    expect(entry!.actor).toEqual({ type: "user", id: shopper.id });
    expect(entry!.subject).toBe(`user:${shopper.id}`);
    expect(entry!.data).toMatchObject({ orders: 1, couponClaims: 2 });
  });

  it("includes what the shopper follows, wrote in store communities and was notified of", async () => {
    const shopper = await newShopper(app, "social-exporter");
    const host = (await app.services.accounts.findByEmail("host.lin@demo.broadcart.test"))!;
    await app.services.follows.follow(shopper.id, { type: "host", id: host.id });
    await app.services.notifications.notify(undefined, shopper.id, "moderation.warning", { kind: "chat", field: "body", terms: ["最"], note: "" });
    const data = JSON.parse(await (await shopper.client.request("/account/export")).text()) as PersonalData;
    expect(Object.keys(data.more).sort()).toEqual(["community", "following", "inbox", "showReminders"]);
    expect(JSON.stringify(data.more.following)).toContain(host.id);
    expect(data.more.inbox as unknown[]).toHaveLength(1);
    expect(data.more.community).toEqual({ posts: [], comments: [], likes: [] });
  });

  it("includes every order of a shopper with more orders than one page of the export's reads", async () => {
    const shopper = await newShopper(app, "many-orders");
    const product = await testProduct(app, { priceFen: 100, stock: 500 });
    const placed: string[] = [];
    for (let i = 0; i < 205; i++) {
      const order = await app.services.orders.checkout.placeOrder({
        userId: shopper.id, idempotencyKey: `bulk-${i}`, lines: [{ skuId: product.skuId, quantity: 1 }], address: { ...address, street: `批量路 ${i} 号` },
        couponCode: null, paymentMethod: "offline", channel: "storefront", liveSessionId: null, fromCart: false,
      });
      placed.push(order.id);
    }
    const data = JSON.parse(await (await shopper.client.request("/account/export")).text()) as PersonalData;
    expect(data.orders).toHaveLength(205);
    expect(new Set(data.orders.map((order) => order.id))).toEqual(new Set(placed));
    expect(data.orders.every((order) => order.address.street.startsWith("批量路"))).toBe(true);
  }, 60_000);

  it("sends an anonymous visitor to sign in", async () => {
    const response = await app.client().request("/account/export");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toContain("/signin");
  });

  it("works for a demo account signed in with a password", async () => {
    const client = app.client();
    await client.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
    const data = JSON.parse(await (await client.request("/account/export")).text()) as PersonalData;
    expect(data.account.email).toBe("owner@demo.broadcart.test");
  });
});
