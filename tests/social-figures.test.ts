// The social figures page: hosts see their follower growth; merchants see, per store, followers,
// referral conversions, group-buy outcomes and points issued and redeemed, as SVG charts whose
// numbers (also given as a table) match what happened. Other roles are refused.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { checkoutFields, demoStoreId, newShopper, orderIdFrom, testProduct } from "./fixtures/commerce.ts";
import { staffClient } from "./fixtures/pos.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(() => app.close());

/** The data-table row of today in the chart with this caption: its cells' numbers. */
function todayRow(html: string, caption: string): number[] {
  const table = html.split(`<caption>${caption}</caption>`)[1]?.split("</table>")[0];
  if (!table) throw new Error(`no chart "${caption}"`);
  const today = new Date().toISOString().slice(0, 10);
  const row = table.split(`<th scope="row">${today}</th>`)[1]?.split("</tr>")[0] ?? "";
  return [...row.matchAll(/<td>(-?\d+)<\/td>/g)].map((m) => Number(m[1]));
}

describe("social figures", () => {
  it("shows a merchant their store's followers, referral visits and points of today", async () => {
    const storeId = await demoStoreId(app);
    const owner = app.client();
    await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
    const before = await (await owner.get("/figures/social")).text();
    const followersBefore = todayRow(before, "Followers of Hillside Tea House")[0]!;

    for (const name of ["fan-a", "fan-b"]) {
      const fan = await newShopper(app, name);
      await app.services.follows.follow(fan.id, { type: "store", id: storeId });
    }
    const buyer = await newShopper(app, "figures-buyer");
    const { skuId } = await testProduct(app, { priceFen: 25_000, stock: 3 });
    await buyer.client.get(`/checkout?sku=${skuId}`);
    const orderId = orderIdFrom(await buyer.client.post("/checkout", checkoutFields({ sku: skuId, street: "图表路 1 号" })));
    const staff = await staffClient(app);
    await staff.get(`/merchant/orders/${orderId}`);
    expect((await staff.post(`/merchant/orders/${orderId}/confirm-payment`, {}, { htmx: true })).status).toBe(200);

    const response = await owner.get("/figures/social");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<svg");
    expect(todayRow(html, "Followers of Hillside Tea House")[0]).toBe(followersBefore + 2);
    expect(todayRow(html, "Points issued and redeemed on this store&#39;s orders")[0]).toBeGreaterThanOrEqual(250);
    expect(html).toMatch(/No group has closed in this period\.|Success rate: \d+ %/);
  });

  it("shows a host their own followers, in Chinese too", async () => {
    const host = (await app.services.accounts.findByEmail("host.lin@demo.broadcart.test"))!;
    const fan = await newShopper(app, "host-fan");
    await app.services.follows.follow(fan.id, { type: "host", id: host.id });
    const client = app.client();
    await client.signIn("host.lin@demo.broadcart.test", DEMO_PASSWORD);
    const html = await (await client.get("/figures/social")).text();
    expect(todayRow(html, "Your followers")[0]).toBeGreaterThanOrEqual(1);
    const zh = await (await client.get("/figures/social", { headers: { "Accept-Language": "zh-CN" } })).text();
    expect(zh).toContain("您的粉丝");
  });

  it("refuses shoppers and sends anonymous visitors to sign in", async () => {
    const shopper = await newShopper(app, "nosy");
    expect((await shopper.client.get("/figures/social")).status).toBe(403);
    const anonymous = await app.client().request("/figures/social");
    expect(anonymous.status).toBe(303);
  });
});
