// Risk control on orders through the real app: a flagged order is held from shipping until a
// compliance officer releases it; an officer's cancel puts its units back; officers set thresholds.
// Each order goes to a street of its own unless a test is about one address, so the per-address
// rules only fire where a test means them to.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { createOrders } from "../modules/orders/index.ts";
import { systemClock } from "../src/platform/clock.ts";
import { createSealer } from "../src/platform/sealing.ts";
import { randomToken } from "../src/platform/crypto.ts";
import { address, checkoutFields, demoStoreId, newShopper, orderIdFrom, scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let staff: TestClient;
let officer: TestClient;

beforeAll(async () => {
  app = await startTestApp();
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
  officer = app.client();
  await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
}, 60_000);
afterAll(() => app.close());

let streets = 0;
/** A street no other order of this file goes to. */
const ownStreet = () => `龙井路 ${(streets += 1)} 弄 ${randomToken(4)}`;

async function order(client: TestClient, skuId: string, quantity = 1, fields: Record<string, string> = { street: ownStreet() }): Promise<string> {
  await client.get(`/checkout?sku=${skuId}`);
  return orderIdFrom(await client.post("/checkout", checkoutFields({ sku: skuId, quantity: String(quantity), ...fields })));
}

const holdStatus = async (orderId: string) => (await app.database.client.execute({ sql: "SELECT status FROM order_holds WHERE order_id = ?", args: [orderId] })).rows[0]?.[0] ?? null;
const orderStatus = async (orderId: string) => (await app.database.client.execute({ sql: "SELECT status FROM orders WHERE id = ?", args: [orderId] })).rows[0]![0];
const ship = (orderId: string) => staff.post(`/merchant/orders/${orderId}/ship`, { carrier: "顺丰速运 SF Express", trackingNumber: "SF0000000001" }, { htmx: true });

const defaults = { account_orders_per_hour: "10", ip_orders_per_hour: "30", device_orders_per_hour: "20", address_orders_per_day: "10", coupon_new_accounts_per_day: "3", refund_min_orders: "5", refund_rate_percent: "50", host_own_room: "1" };
const holdRules = async (orderId: string) => (await app.services.orders.risk.holdOf(orderId))?.reasons.map((reason) => reason.rule) ?? [];
const addressKeyOf = async (orderId: string) => (await app.database.client.execute({ sql: "SELECT address_key FROM orders WHERE id = ?", args: [orderId] })).rows[0]![0];
/** "１２" for "12": how a full-width keyboard writes digits. */
const fullWidth = (text: string) => text.replace(/[0-9]/g, (digit) => String.fromCharCode(0xff10 + Number(digit)));

describe("risk holds", () => {
  it("holds the 11th order in an hour from one account; a held order cannot be shipped until released", async () => {
    const { skuId } = await testProduct(app, { priceFen: 1_000, stock: 50 });
    const { client } = await newShopper(app);
    const ids: string[] = [];
    for (let i = 0; i < 11; i += 1) ids.push(await order(client, skuId));
    for (const id of ids.slice(0, 10)) expect(await holdStatus(id)).toBeNull();
    const held = ids[10]!;
    expect(await holdStatus(held)).toBe("held");
    expect(await client.get(`/orders/${held}`).then((r) => r.status)).toBe(200);
    // Each browser has its long-lived id; the orders carry it.
    expect(client.cookie("bc_device")).toBeTruthy();
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE client_device = ?", [client.cookie("bc_device")!])).toBe(11);

    await staff.get(`/merchant/orders/${held}`);
    expect((await staff.post(`/merchant/orders/${held}/confirm-payment`, {}, { htmx: true })).status).toBe(200);
    const refused = await ship(held);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("held by risk control until a compliance officer releases it");
    expect(await orderStatus(held)).toBe("paid");

    const listed = await (await officer.get("/compliance/risk")).text();
    expect(listed).toContain(held);
    expect(listed).toContain("Many orders from one account");
    expect((await officer.post(`/compliance/risk/holds/${held}/release`, { note: "Known wholesale buyer" }, { htmx: true })).status).toBe(200);
    expect(await holdStatus(held)).toBe("released");
    expect((await officer.post(`/compliance/risk/holds/${held}/release`, {}, { htmx: true })).status).toBe(409);

    expect((await ship(held)).status).toBe(200);
    expect(await orderStatus(held)).toBe("shipped");
    const actions = (await app.services.audit.recent(100)).filter((entry) => entry.subject === `order:${held}`).map((entry) => entry.action);
    expect(actions.reverse()).toEqual(["order.placed", "order.held", "order.paid", "order.hold_released", "order.shipped"]);
  });

  it("lets officers edit thresholds (refusing merchants and shoppers), and an officer's cancel puts the units back", async () => {
    const { client: shopper } = await newShopper(app);
    await shopper.get("/");
    expect((await shopper.post("/compliance/risk/thresholds", { ...defaults, account_orders_per_hour: "1" })).status).toBe(403);
    expect((await staff.post("/compliance/risk/thresholds", { ...defaults, account_orders_per_hour: "1" })).status).toBe(403);
    expect((await staff.post(`/compliance/risk/holds/ord_00000000000000000000000000/cancel`, {})).status).toBe(403);

    await officer.get("/compliance/risk");
    const bad = await officer.post("/compliance/risk/thresholds", { ...defaults, account_orders_per_hour: "0" }, { htmx: true });
    expect(bad.status).toBe(422);
    expect((await officer.post("/compliance/risk/thresholds", { ...defaults, account_orders_per_hour: "abc" }, { htmx: true })).status).toBe(422);
    expect((await officer.post("/compliance/risk/thresholds", { ...defaults, account_orders_per_hour: "1" }, { htmx: true })).status).toBe(200);
    expect((await app.services.orders.risk.thresholds()).account_orders_per_hour).toBe(1);
    const changed = (await app.services.audit.recent(20)).find((entry) => entry.action === "risk.thresholds_changed");
    expect(changed?.data).toEqual({ account_orders_per_hour: { from: 10, to: 1 } });

    try {
      const { skuId } = await testProduct(app, { priceFen: 2_000, stock: 10 });
      const { client } = await newShopper(app);
      const first = await order(client, skuId, 2);
      const second = await order(client, skuId, 3);
      expect(await holdStatus(first)).toBeNull();
      expect(await holdStatus(second)).toBe("held");
      expect(await skuStock(app, skuId)).toBe(5);

      expect((await officer.post(`/compliance/risk/holds/${second}/cancel`, { note: "Reseller" }, { htmx: true })).status).toBe(200);
      expect(await holdStatus(second)).toBe("cancelled");
      expect(await orderStatus(second)).toBe("cancelled");
      expect(await skuStock(app, skuId)).toBe(8);
      expect((await officer.post(`/compliance/risk/holds/${second}/cancel`, {}, { htmx: true })).status).toBe(409);
      expect(await skuStock(app, skuId)).toBe(8);
      expect(await orderStatus(first)).toBe("pending_payment");
      expect((await app.services.audit.verifyChain()).intact).toBe(true);
    } finally {
      await officer.post("/compliance/risk/thresholds", defaults, { htmx: true });
    }
    expect((await app.services.orders.risk.thresholds()).account_orders_per_hour).toBe(10);
  });

  it("holds an order a host places in their own live session", async () => {
    // The app's services are built in src/services.ts; this builds the orders service over the same
    // database with the live module's host lookup, as services.ts wires it (liveSessionHost).
    const orders = createOrders({
      database: app.database,
      audit: app.services.audit,
      clock: systemClock,
      catalog: app.services.catalog,
      sealer: createSealer("test-data-key-that-is-long-enough-0123456789"),
      cardPayments: null,
      settings: { cardPaymentMinutes: 30, offlinePaymentMinutes: 60 * 24 },
      liveSessionHost: (id) => app.services.live.getSession(id).then((session) => session.host.id, () => null),
    });
    const host = (await app.services.accounts.findByEmail("host.lin@demo.broadcart.test"))!;
    const otherHost = (await app.services.accounts.findByEmail("host.zhou@demo.broadcart.test"))!;
    const storeId = await demoStoreId(app);
    const session = await app.services.live.scheduleSession({ type: "system", id: "test" }, { storeId, hostId: host.id, title: "自买自卖 Own room", scheduledAt: new Date(), productIds: [] });
    const { skuId } = await testProduct(app, { priceFen: 5_000, stock: 10 });
    const place = (userId: string) =>
      orders.checkout.placeOrder({ userId, idempotencyKey: crypto.randomUUID(), lines: [{ skuId, quantity: 1 }], address, couponCode: null, paymentMethod: "offline", channel: "live", liveSessionId: session.id, fromCart: false, clientIp: "203.0.113.9", clientDevice: null });

    const own = await place(host.id);
    expect(await holdStatus(own.id)).toBe("held");
    expect((await orders.risk.holdOf(own.id))?.reasons.map((reason) => reason.rule)).toEqual(["host_own_room"]);
    const other = await place(otherHost.id);
    expect(await holdStatus(other.id)).toBeNull();
    expect(await scalar(app, "SELECT count(*) FROM orders WHERE client_ip = '203.0.113.9'")).toBe(2);
  });

  it("holds the orders past the threshold to one shipping address from different accounts, however the address is written", async () => {
    await officer.get("/compliance/risk");
    expect((await officer.post("/compliance/risk/thresholds", { ...defaults, address_orders_per_day: "3" }, { htmx: true })).status).toBe(200);
    try {
      const { skuId } = await testProduct(app, { priceFen: 1_500, stock: 20 });
      const n = String(100 + Math.floor(Math.random() * 900));
      const tag = randomToken(6).replace(/[^A-Za-z]/g, "q").toLowerCase();
      const writings = [
        { recipient: "李雷", phone: "13900001111", region: "浙江省杭州市西湖区", street: `梅灵北路 ${n} 号 ${tag} 座` },
        { recipient: "韩梅梅", phone: "13900002222", region: "浙江省 杭州市 西湖区", street: `梅灵北路${fullWidth(n)}号${tag.toUpperCase()}座` },
        { recipient: "Li Lei", phone: "+86 139 0000 3333", region: "浙江省杭州市西湖区", street: `梅灵北路\u3000${n}\u3000号，${tag}座。` },
        { recipient: "王小明", phone: "13800138000", region: " 浙江省杭州市西湖区 ", street: ` 梅灵北路 ${n}号 ${tag} 座 ` },
      ];
      const ids: string[] = [];
      for (const written of writings) ids.push(await order((await newShopper(app)).client, skuId, 1, written));
      for (const id of ids.slice(0, 3)) expect(await holdStatus(id)).toBeNull();
      expect(await holdRules(ids[3]!)).toEqual(["address_velocity"]);
      const key = await addressKeyOf(ids[0]!);
      expect(key).toBeTruthy();
      for (const id of ids) expect(await addressKeyOf(id)).toBe(key);

      const nextDoor = await order((await newShopper(app)).client, skuId, 1, { region: "浙江省杭州市西湖区", street: `梅灵北路 ${Number(n) + 2} 号 ${tag} 座` });
      expect(await holdStatus(nextDoor)).toBeNull();
      expect(await addressKeyOf(nextDoor)).not.toBe(key);

      const page = await (await officer.get("/compliance/risk")).text();
      expect(page).toContain("Many orders to one shipping address");
      expect(page).toContain("Orders to one shipping address in 24 hours");
      expect(page).toContain('name="address_orders_per_day" value="3"');
    } finally {
      await officer.post("/compliance/risk/thresholds", defaults, { htmx: true });
    }
    expect((await app.services.orders.risk.thresholds()).address_orders_per_day).toBe(10);
  });

  it("refuses an address threshold out of bounds", async () => {
    await officer.get("/compliance/risk");
    for (const value of ["0", "10001", ""]) expect((await officer.post("/compliance/risk/thresholds", { ...defaults, address_orders_per_day: value }, { htmx: true })).status).toBe(422);
    expect((await app.services.orders.risk.thresholds()).address_orders_per_day).toBe(10);
  });

  it("holds the third new account using coupons to one shipping address within a day, not one shipping elsewhere", async () => {
    const code = `ADDR${randomToken(6).toUpperCase().replace(/[^A-Z0-9]/g, "7")}`;
    const now = Date.now();
    await app.services.orders.coupons.create({ type: "system", id: "test" }, { storeId: await demoStoreId(app), code, nameZh: "新人券", nameEn: "Welcome", kind: "amount_off", value: 100, minSpendFen: 0, capFen: null, audience: "everyone", scope: "store", startsAt: new Date(now - 60_000), endsAt: new Date(now + 86_400_000), perShopperLimit: 1, totalLimit: 100 });
    const { skuId } = await testProduct(app, { priceFen: 2_000, stock: 20 });
    const street = ownStreet();
    const ids: string[] = [];
    for (const written of [street, street.replaceAll(" ", ""), fullWidth(street)]) ids.push(await order((await newShopper(app)).client, skuId, 1, { street: written, couponCode: code }));
    for (const id of ids) expect(await scalar(app, "SELECT count(*) FROM orders WHERE id = ? AND coupon_claim_id IS NOT NULL", [id])).toBe(1);
    expect(await holdStatus(ids[0]!)).toBeNull();
    expect(await holdStatus(ids[1]!)).toBeNull();
    expect(await holdRules(ids[2]!)).toEqual(["coupon_abuse"]);
    expect((await app.services.orders.risk.holdOf(ids[2]!))?.reasons[0]?.detail).toContain("3 new accounts used coupons from one shipping address");

    const elsewhere = await order((await newShopper(app)).client, skuId, 1, { street: ownStreet(), couponCode: code });
    expect(await holdStatus(elsewhere)).toBeNull();
  });

  it("drops an erased shopper's address keys, so their orders no longer count towards the address", async () => {
    const { skuId } = await testProduct(app, { priceFen: 1_000, stock: 5 });
    const { id, client } = await newShopper(app);
    const placed = await order(client, skuId);
    expect(await addressKeyOf(placed)).toBeTruthy();
    await app.services.orders.eraseShopper(id);
    expect(await addressKeyOf(placed)).toBeNull();
  });
});
