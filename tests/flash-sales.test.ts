// Live-room flash sales through the real app: a crowd in the room buys exactly the sale's units at
// the sale price, the price holds only in its session, units come back from unpaid orders, a stopped
// sale sells no more, coupons leave flash-sale lines alone, and bad sales are refused.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Actor } from "../modules/compliance/index.ts";
import { createFlashSales } from "../modules/orders/flash-sales.ts";
import { pbkdf2Hasher } from "../src/platform/password.ts";
import { checkoutFields, demoStoreId, newShopper, orderIdFrom, scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

/** A clock the test moves forward, to reach an order's payment deadline without waiting. */
function testClock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => void (offset += ms) };
}

const clock = testClock();
let app: TestApp;
let storeId: string;
let host: Actor;
/** The room the sales run in, and another session of the same store. */
let room: string;
let otherRoom: string;

beforeAll(async () => {
  app = await startTestApp({ passwords: pbkdf2Hasher(1_000), clock });
  storeId = await demoStoreId(app);
  host = { type: "user", id: (await app.services.accounts.findByEmail("host.lin@demo.broadcart.test"))!.id };
  const schedule = async (title: string) =>
    (await app.services.live.scheduleSession({ type: "system", id: "test" }, { storeId, hostId: host.id, title, scheduledAt: clock.now(), productIds: [] })).id;
  room = await schedule("秒杀专场 Flash sale night");
  otherRoom = await schedule("另一场 Another show");
  await app.services.live.startSession(host, room);
}, 60_000);
afterAll(() => app.close());

const startSale = (skuId: string, priceFen: number, units: number, durationSeconds = 600, liveSessionId = room) =>
  app.services.orders.flashSales.start(host, { storeId, liveSessionId, skuId, priceFen, units, durationSeconds });

/** A shopper in the room: opens the checkout the room links to (GET /checkout?sku=…&live=…), then places it. */
async function roomCheckout(client: TestClient, skuId: string, fields: Record<string, string> = {}, liveSession = room) {
  await client.get(`/checkout?sku=${skuId}&live=${liveSession}`);
  return client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", liveSession, ...fields }));
}

const orderLines = (orderId: string) =>
  app.database.client.execute({ sql: "SELECT sku_id, unit_price_fen, discount_fen, flash_sale_id FROM order_items WHERE order_id = ? ORDER BY unit_price_fen", args: [orderId] }).then((r) => r.rows);

describe("a crowd in the room", () => {
  it("sells a 20-unit flash sale to exactly 20 of 60 buyers at once, at the sale price, and refuses the rest with the sold-out message", async () => {
    const { skuId } = await testProduct(app, { priceFen: 9_900, stock: 100 });
    const sale = await startSale(skuId, 5_900, 20);
    expect(sale).toMatchObject({ status: "running", units: 20, sold: 0, left: 20, price: { amount: 5_900 }, regularPrice: { amount: 9_900 } });
    expect((await app.services.orders.flashSales.active(room)).map((s) => s.id)).toContain(sale.id);

    const shoppers = await Promise.all(Array.from({ length: 60 }, () => newShopper(app, "flash")));
    const pages = await Promise.all(shoppers.map(({ client }) => client.get(`/checkout?sku=${skuId}&live=${room}`)));
    expect(await pages[0]!.text()).toContain("¥59.00"); // the checkout page quotes the sale price
    const answers = await Promise.all(shoppers.map(({ client }) => client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", liveSession: room }))));
    const placed = answers.filter((response) => response.status === 303);
    const refused = answers.filter((response) => response.status === 409);
    expect(placed).toHaveLength(20);
    expect(refused).toHaveLength(40);
    for (const response of refused) expect(await response.text()).toContain("the flash sale has sold out");

    expect(await app.services.orders.flashSales.get(sale.id)).toMatchObject({ sold: 20, left: 0, status: "sold_out" });
    expect(await skuStock(app, skuId)).toBe(80);
    expect(await scalar(app, "SELECT count(*) FROM order_items WHERE sku_id = ?", [skuId])).toBe(20);
    expect(await scalar(app, "SELECT count(*) FROM order_items WHERE sku_id = ? AND flash_sale_id = ? AND unit_price_fen = 5900", [skuId, sale.id])).toBe(20);
    expect(await scalar(app, "SELECT count(*) FROM orders o JOIN order_items i ON i.order_id = o.id WHERE i.sku_id = ? AND o.channel = 'live' AND o.live_session_id = ? AND o.total_fen = 5900", [skuId, room])).toBe(20);
    expect(await scalar(app, "SELECT coalesce(sum(delta), 0) FROM stock_movements WHERE sku_id = ? AND reason = 'sale'", [skuId])).toBe(-20);
    // Sold out: the room no longer shows it, and one more buyer is still refused, not charged the regular price.
    expect((await app.services.orders.flashSales.active(room)).map((s) => s.id)).not.toContain(sale.id);
    const late = await roomCheckout((await newShopper(app, "late")).client, skuId);
    expect(late.status).toBe(409);
    expect(await skuStock(app, skuId)).toBe(80);
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  }, 120_000);
});

describe("the sale price belongs to its session", () => {
  it("charges the regular price on the storefront and in another session while the sale runs", async () => {
    const { skuId } = await testProduct(app, { priceFen: 12_000, stock: 10 });
    const sale = await startSale(skuId, 8_800, 5);
    const { id, client } = await newShopper(app);

    await client.get(`/checkout?sku=${skuId}`);
    const storefront = orderIdFrom(await client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1" })));
    const elsewhere = orderIdFrom(await roomCheckout(client, skuId, {}, otherRoom));
    const inRoom = orderIdFrom(await roomCheckout(client, skuId, { quantity: "2" }));

    const total = async (orderId: string) => (await app.services.orders.queries.shopperOrder(id, orderId)).total.amount;
    expect(await total(storefront)).toBe(12_000);
    expect(await total(elsewhere)).toBe(12_000);
    expect(await total(inRoom)).toBe(17_600);
    expect((await orderLines(storefront))[0]).toMatchObject({ unit_price_fen: 12_000, flash_sale_id: null });
    expect((await orderLines(elsewhere))[0]).toMatchObject({ unit_price_fen: 12_000, flash_sale_id: null });
    expect((await orderLines(inRoom))[0]).toMatchObject({ unit_price_fen: 8_800, flash_sale_id: sale.id });
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(2);
    expect(await skuStock(app, skuId)).toBe(6);
  });

  it("refuses an order for more units than the sale has left, taking nothing", async () => {
    const { skuId } = await testProduct(app, { priceFen: 3_000, stock: 10 });
    const sale = await startSale(skuId, 1_000, 2);
    const response = await roomCheckout((await newShopper(app)).client, skuId, { quantity: "3" });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain("the flash sale has sold out");
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(0);
    expect(await skuStock(app, skuId)).toBe(10);
  });
});

describe("coupons and flash sales", () => {
  it("takes a store coupon off the regular lines only: a flash-sale line is neither discounted nor counted towards the threshold", async () => {
    const now = clock.now().getTime();
    await app.services.orders.coupons.create({ type: "system", id: "test" }, {
      storeId, code: "FLASHMIX", nameZh: "满 100 减 20", nameEn: "¥20 off over ¥100", kind: "amount_off", value: 2_000, minSpendFen: 10_000, capFen: null,
      audience: "everyone", scope: "store", startsAt: new Date(now - 60_000), endsAt: new Date(now + 86_400_000), perShopperLimit: 5, totalLimit: 100,
    });
    const flash = await testProduct(app, { priceFen: 20_000, stock: 10 });
    const regular = await testProduct(app, { priceFen: 11_000, stock: 10 });
    const sale = await startSale(flash.skuId, 15_000, 5);
    const { id, client } = await newShopper(app);

    // The flash-sale line alone (¥150) would pass the ¥100 threshold, but it is not eligible.
    const alone = await roomCheckout(client, flash.skuId, { couponCode: "FLASHMIX" });
    expect(alone.status).toBe(422);
    expect(await alone.text()).toContain("None of the items in this order are covered by the coupon");
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(0);

    // From the cart in the room: the regular ¥110 line gets the whole ¥20, the flash line none.
    await client.get("/");
    for (const skuId of [flash.skuId, regular.skuId]) expect((await client.post("/cart", { sku: skuId, quantity: "1" })).status).toBe(303);
    await client.get(`/checkout?live=${room}`);
    const orderId = orderIdFrom(await client.post("/checkout", checkoutFields({ liveSession: room, couponCode: "FLASHMIX" })));
    const order = await app.services.orders.queries.shopperOrder(id, orderId);
    expect(order).toMatchObject({ subtotal: { amount: 26_000 }, discount: { amount: 2_000 }, total: { amount: 24_000 } });
    const lines = await orderLines(orderId);
    expect(lines.find((l) => l.sku_id === flash.skuId)).toMatchObject({ unit_price_fen: 15_000, discount_fen: 0, flash_sale_id: sale.id });
    expect(lines.find((l) => l.sku_id === regular.skuId)).toMatchObject({ unit_price_fen: 11_000, discount_fen: 2_000, flash_sale_id: null });
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(1);
  });
});

describe("stopping a sale", () => {
  it("sells nothing more at the sale price once the host stops it, and refuses a second stop", async () => {
    const { skuId } = await testProduct(app, { priceFen: 6_000, stock: 10 });
    const sale = await startSale(skuId, 3_000, 5);
    const { id, client } = await newShopper(app);
    const before = orderIdFrom(await roomCheckout(client, skuId));
    const stopped = await app.services.orders.flashSales.stop(host, sale.id);
    expect(stopped).toMatchObject({ status: "stopped", sold: 1 });
    expect((await app.services.orders.flashSales.active(room)).map((s) => s.id)).not.toContain(sale.id);

    const after = orderIdFrom(await roomCheckout(client, skuId));
    expect((await app.services.orders.queries.shopperOrder(id, before)).total.amount).toBe(3_000);
    expect((await app.services.orders.queries.shopperOrder(id, after)).total.amount).toBe(6_000);
    expect((await orderLines(after))[0]).toMatchObject({ flash_sale_id: null });
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(1);
    await expect(app.services.orders.flashSales.stop(host, sale.id)).rejects.toMatchObject({ status: 409, code: "flash_sale_not_running" });
    // Stopped, the SKU may go on sale again in the same session.
    expect((await startSale(skuId, 2_500, 3)).status).toBe("running");
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'flash_sale.stopped' AND subject = ?", [`flash_sale:${sale.id}`])).toBe(1);
  });
});

describe("starting a sale", () => {
  it("refuses a price above the regular one, more units than in stock, a bad duration, a second running sale, and anyone outside the store", async () => {
    const { skuId } = await testProduct(app, { priceFen: 5_000, stock: 8 });
    const refusal = (promise: Promise<unknown>) => promise.then(() => "started", (error: { code: string; status: number }) => `${error.status} ${error.code}`);
    expect(await refusal(startSale(skuId, 5_001, 1))).toBe("422 flash_sale_price_above_regular");
    expect(await refusal(startSale(skuId, 0, 1))).toBe("422 flash_sale_bad_price");
    expect(await refusal(startSale(skuId, 4_000, 9))).toBe("422 flash_sale_units_above_stock");
    expect(await refusal(startSale(skuId, 4_000, 0))).toBe("422 flash_sale_bad_units");
    expect(await refusal(startSale(skuId, 4_000, 1, 9))).toBe("422 flash_sale_bad_duration");
    expect(await refusal(startSale(skuId, 4_000, 1, 2 * 3600 + 1))).toBe("422 flash_sale_bad_duration");
    expect(await refusal(startSale("sku_00000000000000000000000000", 4_000, 1))).toBe("422 flash_sale_wrong_store");
    const shopper = await newShopper(app);
    expect(await refusal(app.services.orders.flashSales.start({ type: "user", id: shopper.id }, { storeId, liveSessionId: room, skuId, priceFen: 4_000, units: 1, durationSeconds: 60 }))).toBe("403 forbidden");

    const first = await startSale(skuId, 5_000, 8, 2 * 3600);
    expect(await refusal(startSale(skuId, 4_000, 1))).toBe("409 flash_sale_already_running");
    // Another session may run its own sale of the same SKU; staff (not only hosts) may start one.
    const staff = { type: "user" as const, id: (await app.services.accounts.findByEmail("staff@demo.broadcart.test"))!.id };
    expect(await refusal(app.services.orders.flashSales.start(staff, { storeId, liveSessionId: otherRoom, skuId, priceFen: 4_500, units: 2, durationSeconds: 60 }))).toBe("started");
    expect(await scalar(app, "SELECT count(*) FROM flash_sales WHERE sku_id = ?", [skuId])).toBe(2);
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'flash_sale.started' AND subject = ?", [`flash_sale:${first.id}`])).toBe(1);
  });

  it("refuses a product that is not published", async () => {
    const draft = await app.services.catalog.createProduct({ type: "system", id: "test" }, {
      storeId, titleZh: "草稿", titleEn: "Draft", descriptionZh: "草稿", descriptionEn: "Draft", status: "draft",
      skus: [{ code: `DRAFT-FLASH-${Date.now()}`, optionZh: "标准", optionEn: "Standard", priceFen: 1_000, stock: 5 }],
    });
    await expect(startSale(draft.skus[0]!.id, 500, 1)).rejects.toMatchObject({ status: 422, code: "flash_sale_unpublished" });
  });

  it("with the live module's session lookup, refuses a session of another store", async () => {
    const { skuId } = await testProduct(app, { priceFen: 2_000, stock: 5 });
    const sessionStore = async (liveSessionId: string) => (liveSessionId === room ? storeId : liveSessionId === otherRoom ? "sto_SOMEONEELSE" : null);
    const checked = createFlashSales({ database: app.database, audit: app.services.audit, clock, liveSessionStore: sessionStore });
    const input = { storeId, skuId, priceFen: 1_500, units: 1, durationSeconds: 60 };
    await expect(checked.start(host, { ...input, liveSessionId: otherRoom })).rejects.toMatchObject({ status: 422, code: "flash_sale_wrong_session" });
    expect((await checked.start(host, { ...input, liveSessionId: room })).status).toBe("running");
  });
});

describe("unpaid flash-sale orders", () => {
  it("gives the units of a cancelled order back to the running sale, and of an expired one too", async () => {
    const { skuId } = await testProduct(app, { priceFen: 4_000, stock: 10 });
    const sale = await startSale(skuId, 1_990, 2, 2 * 3600);
    const a = await newShopper(app);
    const b = await newShopper(app);
    const c = await newShopper(app);
    const orderA = orderIdFrom(await roomCheckout(a.client, skuId));
    const orderB = orderIdFrom(await roomCheckout(b.client, skuId));
    expect((await roomCheckout(c.client, skuId)).status).toBe(409);

    await app.services.orders.lifecycle.cancel(b.id, orderB);
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(1);
    const orderC = orderIdFrom(await roomCheckout(c.client, skuId));
    expect((await orderLines(orderC))[0]).toMatchObject({ unit_price_fen: 1_990, flash_sale_id: sale.id });
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(2);
    expect(await skuStock(app, skuId)).toBe(8);

    clock.advance(3 * 24 * 60 * 60 * 1000); // past OFFLINE_PAYMENT_MINUTES (two days); the sale has ended too
    await app.services.orders.lifecycle.expireUnpaid();
    for (const [shopper, orderId] of [[a, orderA], [c, orderC]] as const) expect((await app.services.orders.queries.shopperOrder(shopper.id, orderId)).status).toBe("expired");
    expect(await app.services.orders.flashSales.get(sale.id)).toMatchObject({ sold: 0, status: "ended" });
    expect(await skuStock(app, skuId)).toBe(10);
    expect(await app.services.orders.lifecycle.expireUnpaid()).toBe(0);
    expect((await app.services.orders.flashSales.get(sale.id)).sold).toBe(0);
  });
});
