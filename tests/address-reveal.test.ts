// Shipping addresses on staff and officer pages: masked, revealed only for a stated reason by staff
// of the order's store or by compliance officers, and every reveal audited without the address.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { address, checkoutFields, newShopper, orderIdFrom, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let staff: TestClient;
let officer: TestClient;
let staffId: string;

beforeAll(async () => {
  app = await startTestApp();
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
  staffId = (await app.services.accounts.findByEmail("staff@demo.broadcart.test"))!.id;
  officer = app.client();
  await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
}, 60_000);
afterAll(() => app.close());

async function placeOrder(): Promise<{ orderId: string; shopper: TestClient }> {
  const { skuId } = await testProduct(app, { priceFen: 1_200, stock: 10 });
  const { client } = await newShopper(app);
  await client.get(`/checkout?sku=${skuId}`);
  return { orderId: orderIdFrom(await client.post("/checkout", checkoutFields({ sku: skuId }))), shopper: client };
}

const reveals = async (orderId: string) => (await app.services.audit.recent(200)).filter((entry) => entry.action === "order.address_revealed" && entry.subject === `order:${orderId}`);

function expectMasked(html: string) {
  expect(html).toContain("王**");
  expect(html).toContain("138****8000");
  expect(html).toContain(address.region);
  expect(html).toContain("龙井****");
  for (const secret of [address.recipient, address.phone, address.street]) expect(html).not.toContain(secret);
}

function expectRevealed(html: string) {
  for (const full of [address.recipient, address.phone, address.region, address.street]) expect(html).toContain(full);
}

describe("shipping addresses for merchant staff", () => {
  it("shows staff the address masked, while the shopper sees their own in full", async () => {
    const { orderId, shopper } = await placeOrder();
    const page = await (await staff.get(`/merchant/orders/${orderId}`)).text();
    expectMasked(page);
    expect(page).toContain(`action="/merchant/orders/${orderId}/reveal-address"`);
    expectRevealed(await (await shopper.get(`/orders/${orderId}`)).text());
    expect(await reveals(orderId)).toEqual([]);
  });

  it("refuses a reveal without a reason, in place, and records nothing", async () => {
    const { orderId } = await placeOrder();
    await staff.get(`/merchant/orders/${orderId}`);
    const none = await staff.post(`/merchant/orders/${orderId}/reveal-address`, {}, { htmx: true });
    expect(none.status).toBe(422);
    const noneHtml = await none.text();
    expect(noneHtml).toContain("Choose why you need the full address.");
    expectMasked(noneHtml);
    const vague = await staff.post(`/merchant/orders/${orderId}/reveal-address`, { purpose: "other", note: "hm" }, { htmx: true });
    expect(vague.status).toBe(422);
    expect(await vague.text()).toContain("Explain in a note of 4 to 200 characters");
    expect((await staff.post(`/merchant/orders/${orderId}/reveal-address`, { purpose: "curiosity" }, { htmx: true })).status).toBe(422);
    expect(await reveals(orderId)).toEqual([]);
  });

  it("reveals the full address to staff of the order's store for a stated reason, and audits who, which order and why, never the address", async () => {
    const { orderId } = await placeOrder();
    await staff.get(`/merchant/orders/${orderId}`);
    const revealed = await staff.post(`/merchant/orders/${orderId}/reveal-address`, { purpose: "delivery_problem", note: "Courier cannot find the building" }, { htmx: true });
    expect(revealed.status).toBe(200);
    const fragment = await revealed.text();
    expect(fragment).toStartWith(`<div id="address-${orderId}"`);
    expect(fragment).toContain('data-revealed="true"');
    expectRevealed(fragment);

    const entries = await reveals(orderId);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actor).toEqual({ type: "user", id: staffId });
    expect(entries[0]!.data).toEqual({ as: "store_staff", purpose: "delivery_problem", note: "Courier cannot find the building" });
    for (const secret of [address.recipient, address.phone, address.street]) expect(JSON.stringify(entries[0])).not.toContain(secret);

    // A plain form post gets the whole order page with the address revealed; the next visit is masked again.
    const page = await staff.post(`/merchant/orders/${orderId}/reveal-address`, { purpose: "shipping" });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<!doctype html>");
    expectRevealed(html);
    expect(await reveals(orderId)).toHaveLength(2);
    expectMasked(await (await staff.get(`/merchant/orders/${orderId}`)).text());
  });

  it("refuses merchants of other stores, shoppers and posts without the CSRF token", async () => {
    const { orderId, shopper } = await placeOrder();
    await app.services.accounts.createAccount({ email: "other-merchant@example.com", displayName: "Other merchant", password: "other-merchant-password", roles: ["merchant"] }, { type: "system", id: "test" });
    const stranger = app.client();
    await stranger.signIn("other-merchant@example.com", "other-merchant-password");
    const reason = { purpose: "shipping" };
    expect((await stranger.post(`/merchant/orders/${orderId}/reveal-address`, reason, { htmx: true })).status).toBe(403);
    expect((await stranger.get(`/merchant/orders/${orderId}`)).status).toBe(403);
    expect((await shopper.post(`/merchant/orders/${orderId}/reveal-address`, reason, { htmx: true })).status).toBe(403);
    expect((await staff.post(`/merchant/orders/${orderId}/reveal-address`, reason, { htmx: true, csrf: false })).status).toBe(403);
    expect((await staff.post(`/merchant/orders/ord_00000000000000000000000000/reveal-address`, reason, { htmx: true })).status).toBe(404);
    expect(await reveals(orderId)).toEqual([]);
  });
});

describe("shipping addresses of held orders for compliance officers", () => {
  it("shows officers a held order's address masked, and reveals it for a stated reason, audited", async () => {
    await officer.get("/compliance/risk");
    const thresholds = await app.services.orders.risk.thresholds();
    await app.services.orders.risk.setThresholds({ type: "system", id: "test" }, { ...thresholds, address_orders_per_day: 1 });
    let held: string;
    try {
      await placeOrder();
      held = (await placeOrder()).orderId;
    } finally {
      await app.services.orders.risk.setThresholds({ type: "system", id: "test" }, thresholds);
    }
    expect((await app.services.orders.risk.holdOf(held))?.status).toBe("held");

    const page = await (await officer.get("/compliance/risk")).text();
    const row = page.slice(page.indexOf(`id="hold-${held}"`), page.indexOf("</tr>", page.indexOf(`id="hold-${held}"`)));
    expectMasked(row);
    expect(row).toContain(`action="/compliance/risk/holds/${held}/reveal-address"`);

    const refused = await officer.post(`/compliance/risk/holds/${held}/reveal-address`, { purpose: "other" }, { htmx: true });
    expect(refused.status).toBe(422);
    expectMasked(await refused.text());
    expect((await staff.post(`/compliance/risk/holds/${held}/reveal-address`, { purpose: "shipping" }, { htmx: true })).status).toBe(403);
    expect(await reveals(held)).toEqual([]);

    const revealed = await officer.post(`/compliance/risk/holds/${held}/reveal-address`, { purpose: "other", note: "Checking a reseller ring" }, { htmx: true });
    expect(revealed.status).toBe(200);
    expectRevealed(await revealed.text());
    const entries = await reveals(held);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actor).toEqual({ type: "user", id: (await app.services.accounts.findByEmail("officer@demo.broadcart.test"))!.id });
    expect(entries[0]!.data).toEqual({ as: "officer", purpose: "other", note: "Checking a reseller ring" });
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  });
});
