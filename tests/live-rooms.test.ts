// Live rooms through the real app, without a video server: the pages say broadcasting is unavailable,
// while chat rules, pins, flash sales, removal and the after-show figures all work on the database.
// (tests/live-livekit.test.ts runs the same room against a real LiveKit server.)
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { checkoutFields, newShopper, orderIdFrom } from "./fixtures/commerce.ts";
import { fastTestPasswords, startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let host: TestClient;
let sessionId: string;
let lineUp: string[];

beforeAll(async () => {
  app = await startTestApp({ passwords: fastTestPasswords() });
  host = app.client();
  await host.signIn("host.lin@demo.broadcart.test", DEMO_PASSWORD);
  const session = (await app.services.live.board(10)).upcoming.find((s) => s.host.name === "林小夏")!;
  sessionId = session.id;
  lineUp = session.productIds;
  // No LiveKit here: start the show through the service, as LiveKit's webhook would confirm it.
  await app.services.live.startSession({ type: "user", id: session.host.id }, sessionId);
}, 60_000);
afterAll(() => app.close());

describe("live room without a video server", () => {
  it("shows the watch page with a clear note that broadcasting is unavailable, and refuses to go live", async () => {
    const page = await (await app.client().get(`/live/${sessionId}`)).text();
    expect(page).toContain("Broadcasting is unavailable");
    expect(page).toContain("LIVEKIT_URL");
    const viewer = app.client();
    await viewer.get(`/live/${sessionId}`);
    const join = await viewer.request(`/live/${sessionId}/join`, { method: "POST", headers: { accept: "application/json", "x-csrf-token": viewer.csrfToken! } });
    expect(join.status).toBe(409);
    expect(((await join.json()) as { error: { code: string } }).error.code).toBe("broadcast_unavailable");
  });

  it("lets only the show's host into the studio", async () => {
    expect((await host.get(`/studio/${sessionId}`)).status).toBe(200);
    const otherHost = app.client();
    await otherHost.signIn("host.zhou@demo.broadcart.test", DEMO_PASSWORD);
    expect((await otherHost.get(`/studio/${sessionId}`)).status).toBe(403);
  });
});

describe("chat", () => {
  it("sends a clean message, refuses one with a banned term and says which, and records both", async () => {
    const { client, id } = await newShopper(app, "chatter");
    await client.get(`/live/${sessionId}`);
    const ok = await client.post(`/live/${sessionId}/chat`, { body: "这款龙井什么时候发货？" }, { htmx: true });
    expect(ok.status).toBe(200);
    await Bun.sleep(1_050);
    const banned = await client.post(`/live/${sessionId}/chat`, { body: "全网最低价，国家级好茶！" }, { htmx: true });
    expect(banned.status).toBe(422);
    const text = await banned.text();
    expect(text).toContain("advertising rules do not allow");
    expect(text).toMatch(/国家级|最低价/);
    const rows = (await app.database.client.execute({ sql: "SELECT status FROM live_chat_messages WHERE user_id = ? ORDER BY created_at", args: [id] })).rows.map((r) => r.status);
    expect(rows).toEqual(["sent", "refused"]);
    const page = await (await app.client().get(`/live/${sessionId}`)).text();
    expect(page).toContain("这款龙井什么时候发货？");
    expect(page).not.toContain("国家级好茶");
  });

  it("slows down a viewer who posts too fast, and keeps a removed viewer from posting", async () => {
    const { client, id } = await newShopper(app, "fast");
    await client.get(`/live/${sessionId}`);
    expect((await client.post(`/live/${sessionId}/chat`, { body: "第一次来" }, { htmx: true })).status).toBe(200);
    const tooFast = await client.post(`/live/${sessionId}/chat`, { body: "again" }, { htmx: true });
    expect(tooFast.status).toBe(429);
    await host.get(`/studio/${sessionId}`);
    expect((await host.post(`/studio/${sessionId}/remove`, { userId: id }, { htmx: true })).status).toBe(204);
    await Bun.sleep(1_050);
    const removed = await client.post(`/live/${sessionId}/chat`, { body: "hello?" }, { htmx: true });
    expect(removed.status).toBe(403);
    expect(await removed.text()).toContain("removed you");
  });

  it("keeps a muted viewer watching but not posting", async () => {
    const { client, id } = await newShopper(app, "muted");
    await client.get(`/live/${sessionId}`);
    await host.get(`/studio/${sessionId}`);
    expect((await host.post(`/studio/${sessionId}/remove`, { userId: id, kind: "muted" }, { htmx: true })).status).toBe(204);
    const muted = await client.post(`/live/${sessionId}/chat`, { body: "hello" }, { htmx: true });
    expect(muted.status).toBe(403);
    expect(await muted.text()).toContain("muted you");
    expect((await client.get(`/live/${sessionId}`)).status).toBe(200);
  });

  it("refuses chat from anonymous viewers and empty or over-long messages", async () => {
    const anonymous = app.client();
    await anonymous.get(`/live/${sessionId}`);
    expect((await anonymous.post(`/live/${sessionId}/chat`, { body: "hi" }, { htmx: true })).status).toBe(401);
    const { client } = await newShopper(app, "long");
    await client.get(`/live/${sessionId}`);
    expect((await client.post(`/live/${sessionId}/chat`, { body: "" }, { htmx: true })).status).toBe(422);
    expect((await client.post(`/live/${sessionId}/chat`, { body: "长".repeat(201) }, { htmx: true })).status).toBe(422);
  });
});

describe("pinned product and flash sale", () => {
  it("pins a product from the line-up, refuses one outside it, and shows the flash-sale price on the card", async () => {
    await host.get(`/studio/${sessionId}`);
    const outside = (await app.services.catalog.listPublishedProducts(50)).find((p) => !lineUp.includes(p.id))!;
    expect((await host.post(`/studio/${sessionId}/pin`, { productId: outside.id }, { htmx: true })).status).toBe(422);
    expect((await host.post(`/studio/${sessionId}/pin`, { productId: lineUp[0]! }, { htmx: true })).status).toBe(200);
    const product = await app.services.catalog.getPublishedProduct(lineUp[0]!);
    const sku = product.skus[0]!;
    const sale = await host.post(`/studio/${sessionId}/flash-sale`, { skuId: sku.id, price: "99", units: "5", minutes: "5" }, { htmx: true });
    expect(sale.status).toBe(200);
    const card = await (await (await newShopper(app)).client.get(`/live/${sessionId}/card`, { htmx: true })).text();
    expect(card).toContain("¥99.00");
    expect(card).toContain("5 left");
    expect(card).toContain(`/checkout?sku=${sku.id}&amp;quantity=1&amp;live=${sessionId}`);
    const anonymousCard = await (await app.client().get(`/live/${sessionId}/card`, { htmx: true })).text();
    expect(anonymousCard).toContain("Sign in to buy");
  });

  it("issues a live coupon from the studio that viewers claim in the room and that fills in at a live checkout", async () => {
    await host.get(`/studio/${sessionId}`);
    expect((await host.post(`/studio/${sessionId}/coupon`, { amount: "abc", total: "1", minutes: "30" }, { htmx: true })).status).toBe(422);
    const issued = await host.post(`/studio/${sessionId}/coupon`, { amount: "10", minSpend: "", total: "1", minutes: "30" }, { htmx: true });
    expect(issued.status).toBe(200);
    const first = await newShopper(app, "claimer");
    const page = await (await first.client.get(`/live/${sessionId}`)).text();
    expect(page).toContain("Live coupon: ¥10.00 off");
    const couponId = /data-coupon="(cpn_[0-9A-Z]+)"/.exec(page)![1]!;
    expect((await first.client.post(`/live/${sessionId}/coupons/${couponId}/claim`, {}, { htmx: true })).status).toBe(200);
    const second = await newShopper(app, "late");
    await second.client.get(`/live/${sessionId}`);
    expect((await second.client.post(`/live/${sessionId}/coupons/${couponId}/claim`, {}, { htmx: true })).status).toBe(409);
    const sku = (await app.services.catalog.getPublishedProduct(lineUp[1]!)).skus[0]!;
    const liveCheckout = await (await first.client.get(`/checkout?sku=${sku.id}&quantity=1&live=${sessionId}`)).text();
    expect(liveCheckout).toMatch(/name="couponCode"[^>]*value="LIVE-/);
    expect(liveCheckout).toContain("-¥10.00");
    const storefront = await (await first.client.get(`/checkout?sku=${sku.id}&quantity=1`)).text();
    expect(storefront).not.toMatch(/value="LIVE-/);
  });

  it("counts a live order in the host's panel and the after-show figures", async () => {
    const product = await app.services.catalog.getPublishedProduct(lineUp[0]!);
    const sku = product.skus[0]!;
    const { client } = await newShopper(app, "buyer");
    await client.get(`/checkout?sku=${sku.id}&quantity=1&live=${sessionId}`);
    const placed = await client.post("/checkout", checkoutFields({ sku: sku.id, quantity: "1", liveSession: sessionId }));
    orderIdFrom(placed);
    const studio = await (await host.get(`/studio/${sessionId}`)).text();
    expect(studio).toMatch(/data-testid="panel-orders">1</);
    await host.post(`/studio/${sessionId}/end`, {});
    const summary = await (await host.get(`/live/${sessionId}/summary`)).text();
    expect(summary).toMatch(/data-testid="summary-orders">1</);
    expect(summary).toContain("¥99.00");
    const shopper = (await newShopper(app)).client;
    expect((await shopper.get(`/live/${sessionId}/summary`)).status).toBe(403);
  });
});

describe("scheduling", () => {
  it("lets a host schedule a show with a line-up from their store, with mistakes answered in place", async () => {
    const page = await (await host.get("/studio")).text();
    expect(page).toContain("Schedule a show");
    const own = (await app.services.catalog.listPublishedProducts(50)).slice(0, 2).map((p) => p.id);
    const storeId = /name="storeId" value="(sto_[0-9A-Z]+)"/.exec(page)![1]!;
    const bad = await host.post("/studio", { title: "", startsAt: "2020-01-01T20:00", storeId, productIds: [] }, { htmx: true });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    for (const message of ["Give the show a title", "Choose a start time", "Choose 1 to 30 products"]) expect(html).toContain(message);
    const tomorrow = new Date(Date.now() + 86_400_000);
    const wall = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(tomorrow).replace(" ", "T");
    const notPicture = await host.postMultipart("/studio", { title: "周末茶会", startsAt: wall, storeId, productIds: own }, { cover: new File(["<html>not a picture</html>"], "cover.png", { type: "image/png" }) });
    expect(notPicture.status).toBe(422);
    expect(await notPicture.text()).toContain("The cover must be a JPEG, PNG or WebP picture");
    // The smallest valid PNG: a 1×1 transparent pixel.
    const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));
    const made = await host.postMultipart("/studio", { title: "周末茶会 Weekend tea party", startsAt: wall, storeId, productIds: own }, { cover: new File([png], "cover.png", { type: "image/png" }) });
    expect(made.status).toBe(303);
    const id = /\/studio\/(liv_[0-9A-Z]+)/.exec(made.headers.get("location")!)![1]!;
    const session = await app.services.live.getSession(id);
    expect(session.status).toBe("scheduled");
    expect(session.productIds).toEqual(own);
    const home = await (await app.client().get("/")).text();
    expect(home).toContain("周末茶会 Weekend tea party");
    const coverUrl = /src="(\/media\/covers\/cov_[0-9A-Z]+\.png)"/.exec(home)![1]!;
    const served = await app.client().request(coverUrl);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
    const shopper = (await newShopper(app)).client;
    expect((await shopper.get("/studio")).status).toBe(403);
  });
});

describe("real-name verification", () => {
  it("keeps a host whose real name is not approved from going live", async () => {
    const system = { type: "system" as const, id: "test" };
    const newcomer = await app.services.accounts.createAccount({ email: "new.host@example.com", displayName: "新主播", password: "long-enough-password", roles: ["host", "shopper"] }, system);
    const store = (await app.services.live.getSession(sessionId)).store;
    await app.services.catalog.addStaff(system, store.id, newcomer.id, "host");
    const show = await app.services.live.scheduleSession(system, { storeId: store.id, hostId: newcomer.id, title: "新人首播", scheduledAt: new Date(Date.now() + 3_600_000), productIds: lineUp.slice(0, 1) });
    const client = app.client();
    await client.signIn("new.host@example.com", "long-enough-password");
    await client.get(`/studio/${show.id}`);
    const refused = await client.post(`/studio/${show.id}/go-live`, {}, { htmx: true });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("real-name verification has not been approved");
    expect((await app.services.live.getSession(show.id)).status).toBe("scheduled");
  });
});
