// Tier coupons through the real app: the store's staff register a coupon for a tier on their page; a
// member whose paid order (offline, confirmed by staff) lifts their 12-month spend into that tier gets
// one claim of it, once, sees it on /member and in their inbox, and uses it at checkout. A claimed-out
// coupon is skipped without failing the payment; another store's coupon cannot be registered.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { randomToken } from "../src/platform/crypto.ts";
import { checkoutFields, demoStoreId, newShopper, orderIdFrom, scalar, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

const system = { type: "system" as const, id: "test" };
const DAY_MS = 24 * 60 * 60 * 1000;

let app: TestApp;
let staff: TestClient;
let storeId: string;
let shoppers = 0;

beforeAll(async () => {
  app = await startTestApp();
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
  storeId = await demoStoreId(app);
}, 60_000);
afterAll(() => app.close());

const uniqueCode = (prefix: string) => `${prefix}-${randomToken(4).toUpperCase().replace(/[^A-Z0-9]/g, "X")}`;

async function coupon(store: string, prefix: string, { totalLimit = 100, nameEn = "Silver thank-you" } = {}) {
  const now = Date.now();
  return app.services.orders.coupons.create(system, {
    storeId: store, code: uniqueCode(prefix), nameZh: "白银礼券", nameEn, kind: "amount_off", value: 2_000, minSpendFen: 0, capFen: null,
    audience: "everyone", scope: "store", startsAt: new Date(now - DAY_MS), endsAt: new Date(now + 30 * DAY_MS), perShopperLimit: 1, totalLimit,
  });
}

async function register(tier: string, couponCode: string): Promise<Response> {
  await staff.get("/merchant/tier-coupons");
  return staff.post("/merchant/tier-coupons", { tier, couponCode });
}

type Shopper = Awaited<ReturnType<typeof newShopper>> & { fields: (extra?: Record<string, string>) => Record<string, string> };

/** A shopper with an address of their own, so the per-address risk rule never holds these orders. */
async function shopper(): Promise<Shopper> {
  shoppers += 1;
  const made = await newShopper(app, "tier");
  const street = `等级路 ${shoppers} 号`;
  return { ...made, fields: (extra = {}) => checkoutFields({ street, ...extra }) };
}

async function placeOrder(buyer: Shopper, priceFen: number, extra: Record<string, string> = {}): Promise<string> {
  const { skuId } = await testProduct(app, { priceFen, stock: 5 });
  await buyer.client.get(`/checkout?sku=${skuId}`);
  return orderIdFrom(await buyer.client.post("/checkout", buyer.fields({ sku: skuId, quantity: "1", ...extra })));
}

async function confirmPaid(orderId: string): Promise<Response> {
  await staff.get(`/merchant/orders/${orderId}`);
  return staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true });
}

async function paidOrder(buyer: Shopper, priceFen: number): Promise<string> {
  const orderId = await placeOrder(buyer, priceFen);
  expect((await confirmPaid(orderId)).status).toBe(200);
  return orderId;
}

/** The buyer asks for a refund of a paid order and the store's staff approve it. */
async function refund(buyer: Shopper, orderId: string) {
  await buyer.client.get(`/orders/${orderId}`);
  expect((await buyer.client.post(`/orders/${orderId}/after-sales`, { kind: "refund_only", reason: "Changed my mind" }, { htmx: true })).status).toBe(200);
  const requestId = String((await app.database.client.execute({ sql: "SELECT id FROM after_sales WHERE order_id = ?", args: [orderId] })).rows[0]![0]);
  expect((await staff.post(`/merchant/after-sales/${requestId}/decide`, { decision: "approve", note: "" }, { htmx: true })).status).toBe(200);
}

const claimsOf = async (userId: string, couponId: string) => scalar(app, "SELECT count(*) FROM coupon_claims WHERE user_id = ? AND coupon_id = ?", [userId, couponId]);
const grantsOf = async (userId: string) => scalar(app, "SELECT count(*) FROM tier_coupon_grants WHERE user_id = ?", [userId]);
const audited = (action: string, subject: string) => scalar(app, "SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?", [action, subject]);

describe("registering tier coupons", () => {
  it("lets the store's staff register one of its coupons for a tier, lists it, and audits it", async () => {
    const gold = await coupon(storeId, "GOLD", { nameEn: "Gold welcome" });
    const response = await register("gold", gold.code.toLowerCase());
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(`Coupon ${gold.code} registered.`);
    expect(page).toContain(`data-tier="gold" data-coupon="${gold.id}"`);
    expect(await audited("tier_coupon.registered", `store:${storeId}`)).toBeGreaterThanOrEqual(1);

    const again = await register("gold", gold.code);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("already registered for that tier");

    await staff.get("/merchant/tier-coupons");
    const removed = await staff.post("/merchant/tier-coupons/remove", { tier: "gold", couponId: gold.id });
    expect(removed.status).toBe(303);
    expect(removed.headers.get("location")).toBe("/merchant/tier-coupons?removed=1");
    expect(await scalar(app, "SELECT count(*) FROM tier_coupons WHERE coupon_id = ?", [gold.id])).toBe(0);
    expect(await audited("tier_coupon.removed", `store:${storeId}`)).toBe(1);
    expect(await (await staff.get("/merchant/tier-coupons")).text()).not.toContain(`data-coupon="${gold.id}"`);
  });

  it("refuses another store's coupon, a withdrawn one and an empty code, with a message in place", async () => {
    const rivalStore = await app.services.catalog.createStore(system, { nameZh: "对面茶铺", nameEn: "Tea Across the Road", currency: "CNY" });
    const rivals = await coupon(rivalStore.id, "RIVAL");
    const theirs = await register("silver", rivals.code);
    expect(theirs.status).toBe(422);
    expect(await theirs.text()).toContain("Your store has no coupon with this code.");

    const withdrawn = await coupon(storeId, "GONE");
    await app.services.orders.coupons.setActive(system, withdrawn.id, false);
    const gone = await register("silver", withdrawn.code);
    expect(gone.status).toBe(422);
    expect(await gone.text()).toContain("withdrawn or has ended");

    const empty = await register("silver", "");
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain("Enter a coupon code.");
    expect(await scalar(app, "SELECT count(*) FROM tier_coupons WHERE coupon_id IN (?, ?)", [rivals.id, withdrawn.id])).toBe(0);
  });

  it("refuses shoppers and hosts, and sends anonymous people to sign in", async () => {
    const buyer = await shopper();
    await buyer.client.get("/member");
    expect((await buyer.client.request("/merchant/tier-coupons")).status).toBe(403);
    expect((await buyer.client.post("/merchant/tier-coupons", { tier: "silver", couponCode: "ANY" })).status).toBe(403);
    expect((await buyer.client.post("/merchant/tier-coupons/remove", { tier: "silver", couponId: "x" })).status).toBe(403);
    const host = app.client();
    await host.signIn("host.lin@demo.broadcart.test", DEMO_PASSWORD);
    expect((await host.request("/merchant/tier-coupons")).status).toBe(403);
    const anonymous = await app.client().request("/merchant/tier-coupons");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toStartWith("/signin?next=");
  });
});

describe("granting tier coupons", () => {
  let silver: Awaited<ReturnType<typeof coupon>>;
  beforeAll(async () => {
    silver = await coupon(storeId, "SILVER");
    expect((await register("silver", silver.code)).status).toBe(200);
  });

  it("gives a member crossing Silver one claim of the Silver coupon, once; they see it and use it at checkout", async () => {
    const buyer = await shopper();
    const before = await (await buyer.client.get("/member")).text();
    expect(before).toContain("From Silver, your tier brings coupons from stores.");

    await paidOrder(buyer, 60_000); // ¥600: still a regular member
    expect(await claimsOf(buyer.id, silver.id)).toBe(0);
    await paidOrder(buyer, 40_000); // ¥1,000 in 12 months: Silver
    expect(await claimsOf(buyer.id, silver.id)).toBe(1);
    expect(await audited("tier_coupon.granted", `user:${buyer.id}`)).toBe(1);
    await paidOrder(buyer, 10_000); // already Silver and holding it: nothing more
    expect(await claimsOf(buyer.id, silver.id)).toBe(1);
    expect(await grantsOf(buyer.id)).toBe(1);

    const member = await (await buyer.client.get("/member")).text();
    expect(member).toContain('data-testid="tier">Silver');
    expect(member).toContain('data-testid="benefit-multiplier">Earns 125% points');
    expect(member).toContain(`data-coupon="${silver.code}" data-granted="true"`);
    expect(member).toContain(`yours: enter ${silver.code} at checkout`);

    const inbox = await (await buyer.client.get("/inbox")).text();
    expect(inbox).toContain("You reached Silver.");
    expect(inbox).toContain("Tier coupons added to your coupons: Silver thank-you");
    expect(await scalar(app, "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'tier.reached'", [buyer.id])).toBe(1);

    const [granted] = await app.services.orders.coupons.unusedClaims(buyer.id);
    expect(granted?.coupon.id).toBe(silver.id);
    const orderId = await placeOrder(buyer, 5_000, { couponCode: silver.code });
    expect(await scalar(app, "SELECT total_fen FROM orders WHERE id = ?", [orderId])).toBe(3_000);
    expect(await scalar(app, "SELECT count(*) FROM coupon_claims WHERE id = ? AND order_id = ?", [granted!.id, orderId])).toBe(1);
  });

  it("gives a coupon registered after a member reached the tier with their next paid order", async () => {
    const buyer = await shopper();
    await paidOrder(buyer, 100_000); // Silver now
    const late = await coupon(storeId, "LATE", { nameEn: "Late silver gift" });
    expect((await register("silver", late.code)).status).toBe(200);
    expect(await claimsOf(buyer.id, late.id)).toBe(0); // registering gives nothing by itself
    expect(await (await buyer.client.get("/member")).text()).toContain(`data-coupon="${late.code}" data-granted="false"`);

    await paidOrder(buyer, 1_000);
    expect(await claimsOf(buyer.id, late.id)).toBe(1);
    await paidOrder(buyer, 1_000);
    expect(await claimsOf(buyer.id, late.id)).toBe(1);
    const inbox = await (await buyer.client.get("/inbox")).text();
    expect(inbox).toContain("Late silver gift");
  });

  it("takes back the unused Silver coupon when a refund drops the member below Silver, and gives it again on reaching Silver again", async () => {
    const buyer = await shopper();
    const orderId = await paidOrder(buyer, 100_000); // ¥1,000: Silver
    expect((await app.services.orders.coupons.unusedClaims(buyer.id)).map((claim) => claim.coupon.id)).toContain(silver.id);

    await refund(buyer, orderId); // back to ¥0 in 12 months: Regular
    expect((await app.services.orders.coupons.unusedClaims(buyer.id)).map((claim) => claim.coupon.id)).not.toContain(silver.id);
    expect(await claimsOf(buyer.id, silver.id)).toBe(0);
    expect(await scalar(app, "SELECT count(*) FROM tier_coupon_grants WHERE user_id = ? AND coupon_id = ?", [buyer.id, silver.id])).toBe(0);
    expect(await audited("tier_coupon.revoked", `user:${buyer.id}`)).toBeGreaterThanOrEqual(1);

    await paidOrder(buyer, 100_000); // Silver again
    expect(await claimsOf(buyer.id, silver.id)).toBe(1);
  });

  it("keeps a used Silver coupon when a refund drops the member below Silver, and records it", async () => {
    const buyer = await shopper();
    const big = await paidOrder(buyer, 100_000); // Silver
    const used = await placeOrder(buyer, 5_000, { couponCode: silver.code }); // the claim is used on an order
    expect(await scalar(app, "SELECT count(*) FROM coupon_claims WHERE user_id = ? AND coupon_id = ? AND order_id = ?", [buyer.id, silver.id, used])).toBe(1);

    await refund(buyer, big);
    expect(await claimsOf(buyer.id, silver.id)).toBe(1);
    expect(await audited("tier_coupon.kept_used", `user:${buyer.id}`)).toBe(1);
  });

  it("skips a claimed-out coupon without failing the payment, and still gives the others", async () => {
    const scarce = await coupon(storeId, "SCARCE", { totalLimit: 1, nameEn: "Scarce gift" });
    expect((await register("silver", scarce.code)).status).toBe(200);
    const first = await shopper();
    await app.services.orders.coupons.claim(first.id, scarce.code); // the only claim goes by hand

    const buyer = await shopper();
    const orderId = await placeOrder(buyer, 120_000);
    expect((await confirmPaid(orderId)).status).toBe(200);
    expect(await scalar(app, "SELECT status = 'paid' FROM orders WHERE id = ?", [orderId])).toBe(1);
    expect(await claimsOf(buyer.id, scarce.id)).toBe(0);
    expect(await scalar(app, "SELECT count(*) FROM tier_coupon_grants WHERE user_id = ? AND coupon_id = ?", [buyer.id, scarce.id])).toBe(0);
    expect(await claimsOf(buyer.id, silver.id)).toBe(1);
    expect(await (await buyer.client.get("/inbox")).text()).toContain("You reached Silver.");
  });
});
