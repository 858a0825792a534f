// Erasure through the real app: a shopper with an order, chat messages (one refused, so the review
// queue holds a copy and the shopper an officer's warning) and a saved address asks for erasure; an officer carries it out before its due date. Afterwards no text column of any table holds
// the shopper's phone, name or email, the order still counts in the store's figures, and the shopper
// can no longer sign in.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { ERASED_FLAG_TEXT } from "../modules/compliance/index.ts";
import { checkoutFields, orderIdFrom, testProduct } from "./fixtures/commerce.ts";
import { fastTestPasswords, startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ passwords: fastTestPasswords() });
}, 60_000);
afterAll(() => app.close());

/** Every row of every text column that contains `needle`, as "table.column". */
async function columnsContaining(needle: string): Promise<string[]> {
  const tables = (await app.database.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).rows.map((r) => String(r.name));
  const found: string[] = [];
  for (const table of tables) {
    const columns = (await app.database.client.execute(`PRAGMA table_info("${table}")`)).rows.filter((c) => /TEXT|^$/i.test(String(c.type))).map((c) => String(c.name));
    for (const column of columns) {
      const hit = await app.database.client.execute({ sql: `SELECT count(*) AS n FROM "${table}" WHERE "${column}" LIKE ?`, args: [`%${needle}%`] });
      if (Number(hit.rows[0]!.n) > 0) found.push(`${table}.${column}`);
    }
  }
  return found;
}

describe("erasure", () => {
  it("erases a shopper's personal data everywhere while their paid order still adds up in the store's figures", async () => {
    const name = "张三丰测试";
    const phone = "13912345678";
    const email = "erase.me@example.com";
    const shopper = app.client();
    await shopper.get("/signup");
    expect((await shopper.post("/signup", { email, displayName: name, password: "long-enough-password" })).status).toBe(303);
    const userId = (await app.services.accounts.findByEmail(email))!.id;

    const { skuId } = await testProduct(app, { priceFen: 5_000, stock: 5 });
    await shopper.get(`/checkout?sku=${skuId}`);
    const orderId = orderIdFrom(await shopper.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", recipient: name, phone })));
    const staff = app.client();
    await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
    await staff.get(`/merchant/orders/${orderId}`);
    await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {});
    const session = (await app.services.live.board(10)).upcoming[0]!;
    await app.services.live.startSession({ type: "user", id: session.host.id }, session.id);
    await shopper.get(`/live/${session.id}`);
    expect((await shopper.post(`/live/${session.id}/chat`, { body: `我是${name}，电话${phone}` }, { htmx: true })).status).toBe(200);
    await Bun.sleep(1_050);
    expect((await shopper.post(`/live/${session.id}/chat`, { body: `${name}卖国家级好茶，电话${phone}` }, { htmx: true })).status).toBe(422);
    const chatFlag = (await app.services.moderation.queue()).find((flag) => flag.kind === "chat" && flag.authorId === userId)!;
    const officerId = (await app.services.accounts.findByEmail("officer@demo.broadcart.test"))!.id;
    await app.services.moderation.decide({ type: "user", id: officerId }, chatFlag.id, "warned", "");
    expect(await app.services.notifications.unreadCount(userId)).toBe(1);
    const storeId = (await app.services.orders.queries.shopperOrder(userId, orderId)).storeId;
    const figuresBefore = await app.services.orders.storeSales.channelFigures(storeId, new Date(0), new Date(Date.now() + 86_400_000));

    expect(await columnsContaining(phone)).not.toEqual([]); // the chat line holds it in clear
    await shopper.get("/account/privacy");
    expect((await shopper.post("/account/erasure", {})).status).toBe(303);
    expect(await (await shopper.get("/account/privacy")).text()).toContain("Erasure requested");

    const officer = app.client();
    await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
    const queue = await (await officer.get("/compliance/privacy")).text();
    expect(queue).toContain(name);
    const requestId = /\/compliance\/privacy\/(pdr_[0-9A-Z]+)\/erase/.exec(queue)![1]!;
    expect((await officer.post(`/compliance/privacy/${requestId}/erase`, {}, { htmx: true })).status).toBe(200);

    for (const needle of [phone, name, email]) expect(await columnsContaining(needle)).toEqual([]);
    expect(await app.services.moderation.getFlag(chatFlag.id)).toMatchObject({ text: ERASED_FLAG_TEXT, status: "warned", terms: chatFlag.terms });
    expect(await app.services.notifications.list(userId)).toEqual([]);
    const order = await app.services.orders.queries.shopperOrder(userId, orderId);
    expect(order.address).toEqual({ recipient: "—", phone: "—", region: "—", street: "—" });
    expect(order.total.amount).toBe(5_000);
    expect(await app.services.orders.storeSales.channelFigures(storeId, new Date(0), new Date(Date.now() + 86_400_000))).toEqual(figuresBefore);
    const again = app.client();
    await again.get("/signin");
    expect((await again.post("/signin", { email, password: "long-enough-password" })).status).toBe(422);
    const [entry] = await app.services.audit.recent(1);
    expect(entry).toMatchObject({ action: "personal_data.erased", subject: `user:${userId}` });
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
    expect((await shopper.get("/compliance/privacy")).status).not.toBe(200);
  });
});
