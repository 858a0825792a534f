// Referral links (裂变) through the real app: a shopper shares a product, a friend opens the short
// link and pays (offline, confirmed by the store's staff), the sharer's reward is granted once and
// taken back on refund; self-referrals, the same browser and the same address earn nothing; the
// window and "last click wins" decide attribution; coupon rewards are handed out and revoked.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { randomToken } from "../src/platform/crypto.ts";
import { checkoutFields, demoStoreId, newShopper, orderIdFrom, scalar, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

let app: TestApp;
let staff: TestClient;
let storeId: string;

beforeAll(async () => {
  app = await startTestApp({ clock });
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
  storeId = await demoStoreId(app);
}, 60_000);
afterAll(() => app.close());

async function setProgram(fields: Record<string, string>) {
  await staff.get("/merchant/referrals");
  const response = await staff.post("/merchant/referrals", { rewardKind: "points", rewardPoints: "100", windowDays: "7", active: "on", ...fields }, { htmx: true });
  expect(response.status).toBe(200);
}

/** The sharer presses "Share" on the product page; the short link's code comes back in the fragment. */
async function share(client: TestClient, productId: string): Promise<string> {
  await client.get(`/products/${productId}`);
  const response = await client.post("/referrals/links", { targetType: "product", targetId: productId }, { htmx: true });
  expect(response.status).toBe(200);
  const code = /\/r\/([A-Za-z0-9_-]+)"/.exec(await response.text())?.[1];
  if (!code) throw new Error("no short link in the share fragment");
  return code;
}

async function openLink(client: TestClient, code: string): Promise<Response> {
  return client.request(`/r/${code}`);
}

/** A street of one's own, so shoppers do not share an address unless a test says so. */
const ownAddress = () => ({ street: `龙井路 ${randomToken(6)} 号` });

async function buyAndPay(client: TestClient, skuId: string, address: Record<string, string> = ownAddress()): Promise<string> {
  await client.get(`/checkout?sku=${skuId}`);
  const orderId = orderIdFrom(await client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", ...address })));
  await staff.get(`/merchant/orders/${orderId}`);
  expect((await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true })).status).toBe(200);
  return orderId;
}

async function refund(client: TestClient, orderId: string) {
  await client.get(`/orders/${orderId}`);
  await client.post(`/orders/${orderId}/after-sales`, { kind: "refund_only", reason: "Changed my mind" });
  const requestId = String((await app.database.client.execute({ sql: "SELECT id FROM after_sales WHERE order_id = ?", args: [orderId] })).rows[0]![0]);
  expect((await staff.post(`/merchant/after-sales/${requestId}/decide`, { decision: "approve", note: "" }, { htmx: true })).status).toBe(200);
}

async function reward(orderId: string): Promise<{ status: string; reason: string | null; referrerId: string; couponClaimId: string | null } | null> {
  const row = (await app.database.client.execute({ sql: "SELECT status, refused_reason, referrer_id, coupon_claim_id FROM referral_rewards WHERE order_id = ?", args: [orderId] })).rows[0];
  return row ? { status: String(row[0]), reason: row[1] === null ? null : String(row[1]), referrerId: String(row[2]), couponClaimId: row[3] === null ? null : String(row[3]) } : null;
}

const referralPoints = (userId: string) => scalar(app, "SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE user_id = ? AND reason IN ('referral', 'referral_reversed')", [userId]);

describe("referral rewards in points", () => {
  beforeAll(() => setProgram({ rewardKind: "points", rewardPoints: "100" }));

  it("grants the sharer's reward once when the friend's order is paid, and takes it back on refund", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 9_900, stock: 20 });
    const sharer = await newShopper(app, "sharer");
    const friend = await newShopper(app, "friend");
    const code = await share(sharer.client, productId);
    expect(code.length).toBeGreaterThanOrEqual(8);
    expect(await share(sharer.client, productId)).toBe(code); // one link per sharer and product

    const opened = await openLink(friend.client, code);
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe(`/products/${productId}`);
    expect(friend.client.cookie("bc_device")).toBeTruthy();

    const orderId = await buyAndPay(friend.client, skuId);
    expect(await reward(orderId)).toMatchObject({ status: "granted", referrerId: sharer.id });
    expect(await referralPoints(sharer.id)).toBe(100);
    expect(await scalar(app, "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'referral.rewarded'", [sharer.id])).toBe(1);

    // The payment event delivered again (a webhook retried) earns nothing more.
    const event = { orderId, userId: friend.id, storeId, channel: "storefront" as const, liveSessionId: null, totalFen: 9_900, currency: "CNY", clientDevice: friend.client.cookie("bc_device")!, addressKey: null, memberCode: null, lines: [{ productId, skuId, quantity: 1 }], at: clock.now() };
    await app.database.write((tx) => app.services.referrals.orderEvents.paid!(tx, event));
    expect(await referralPoints(sharer.id)).toBe(100);
    expect(await scalar(app, "SELECT count(*) FROM referral_rewards WHERE order_id = ?", [orderId])).toBe(1);

    const mine = await (await sharer.client.get("/account/referrals")).text();
    expect(mine).toContain(`/r/${code}`);
    expect(mine).toContain('data-clicks="1"'); // the friend's visit; the sharer's own do not count
    expect(mine).toContain("100 points");
    const merchantPage = await (await staff.get("/merchant/referrals")).text();
    expect(merchantPage).toContain(`data-order="${orderId}"`);
    expect(merchantPage).not.toContain(sharer.id);

    await refund(friend.client, orderId);
    expect((await reward(orderId))?.status).toBe("reversed");
    expect(await referralPoints(sharer.id)).toBe(0);
    expect(await scalar(app, "SELECT count(*) FROM points_ledger WHERE order_id = ? AND reason = 'referral_reversed'", [orderId])).toBe(1);
    expect(await scalar(app, "SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'referral.reversed'", [sharer.id])).toBe(1);
    const inbox = await (await sharer.client.get("/inbox")).text();
    expect(inbox).toContain("100 points were taken back");

    const today = clock.now();
    const figures = await app.services.referrals.referralFigures(storeId, today, today);
    expect(figures).toHaveLength(1);
    expect(figures[0]!.clicks).toBeGreaterThanOrEqual(1);
    expect(figures[0]!.granted).toBeGreaterThanOrEqual(1);
    expect(figures[0]!.reversed).toBeGreaterThanOrEqual(1);
  });

  it("rewards the sharer when the friend pressed Share on the product after opening the link", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 5_000, stock: 5 });
    const sharer = await newShopper(app, "passed-on");
    const friend = await newShopper(app, "passer");
    const code = await share(sharer.client, productId);
    await openLink(friend.client, code);
    offsetMs += 60_000;
    // The friend shares it on: their own link's visit (their browser, kept as fraud evidence) is newer.
    const friendsCode = await share(friend.client, productId);
    expect(friendsCode).not.toBe(code);
    offsetMs += 60_000;
    const orderId = await buyAndPay(friend.client, skuId);
    expect(await reward(orderId)).toMatchObject({ status: "granted", referrerId: sharer.id });
    expect(await referralPoints(sharer.id)).toBe(100);
    expect(await referralPoints(friend.id)).toBe(0);
  });

  it("gives nothing for buying through one's own link", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 5_000, stock: 5 });
    const sharer = await newShopper(app, "self");
    const code = await share(sharer.client, productId);
    expect((await openLink(sharer.client, code)).status).toBe(303);
    const orderId = await buyAndPay(sharer.client, skuId);
    expect(await reward(orderId)).toMatchObject({ status: "refused", reason: "self_referral" });
    expect(await referralPoints(sharer.id)).toBe(0);
  });

  it("gives nothing when the friend buys from the sharer's own browser", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 5_000, stock: 5 });
    const sharer = await newShopper(app, "device");
    const code = await share(sharer.client, productId);
    // Another account signs in on the same browser (same bc_device cookie), opens the link and buys.
    const { user: other, token } = await app.services.accounts.signUp({ email: `other-${randomToken(4).toLowerCase()}@example.com`, displayName: "Other", password: "long-enough-password" });
    await sharer.client.adoptSession(token);
    await openLink(sharer.client, code);
    const orderId = await buyAndPay(sharer.client, skuId);
    expect(await reward(orderId)).toMatchObject({ status: "refused", reason: "same_device", referrerId: sharer.id });
    expect(await scalar(app, "SELECT count(*) FROM referral_rewards WHERE referee_id = ?", [other.id])).toBe(1);
    expect(await referralPoints(sharer.id)).toBe(0);
  });

  it("gives nothing when the order ships to an address the sharer's own orders went to", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 5_000, stock: 5 });
    const sharer = await newShopper(app, "address");
    const friend = await newShopper(app, "household");
    const household = ownAddress();
    await sharer.client.get(`/checkout?sku=${skuId}`);
    orderIdFrom(await sharer.client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", ...household })));
    const code = await share(sharer.client, productId);
    await openLink(friend.client, code);
    const orderId = await buyAndPay(friend.client, skuId, household);
    expect(await reward(orderId)).toMatchObject({ status: "refused", reason: "same_address" });
    expect(await referralPoints(sharer.id)).toBe(0);
  });

  it("rewards the last link clicked when two sharers sent the same product", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 5_000, stock: 5 });
    const first = await newShopper(app, "first");
    const second = await newShopper(app, "second");
    const friend = await newShopper(app, "friend");
    const firstCode = await share(first.client, productId);
    const secondCode = await share(second.client, productId);
    await openLink(friend.client, firstCode);
    offsetMs += 60_000;
    await openLink(friend.client, secondCode);
    offsetMs += 60_000;
    const orderId = await buyAndPay(friend.client, skuId);
    expect(await reward(orderId)).toMatchObject({ status: "granted", referrerId: second.id });
    expect(await referralPoints(second.id)).toBe(100);
    expect(await referralPoints(first.id)).toBe(0);
  });

  it("gives nothing for a click older than the store's window", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 5_000, stock: 5 });
    const sharer = await newShopper(app, "late");
    const friend = await newShopper(app, "slow");
    const code = await share(sharer.client, productId);
    await openLink(friend.client, code);
    offsetMs += 8 * DAY_MS;
    const orderId = await buyAndPay(friend.client, skuId);
    expect(await reward(orderId)).toBeNull();
    expect(await referralPoints(sharer.id)).toBe(0);

    // A fresh click on the same link within the window does count.
    await openLink(friend.client, code);
    const again = await buyAndPay(friend.client, skuId);
    expect(await reward(again)).toMatchObject({ status: "granted", referrerId: sharer.id });
  });
});

describe("referral rewards as a coupon", () => {
  let couponCode: string;
  beforeAll(async () => {
    couponCode = `REF-${randomToken(4).toUpperCase().replace(/[^A-Z0-9]/g, "X")}`;
    const now = clock.now();
    await app.services.orders.coupons.create({ type: "system", id: "test" }, {
      storeId, code: couponCode, nameZh: "推荐礼券", nameEn: "Referral gift", kind: "amount_off", value: 1_000, minSpendFen: 0, capFen: null,
      audience: "everyone", scope: "store", startsAt: new Date(now.getTime() - DAY_MS), endsAt: new Date(now.getTime() + 60 * DAY_MS), perShopperLimit: 1, totalLimit: 100,
    });
    await setProgram({ rewardKind: "coupon", couponCode, rewardPoints: "" });
  });

  it("hands the sharer a claim of the coupon on payment and takes it back unused on refund", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 8_800, stock: 5 });
    const sharer = await newShopper(app, "coupon-sharer");
    const friend = await newShopper(app, "coupon-friend");
    await openLink(friend.client, await share(sharer.client, productId));
    const orderId = await buyAndPay(friend.client, skuId);
    const granted = await reward(orderId);
    expect(granted).toMatchObject({ status: "granted", referrerId: sharer.id });
    expect(granted!.couponClaimId).toBeTruthy();
    expect((await app.services.orders.coupons.unusedClaims(sharer.id)).map((claim) => claim.coupon.code)).toEqual([couponCode]);
    expect(await referralPoints(sharer.id)).toBe(0);

    await refund(friend.client, orderId);
    expect((await reward(orderId))?.status).toBe("reversed");
    expect(await app.services.orders.coupons.unusedClaims(sharer.id)).toEqual([]);
    expect(await scalar(app, "SELECT count(*) FROM coupon_claims WHERE id = ?", [granted!.couponClaimId!])).toBe(0);
  });

  it("says the coupon could not be taken back when the sharer already used it", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 8_800, stock: 5 });
    const sharer = await newShopper(app, "coupon-spender");
    const friend = await newShopper(app, "coupon-friend");
    await openLink(friend.client, await share(sharer.client, productId));
    const orderId = await buyAndPay(friend.client, skuId);
    const granted = await reward(orderId);
    await sharer.client.get(`/checkout?sku=${skuId}`);
    const own = orderIdFrom(await sharer.client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", couponCode, ...ownAddress() })));
    expect(await scalar(app, "SELECT count(*) FROM coupon_claims WHERE id = ? AND order_id = ?", [granted!.couponClaimId!, own])).toBe(1);

    await refund(friend.client, orderId);
    expect(await reward(orderId)).toMatchObject({ status: "reversed", reason: "coupon_already_used" });
    expect(await scalar(app, "SELECT count(*) FROM coupon_claims WHERE id = ?", [granted!.couponClaimId!])).toBe(1);
    expect(await (await sharer.client.get("/inbox")).text()).toContain("was already used");
  });

  afterAll(() => setProgram({ rewardKind: "points", rewardPoints: "100" }));
});

describe("sharing a live show", () => {
  it("rewards a paid order placed in the shared show", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 6_600, stock: 5 });
    const host = { type: "user" as const, id: (await app.services.accounts.findByEmail("host.lin@demo.broadcart.test"))!.id };
    const show = await app.services.live.scheduleSession({ type: "system", id: "test" }, { storeId, hostId: host.id, title: "分享专场 Shared show", scheduledAt: clock.now(), productIds: [productId] });
    await app.services.live.startSession(host, show.id);
    const sharer = await newShopper(app, "show-sharer");
    const friend = await newShopper(app, "show-friend");

    expect(await (await sharer.client.get(`/live/${show.id}`)).text()).toContain(`data-share="live_session:${show.id}"`);
    const shared = await sharer.client.post("/referrals/links", { targetType: "live_session", targetId: show.id }, { htmx: true });
    const code = /\/r\/([A-Za-z0-9_-]+)"/.exec(await shared.text())![1]!;
    const opened = await openLink(friend.client, code);
    expect(opened.headers.get("location")).toBe(`/live/${show.id}`);

    await friend.client.get(`/checkout?sku=${skuId}&live=${show.id}`);
    const orderId = orderIdFrom(await friend.client.post("/checkout", checkoutFields({ sku: skuId, quantity: "1", liveSession: show.id, ...ownAddress() })));
    await staff.get(`/merchant/orders/${orderId}`);
    await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true });
    expect(await reward(orderId)).toMatchObject({ status: "granted", referrerId: sharer.id });
    expect(await referralPoints(sharer.id)).toBe(100);
  });
});

describe("referral pages and roles", () => {
  it("answers an unknown short link with the 404 page", async () => {
    const response = await app.client().get("/r/NoSuchCode123");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("share link does not exist");
  });

  it("asks anonymous readers to sign in to share, and keeps shoppers off the merchant page", async () => {
    const { productId } = await testProduct(app, { priceFen: 1_000, stock: 1 });
    const anonymous = app.client();
    expect(await (await anonymous.get(`/products/${productId}`)).text()).toContain("Sign in to share");
    expect((await anonymous.post("/referrals/links", { targetType: "product", targetId: productId }, { htmx: true })).status).toBe(401);
    expect((await anonymous.request("/account/referrals")).status).toBe(303);
    const shopper = await newShopper(app);
    expect((await shopper.client.request("/merchant/referrals")).status).toBe(403);
    await shopper.client.get("/account/referrals");
    expect((await shopper.client.post("/merchant/referrals", { rewardKind: "points", rewardPoints: "1000", windowDays: "7", active: "on" })).status).toBe(403);
  });

  it("refuses a window beyond 30 days and a coupon code of no coupon of the store", async () => {
    await staff.get("/merchant/referrals");
    const tooLong = await staff.post("/merchant/referrals", { rewardKind: "points", rewardPoints: "10", windowDays: "31", active: "on" }, { htmx: true });
    expect(tooLong.status).toBe(422);
    expect(await tooLong.text()).toContain("from 1 to 30");
    const noCoupon = await staff.post("/merchant/referrals", { rewardKind: "coupon", couponCode: "NO-SUCH-COUPON", windowDays: "7", active: "on" }, { htmx: true });
    expect(noCoupon.status).toBe(422);
    expect(await noCoupon.text()).toContain("no coupon with this code");
  });

  it("answers a program form whose coupon code is a file with 422, not an error", async () => {
    await staff.get("/merchant/referrals");
    const response = await staff.postMultipart("/merchant/referrals", { rewardKind: "coupon", windowDays: "7", active: "on" }, { couponCode: new File(["REF-1"], "code.txt", { type: "text/plain" }) }, { htmx: true });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("Enter the coupon");
  });

  it("erases a person's visits through links but keeps the rewards", async () => {
    const { productId, skuId } = await testProduct(app, { priceFen: 2_000, stock: 2 });
    const sharer = await newShopper(app, "erase-sharer");
    const friend = await newShopper(app, "erase-friend");
    await openLink(friend.client, await share(sharer.client, productId));
    const orderId = await buyAndPay(friend.client, skuId);
    expect(await app.services.referrals.eraseVisitor(friend.id)).toBe(1);
    expect(await scalar(app, "SELECT count(*) FROM referral_clicks WHERE visitor_user_id = ?", [friend.id])).toBe(0);
    expect((await reward(orderId))?.status).toBe("granted");
  });
});
