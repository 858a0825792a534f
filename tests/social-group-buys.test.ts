// Group buys (拼团) through the real app: a store's staff define a group offer, shoppers start and join
// groups through the join page and pay (in store, confirmed by staff, or by card through stripe-mock's
// signed webhook), and the group either fills in its window (every order may ship) or the window job
// fails it (every member refunded, the SKU's units and the offer's units back). Time is a movable clock.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Stripe from "stripe";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { createStripePayments } from "../modules/orders/index.ts";
import { address, demoStoreId, newShopper, orderIdFrom, scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { startStripeMock, STRIPE_MOCK_SECRET_KEY, type StripeMock } from "./fixtures/stripe-mock.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";
import { randomToken } from "../src/platform/crypto.ts";

const WEBHOOK_SECRET = "whsec_broadcart_group_buys_test";
const MINUTE = 60_000;
const cryptoProvider = Stripe.createSubtleCryptoProvider();
const clock = { offset: 0, now() { return new Date(Date.now() + this.offset); } };
let mock: StripeMock;
let app: TestApp;
let staff: TestClient;
let ownerId: string;

beforeAll(async () => {
  mock = await startStripeMock({ timeoutMs: 300_000 });
  const cardPayments = createStripePayments({ secretKey: STRIPE_MOCK_SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiBase: { host: mock.host, port: mock.port, protocol: mock.protocol }, clock });
  app = await startTestApp({ cardPayments, clock });
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
  ownerId = (await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!.id;
}, 320_000);
afterAll(() => {
  app?.close();
  mock?.stop();
});

async function text(sql: string, args: (string | number)[] = []): Promise<string | null> {
  const row = (await app.database.client.execute({ sql, args })).rows[0];
  return row ? (row[0] === null ? null : String(row[0])) : null;
}

/** A published SKU of the demo store and a running group offer for it. */
async function groupOffer({ size = 3, windowMinutes = 30, offerStock = 6, skuStock = 10, liveSessionId = null as string | null } = {}) {
  const { productId, skuId } = await testProduct(app, { priceFen: 10_000, stock: skuStock });
  const now = clock.now();
  const offer = await app.services.groupBuys.createOffer(ownerId, {
    storeId: await demoStoreId(app),
    productId,
    skuId,
    groupPriceFen: 6_000,
    groupSize: size,
    windowMinutes,
    stock: offerStock,
    startsAt: new Date(now.getTime() - MINUTE),
    endsAt: new Date(now.getTime() + 7 * 24 * 60 * MINUTE),
    liveSessionId,
  });
  return { offerId: offer.id, skuId, productId };
}

/** A new shopper opens the join page (starting a group when `groupId` is null) and places the order. */
async function join(offerId: string, groupId: string | null, paymentMethod: "card" | "offline" = "offline") {
  const shopper = await newShopper(app, "groupie");
  await shopper.client.get(`/groups/offers/${offerId}/join${groupId ? `?group=${groupId}` : ""}`);
  // A street of their own: the per-address risk rule (orders to one address a day) never holds these orders.
  const response = await shopper.client.post(`/groups/offers/${offerId}/join`, { ...address, street: `拼团路 ${randomToken(6)} 号`, paymentMethod, idempotencyKey: randomToken(24), ...(groupId ? { group: groupId } : {}) });
  const orderId = orderIdFrom(response);
  const group = (await text("SELECT group_id FROM group_members WHERE order_id = ?", [orderId]))!;
  return { ...shopper, orderId, groupId: group };
}

async function confirmCash(orderId: string) {
  await staff.get(`/merchant/orders/${orderId}`);
  expect((await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true })).status).toBe(200);
}

async function payByCard(orderId: string) {
  const intent = (await text("SELECT provider_ref FROM payments WHERE order_id = ? AND provider = 'stripe'", [orderId]))!;
  const amount = Number(await text("SELECT total_fen FROM orders WHERE id = ?", [orderId]));
  const timestamp = Math.floor(clock.now().getTime() / 1000);
  const payload = JSON.stringify({ id: `evt_${crypto.randomUUID().replaceAll("-", "")}`, object: "event", api_version: "2026-10-28.endive", created: timestamp, type: "payment_intent.succeeded", data: { object: { id: intent, object: "payment_intent", amount, amount_received: amount, currency: "cny", status: "succeeded" } } });
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET, timestamp, cryptoProvider });
  const response = await app.app.fetch(new Request("http://localhost/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": signature } }));
  expect(await response.json()).toEqual({ received: true, outcome: "applied" });
}

const orderStatus = (orderId: string) => text("SELECT status FROM orders WHERE id = ?", [orderId]);
const memberStatus = (orderId: string) => text("SELECT status FROM group_members WHERE order_id = ?", [orderId]);
const offerStockLeft = (offerId: string) => scalar(app, "SELECT stock_left FROM group_offers WHERE id = ?", [offerId]);
const groupRow = async (groupId: string) => (await app.database.client.execute({ sql: "SELECT status, seats_taken, seats_paid FROM group_buys WHERE id = ?", args: [groupId] })).rows[0]!;
const notices = (orderId: string, kind: string) => scalar(app, "SELECT count(*) FROM notifications n JOIN orders o ON o.user_id = n.user_id WHERE o.id = ? AND n.kind = ?", [orderId, kind]);

describe("group buys", () => {
  it("refunds both paid members of a group of 3 when its window closes, and releases the stock", async () => {
    const { offerId, skuId } = await groupOffer({ size: 3, windowMinutes: 30, offerStock: 6, skuStock: 10 });
    const leader = await join(offerId, null, "card");
    const member = await join(offerId, leader.groupId, "offline");
    expect(member.groupId).toBe(leader.groupId);
    expect(Number(await text("SELECT total_fen FROM orders WHERE id = ?", [leader.orderId]))).toBe(6_000);
    await payByCard(leader.orderId);
    await confirmCash(member.orderId);
    expect(await skuStock(app, skuId)).toBe(8);
    expect(await offerStockLeft(offerId)).toBe(3); // the group holds units for all 3 seats from its start
    expect((await groupRow(leader.groupId)).seats_paid).toBe(2);

    // Paid but the group has not filled: it does not ship yet.
    const early = await staff.post(`/merchant/orders/${member.orderId}/ship`, { carrier: "顺丰速运 SF Express", trackingNumber: "SF1234567890" }, { htmx: true });
    expect(early.status).toBe(409);
    expect(await early.text()).toContain("ships once its group is full");

    clock.offset += 31 * MINUTE;
    // Two instances' jobs at once: the group is claimed, and its members settled, once.
    const runs = await Promise.all([app.services.groupBuys.closeExpiredGroups(), app.services.groupBuys.closeExpiredGroups()]);
    expect(runs.reduce((sum, run) => sum + run.failed, 0)).toBe(1);
    expect(runs.reduce((sum, run) => sum + run.refunded, 0)).toBe(2);
    expect((await groupRow(leader.groupId)).status).toBe("failed");

    expect(await orderStatus(leader.orderId)).toBe("refunded");
    expect(await orderStatus(member.orderId)).toBe("refunded");
    const cardRefund = JSON.parse((await text("SELECT data FROM audit_entries WHERE action = 'payment.group_refunded' AND subject = ?", [`order:${leader.orderId}`]))!);
    expect(cardRefund.refundRef).toStartWith("re_");
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'payment.group_refunded' AND subject = ?", [`order:${member.orderId}`])).toBe(0);
    expect(await memberStatus(leader.orderId)).toBe("refunded");
    expect(await memberStatus(member.orderId)).toBe("refunded");
    expect(await skuStock(app, skuId)).toBe(10);
    expect(await offerStockLeft(offerId)).toBe(6);
    expect(await notices(leader.orderId, "group.failed")).toBe(1);
    expect(await (await member.client.get("/inbox")).text()).toContain("did not fill in time; your payment is refunded");

    const again = await app.services.groupBuys.closeExpiredGroups();
    expect(again).toEqual({ failed: 0, refunded: 0, cancelled: 0 });
    expect(await skuStock(app, skuId)).toBe(10);
  });

  it("holds a whole group's units when it starts, so no more groups start than the offer's units can fill", async () => {
    const { offerId } = await groupOffer({ size: 5, windowMinutes: 30, offerStock: 10, skuStock: 20 });
    const first = await join(offerId, null);
    expect(await offerStockLeft(offerId)).toBe(5);
    const second = await join(offerId, null);
    expect(await offerStockLeft(offerId)).toBe(0);

    const third = await newShopper(app, "too-late");
    await third.client.get(`/groups/offers/${offerId}/join`);
    const refused = await third.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24) });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("This group offer has ended");
    expect(await scalar(app, "SELECT count(*) FROM group_buys WHERE offer_id = ?", [offerId])).toBe(2);

    // Joining an open group takes none of the offer's units: they were held when it started.
    const offerPage = await (await third.client.get(`/groups/offers/${offerId}`)).text();
    expect(offerPage).not.toContain(`href="/groups/offers/${offerId}/join"`); // no start button
    expect(offerPage).not.toContain("This offer is not open right now");
    expect(offerPage).toContain(`/groups/offers/${offerId}/join?group=${first.groupId}`);
    await join(offerId, first.groupId);
    expect(await offerStockLeft(offerId)).toBe(0);

    // Both groups fail: each gives back its whole hold, once.
    clock.offset += 31 * MINUTE;
    const run = await app.services.groupBuys.closeExpiredGroups();
    expect(run).toMatchObject({ failed: 2, cancelled: 3 });
    expect((await groupRow(second.groupId)).status).toBe("failed");
    expect(await offerStockLeft(offerId)).toBe(10);
    await app.services.groupBuys.closeExpiredGroups();
    expect(await offerStockLeft(offerId)).toBe(10);
  });

  it("gives a unit back when a member of a filled group is refunded", async () => {
    const { offerId } = await groupOffer({ size: 2, offerStock: 4 });
    const leader = await join(offerId, null);
    const member = await join(offerId, leader.groupId);
    await confirmCash(leader.orderId);
    await confirmCash(member.orderId);
    expect((await groupRow(leader.groupId)).status).toBe("filled");
    expect(await offerStockLeft(offerId)).toBe(2);

    await member.client.get(`/orders/${member.orderId}`);
    expect((await member.client.post(`/orders/${member.orderId}/after-sales`, { kind: "refund_only", reason: "Changed my mind" }, { htmx: true })).status).toBe(200);
    const requestId = (await text("SELECT id FROM after_sales WHERE order_id = ?", [member.orderId]))!;
    expect((await staff.post(`/merchant/after-sales/${requestId}/decide`, { decision: "approve", note: "" }, { htmx: true })).status).toBe(200);
    expect(await memberStatus(member.orderId)).toBe("refunded");
    expect(await offerStockLeft(offerId)).toBe(3);
  });

  it("fills the last seat once when shoppers join for it at the same moment", async () => {
    const { offerId, skuId } = await groupOffer({ size: 3, offerStock: 10, skuStock: 10 });
    const leader = await join(offerId, null);
    await join(offerId, leader.groupId);
    const racers = await Promise.all(Array.from({ length: 6 }, () => newShopper(app, "racer")));
    for (const racer of racers) await racer.client.get(`/groups/offers/${offerId}/join?group=${leader.groupId}`);
    const answers = await Promise.all(racers.map((racer) => racer.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24), group: leader.groupId })));

    expect(answers.filter((answer) => answer.status === 303)).toHaveLength(1);
    const refused = answers.filter((answer) => answer.status !== 303);
    expect(refused.map((answer) => answer.status)).toEqual([409, 409, 409, 409, 409]);
    for (const answer of refused) expect(await answer.text()).toContain("This group is full");
    expect(await scalar(app, "SELECT count(*) FROM order_items WHERE sku_id = ?", [skuId])).toBe(3);
    expect(await skuStock(app, skuId)).toBe(7);
    expect(await offerStockLeft(offerId)).toBe(7);
    const group = await groupRow(leader.groupId);
    expect(group.seats_taken).toBe(3);
    expect(await scalar(app, "SELECT count(*) FROM group_members WHERE group_id = ?", [leader.groupId])).toBe(3);
  });

  it("confirms every member's order when the third member pays, and only then lets them ship", async () => {
    const { offerId } = await groupOffer({ size: 3 });
    const leader = await join(offerId, null);
    const second = await join(offerId, leader.groupId);
    const third = await join(offerId, leader.groupId);
    await confirmCash(leader.orderId);
    await confirmCash(second.orderId);
    const early = await staff.post(`/merchant/orders/${leader.orderId}/ship`, { carrier: "顺丰速运 SF Express", trackingNumber: "SF1234567890" }, { htmx: true });
    expect(early.status).toBe(409);
    expect(await memberStatus(leader.orderId)).toBe("paid");

    await confirmCash(third.orderId);
    expect((await groupRow(leader.groupId)).status).toBe("filled");
    for (const { orderId } of [leader, second, third]) {
      expect(await memberStatus(orderId)).toBe("confirmed");
      expect(await text("SELECT fulfilment_hold FROM orders WHERE id = ?", [orderId])).toBeNull();
      expect(await notices(orderId, "group.filled")).toBe(1);
    }
    expect((await staff.post(`/merchant/orders/${leader.orderId}/ship`, { carrier: "顺丰速运 SF Express", trackingNumber: "SF1234567890" }, { htmx: true })).status).toBe(200);
    expect(await orderStatus(leader.orderId)).toBe("shipped");
    expect(await (await third.client.get("/inbox")).text()).toContain("filled (3 people)");

    // The window passing later changes nothing for a filled group.
    clock.offset += 31 * MINUTE;
    await app.services.groupBuys.closeExpiredGroups();
    expect((await groupRow(leader.groupId)).status).toBe("filled");
    expect(await orderStatus(third.orderId)).toBe("paid");
  });

  it("frees the seat of a member whose order expired unpaid, so another shopper can take it", async () => {
    const { offerId, skuId } = await groupOffer({ size: 2, windowMinutes: 120, offerStock: 4, skuStock: 5 });
    const leader = await join(offerId, null);
    const slow = await join(offerId, leader.groupId, "card");
    const late = await newShopper(app, "late");
    await late.client.get(`/groups/offers/${offerId}/join?group=${leader.groupId}`);
    const full = await late.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24), group: leader.groupId });
    expect(full.status).toBe(409);
    expect(await offerStockLeft(offerId)).toBe(2);

    clock.offset += 31 * MINUTE; // past CARD_PAYMENT_MINUTES, inside the group's window
    expect(await app.services.orders.lifecycle.expireUnpaid()).toBeGreaterThanOrEqual(1);
    expect(await orderStatus(slow.orderId)).toBe("expired");
    expect(await memberStatus(slow.orderId)).toBe("left");
    expect((await groupRow(leader.groupId)).seats_taken).toBe(1);
    expect(await offerStockLeft(offerId)).toBe(2); // the freed seat's unit stays held for the open group
    expect(await skuStock(app, skuId)).toBe(4);

    await late.client.get(`/groups/offers/${offerId}/join?group=${leader.groupId}`);
    const joined = await late.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24), group: leader.groupId });
    expect(joined.status).toBe(303);
    expect((await groupRow(leader.groupId)).seats_taken).toBe(2);
  });

  it("refuses a second seat in the same group, and takes the member back after they cancelled", async () => {
    const { offerId } = await groupOffer({ size: 3 });
    const leader = await join(offerId, null);
    const member = await join(offerId, leader.groupId);
    const twice = await member.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24), group: leader.groupId });
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain("You already hold a seat in this group");
    await leader.client.get(`/groups/offers/${offerId}/join?group=${leader.groupId}`);
    expect((await leader.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24), group: leader.groupId })).status).toBe(409);
    expect((await groupRow(leader.groupId)).seats_taken).toBe(2);

    await member.client.get(`/orders/${member.orderId}`);
    expect((await member.client.post(`/orders/${member.orderId}/cancel`, {}, { htmx: true })).status).toBe(200);
    expect(await memberStatus(member.orderId)).toBe("left");
    await member.client.get(`/groups/offers/${offerId}/join?group=${leader.groupId}`);
    const back = await member.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24), group: leader.groupId });
    expect(back.status).toBe(303);
    expect(await memberStatus(orderIdFrom(back))).toBe("paying");
  });

  it("leads a member from their order page to their group's share link, and nobody else", async () => {
    const { offerId } = await groupOffer({ size: 2 });
    const leader = await join(offerId, null);
    const page = await (await leader.client.get(`/orders/${leader.orderId}`)).text();
    expect(page).toContain(`href="/groups/for-order/${leader.orderId}"`);
    const found = await leader.client.request(`/groups/for-order/${leader.orderId}`);
    expect(found.status).toBe(303);
    expect(found.headers.get("location")).toBe(`/groups/${leader.groupId}`);
    const stranger = await newShopper(app, "stranger");
    expect((await stranger.client.request(`/groups/for-order/${leader.orderId}`)).status).toBe(404);
  });

  it("shows the offer, a group's share link and the show's offers to anyone", async () => {
    const board = await app.services.live.board(50);
    const storeId = await demoStoreId(app);
    const session = [...board.live, ...board.upcoming].find((candidate) => candidate.store.id === storeId)!;
    const { offerId } = await groupOffer({ size: 3, windowMinutes: 90, liveSessionId: session.id });
    const leader = await join(offerId, null);
    const leaderName = (await app.services.accounts.displayNames([leader.id])).get(leader.id)!;

    const anonymous = app.client();
    const share = await anonymous.get(`/groups/${leader.groupId}`);
    expect(share.status).toBe(200);
    const sharePage = await share.text();
    expect(sharePage).toContain(`${[...leaderName][0]}**`);
    expect(sharePage).not.toContain(leaderName);
    expect(sharePage).toContain("2 more needed");
    expect(sharePage).toContain("1 h 30 min left");
    expect(sharePage).toContain(`/groups/offers/${offerId}/join?group=${leader.groupId}`);

    const offerPage = await (await anonymous.get(`/groups/offers/${offerId}`)).text();
    expect(offerPage).toContain("Group price ¥60.00");
    expect(offerPage).toContain(`/groups/${leader.groupId}`);
    expect(offerPage).toContain("Start a group");

    expect(await (await anonymous.get(`/live/${session.id}`)).text()).toContain(`/live/${session.id}/group-offers`);
    const roomList = await (await anonymous.get(`/live/${session.id}/group-offers`, { htmx: true })).text();
    expect(roomList).toContain(`/groups/offers/${offerId}?live=${session.id}`);
    expect((await anonymous.get("/groups/gbu_00000000000000000000000000")).status).toBe(404);
  });

  it("lets store staff create and end offers on the merchant page, and refuses others", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 9_900, stock: 20 });
    const page = await staff.get("/merchant/group-buys");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`${productId}:${skuId}`);
    const fields = { sku: `${productId}:${skuId}`, groupPrice: "59.00", groupSize: "3", windowMinutes: "60", stock: "9", startsAt: "2026-01-01T00:00", endsAt: "2099-01-01T00:00", liveSessionId: "" };
    const tooDear = await staff.post("/merchant/group-buys", { ...fields, groupPrice: "99.00" });
    expect(tooDear.status).toBe(422);
    expect(await tooDear.text()).toContain("below the option&#39;s regular price");
    const created = await staff.post("/merchant/group-buys", fields);
    expect(created.status).toBe(303);
    const offerId = (await text("SELECT id FROM group_offers WHERE sku_id = ?", [skuId]))!;
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'group_offer.created' AND subject = ?", [`group_offer:${offerId}`])).toBe(1);

    const shopper = await newShopper(app);
    expect((await shopper.client.get("/merchant/group-buys")).status).toBe(403);
    expect((await shopper.client.post("/merchant/group-buys", fields)).status).toBe(403);
    expect((await shopper.client.post(`/merchant/group-buys/${offerId}/deactivate`)).status).toBe(403);
    const anonymous = app.client();
    const signIn = await anonymous.get(`/groups/offers/${offerId}/join`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toStartWith("/signin?next=");
    const outsiderEmail = `outsider-${randomToken(4).toLowerCase()}@example.com`;
    await app.services.accounts.createAccount({ email: outsiderEmail, displayName: "Outsider", password: "long-enough-password", roles: ["merchant"] }, { type: "system", id: "test" });
    const outsider = app.client();
    await outsider.signIn(outsiderEmail, "long-enough-password");
    expect(await (await outsider.get("/merchant/group-buys")).text()).toContain("not on the staff of any store");
    expect((await outsider.post("/merchant/group-buys", fields)).status).toBe(409);
    expect((await outsider.post(`/merchant/group-buys/${offerId}/deactivate`)).status).toBe(403);
    expect(await scalar(app, "SELECT active FROM group_offers WHERE id = ?", [offerId])).toBe(1);

    await staff.get("/merchant/group-buys");
    expect((await staff.post(`/merchant/group-buys/${offerId}/deactivate`)).status).toBe(303);
    await shopper.client.get(`/groups/offers/${offerId}`);
    const over = await shopper.client.post(`/groups/offers/${offerId}/join`, { ...address, paymentMethod: "offline", idempotencyKey: randomToken(24) });
    expect(over.status).toBe(409);
    expect(await over.text()).toContain("This group offer has ended");
  });

  it("counts groups started, filled and failed per UTC day", async () => {
    const storeId = await demoStoreId(app);
    const now = clock.now();
    const days = await app.services.groupBuys.groupFigures(storeId, new Date(now.getTime() - 2 * 24 * 60 * MINUTE), new Date(now.getTime() + 24 * 60 * MINUTE));
    const total = (status: string) => scalar(app, `SELECT count(*) FROM group_buys WHERE ${status ? "status = ?" : "1 = 1"}`, status ? [status] : []);
    expect(days.reduce((sum, day) => sum + day.started, 0)).toBe(await total(""));
    expect(days.reduce((sum, day) => sum + day.filled, 0)).toBe(await total("filled"));
    expect(days.reduce((sum, day) => sum + day.failed, 0)).toBe(await total("failed"));
    for (const day of days) expect(day.successRate).toBe(day.filled + day.failed > 0 ? day.filled / (day.filled + day.failed) : null);
    expect(await total("failed")).toBeGreaterThanOrEqual(1);
    expect(await total("filled")).toBeGreaterThanOrEqual(1);
    const page = await (await staff.get("/merchant/group-buys")).text();
    expect(page).toContain('data-testid="group-figures"');
  });
});
