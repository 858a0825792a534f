// When a group buy fails and the card provider refuses the refund for a moment, nothing is lost: the
// member's order stays paid and in its group, the failure is audited, and the next run of the window
// job refunds it (once: the provider call is keyed by the payment).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Stripe from "stripe";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { createStripePayments, type CardPayments } from "../modules/orders/index.ts";
import { randomToken } from "../src/platform/crypto.ts";
import { address, demoStoreId, newShopper, orderIdFrom, testProduct } from "./fixtures/commerce.ts";
import { startStripeMock, STRIPE_MOCK_SECRET_KEY, type StripeMock } from "./fixtures/stripe-mock.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

const WEBHOOK_SECRET = "whsec_broadcart_group_refund_retry";
const clock = { offset: 0, now() { return new Date(Date.now() + this.offset); } };
let mock: StripeMock;
let app: TestApp;
let refundsRefused = 0;
const refundKeys: string[] = [];

beforeAll(async () => {
  mock = await startStripeMock({ timeoutMs: 300_000 });
  const stripe = createStripePayments({ secretKey: STRIPE_MOCK_SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiBase: { host: mock.host, port: mock.port, protocol: mock.protocol }, clock });
  // The provider as the shop sees it, except that it refuses the first refund (a Stripe outage).
  const flaky: CardPayments = {
    ...stripe,
    refund: async (request) => {
      refundKeys.push(request.refundKey);
      if (refundsRefused++ === 0) throw new Error("Stripe is unavailable (503)");
      return stripe.refund(request);
    },
  };
  app = await startTestApp({ cardPayments: flaky, clock });
}, 320_000);
afterAll(() => {
  app?.close();
  mock?.stop();
});

const value = async (sql: string, args: string[]) => (await app.database.client.execute({ sql, args })).rows[0]?.[0];

describe("an unfilled group's card refund", () => {
  it("is asked for again by the next window run when the provider fails, and the order closes only then", async () => {
    const owner = (await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!;
    const { productId, skuId } = await testProduct(app, { priceFen: 10_000, stock: 10 });
    const now = clock.now();
    const offer = await app.services.groupBuys.createOffer(owner.id, { storeId: await demoStoreId(app), productId, skuId, groupPriceFen: 6_000, groupSize: 2, windowMinutes: 30, stock: 4, startsAt: new Date(now.getTime() - 60_000), endsAt: new Date(now.getTime() + 86_400_000), liveSessionId: null });

    const leader = await newShopper(app, "leader");
    await leader.client.get(`/groups/offers/${offer.id}/join`);
    const orderId = orderIdFrom(await leader.client.post(`/groups/offers/${offer.id}/join`, { ...address, paymentMethod: "card", idempotencyKey: randomToken(24) }));
    const intent = String(await value("SELECT provider_ref FROM payments WHERE order_id = ? AND provider = 'stripe'", [orderId]));
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const payload = JSON.stringify({ id: `evt_${randomToken(12)}`, object: "event", api_version: "2026-10-28.endive", created: timestamp, type: "payment_intent.succeeded", data: { object: { id: intent, object: "payment_intent", amount: 6_000, amount_received: 6_000, currency: "cny", status: "succeeded" } } });
    const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET, timestamp, cryptoProvider: Stripe.createSubtleCryptoProvider() });
    await app.app.fetch(new Request("http://localhost/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": signature } }));
    expect(await value("SELECT status FROM orders WHERE id = ?", [orderId])).toBe("paid");

    clock.offset += 31 * 60_000;
    await app.services.groupBuys.closeExpiredGroups();
    // The provider said no: the order is still paid, the member still paid, the failure audited.
    expect(await value("SELECT status FROM orders WHERE id = ?", [orderId])).toBe("paid");
    expect(await value("SELECT status FROM group_members WHERE order_id = ?", [orderId])).toBe("paid");
    expect(Number(await value("SELECT count(*) FROM audit_entries WHERE action = 'payment.group_refund_failed' AND subject = ?", [`order:${orderId}`]))).toBe(1);

    await app.services.groupBuys.closeExpiredGroups();
    expect(await value("SELECT status FROM orders WHERE id = ?", [orderId])).toBe("refunded");
    expect(await value("SELECT status FROM group_members WHERE order_id = ?", [orderId])).toBe("refunded");
    expect(Number(await value("SELECT count(*) FROM audit_entries WHERE action = 'payment.group_refunded' AND subject = ?", [`order:${orderId}`]))).toBe(1);
    // Both attempts carried the same key, so the provider refunds once however often it is asked.
    expect(refundKeys).toHaveLength(2);
    expect(new Set(refundKeys).size).toBe(1);

    await app.services.groupBuys.closeExpiredGroups();
    expect(refundKeys).toHaveLength(2);
  }, 60_000);
});
