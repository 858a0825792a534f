// Card payments through the real app and Stripe's official mock server: a checkout starts a
// PaymentIntent, the signed webhook marks the order paid exactly once, forged or stale webhooks are
// refused, an approved refund goes back through Stripe, and a payment that arrives after its order
// expired is refunded instead of selling units twice.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Stripe from "stripe";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { createStripePayments } from "../modules/orders/index.ts";
import { checkoutFields, newShopper, orderIdFrom, scalar, skuStock, testProduct } from "./fixtures/commerce.ts";
import { startStripeMock, STRIPE_MOCK_SECRET_KEY, type StripeMock } from "./fixtures/stripe-mock.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

const WEBHOOK_SECRET = "whsec_broadcart_card_payments_test";
const cryptoProvider = Stripe.createSubtleCryptoProvider();
let mock: StripeMock;
let app: TestApp;
let staff: TestClient;
const clock = { offset: 0, now() { return new Date(Date.now() + this.offset); } };

beforeAll(async () => {
  mock = await startStripeMock({ timeoutMs: 300_000 });
  const cardPayments = createStripePayments({ secretKey: STRIPE_MOCK_SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiBase: { host: mock.host, port: mock.port, protocol: mock.protocol }, clock });
  app = await startTestApp({ cardPayments, clock });
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
}, 320_000);
afterAll(() => {
  app?.close();
  mock?.stop();
});

async function cardOrder(priceFen = 8_800, quantity = 1) {
  const { skuId } = await testProduct(app, { priceFen, stock: 5 });
  const shopper = await newShopper(app);
  await shopper.client.get(`/checkout?sku=${skuId}`);
  const orderId = orderIdFrom(await shopper.client.post("/checkout", checkoutFields({ sku: skuId, quantity: String(quantity), paymentMethod: "card" })));
  const intent = String((await app.database.client.execute({ sql: "SELECT provider_ref FROM payments WHERE order_id = ? AND provider = 'stripe'", args: [orderId] })).rows[0]![0]);
  return { ...shopper, skuId, orderId, intent, totalFen: priceFen * quantity };
}

async function webhook(type: string, object: Record<string, unknown>, options: { secret?: string; ageSeconds?: number; eventId?: string } = {}) {
  const timestamp = Math.floor(clock.now().getTime() / 1000) - (options.ageSeconds ?? 0);
  const payload = JSON.stringify({ id: options.eventId ?? `evt_${crypto.randomUUID().replaceAll("-", "")}`, object: "event", api_version: "2026-10-28.endive", created: timestamp, type, data: { object } });
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: options.secret ?? WEBHOOK_SECRET, timestamp, cryptoProvider });
  return app.app.fetch(new Request("http://localhost/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": signature } }));
}

const succeeded = (intent: string, amount: number) => ({ id: intent, object: "payment_intent", amount, amount_received: amount, currency: "cny", status: "succeeded" });
const orderStatus = async (orderId: string) => String((await app.database.client.execute({ sql: "SELECT status FROM orders WHERE id = ?", args: [orderId] })).rows[0]![0]);

describe("card payments", () => {
  it("starts a PaymentIntent at checkout and marks the order paid once, even when the webhook comes twice", async () => {
    const { orderId, intent, totalFen, client } = await cardOrder();
    expect(intent).toStartWith("pi_");
    expect(await orderStatus(orderId)).toBe("pending_payment");
    const page = await (await client.get(`/orders/${orderId}`)).text();
    expect(page).toContain("Pay ¥88.00 by card");

    const eventId = `evt_${crypto.randomUUID().replaceAll("-", "")}`;
    const first = await webhook("payment_intent.succeeded", succeeded(intent, totalFen), { eventId });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, outcome: "applied" });
    const redelivered = await webhook("payment_intent.succeeded", succeeded(intent, totalFen), { eventId });
    expect(await redelivered.json()).toEqual({ received: true, outcome: "duplicate" });
    const sameIntentNewEvent = await webhook("payment_intent.succeeded", succeeded(intent, totalFen));
    expect(await sameIntentNewEvent.json()).toEqual({ received: true, outcome: "duplicate" });
    expect(await orderStatus(orderId)).toBe("paid");
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'order.paid' AND subject = ?", [`order:${orderId}`])).toBe(1);
  });

  it("says so in place when the test card payment does not go through, and leaves the order unpaid", async () => {
    // stripe-mock answers every confirmation with requires_payment_method, as Stripe does for a declined card.
    const { orderId, client } = await cardOrder();
    await client.get(`/orders/${orderId}`);
    const response = await client.post(`/orders/${orderId}/pay`, {}, { htmx: true });
    expect(response.status).toBe(402);
    expect(await response.text()).toContain("did not go through");
    expect(await orderStatus(orderId)).toBe("pending_payment");
  });

  it("refuses a webhook with a bad signature or a stale timestamp, and changes nothing", async () => {
    const { orderId, intent, totalFen } = await cardOrder();
    const forged = await webhook("payment_intent.succeeded", succeeded(intent, totalFen), { secret: "whsec_someone_else" });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toEqual({ error: { code: "bad_signature" } });
    const stale = await webhook("payment_intent.succeeded", succeeded(intent, totalFen), { ageSeconds: 600 });
    expect(stale.status).toBe(400);
    expect(await stale.json()).toEqual({ error: { code: "stale_timestamp" } });
    const unsigned = await app.app.fetch(new Request("http://localhost/webhooks/stripe", { method: "POST", body: "{}" }));
    expect(unsigned.status).toBe(400);
    expect(await orderStatus(orderId)).toBe("pending_payment");
  });

  it("ignores a succeeded payment whose amount is not the order's", async () => {
    const { orderId, intent } = await cardOrder(5_000);
    expect(await (await webhook("payment_intent.succeeded", succeeded(intent, 1))).json()).toEqual({ received: true, outcome: "ignored" });
    expect(await orderStatus(orderId)).toBe("pending_payment");
  });

  it("refunds an approved refund-only request through Stripe and puts unshipped units back", async () => {
    const { orderId, intent, totalFen, client, skuId } = await cardOrder(6_600, 2);
    await webhook("payment_intent.succeeded", succeeded(intent, totalFen));
    expect(await skuStock(app, skuId)).toBe(3);
    await client.post(`/orders/${orderId}/after-sales`, { kind: "refund_only", reason: "下单重复了 Ordered twice" });
    const requestId = String((await app.database.client.execute({ sql: "SELECT id FROM after_sales WHERE order_id = ?", args: [orderId] })).rows[0]![0]);
    await staff.get(`/merchant/orders/${orderId}`);
    expect((await staff.post(`/merchant/after-sales/${requestId}/decide`, { decision: "approve", note: "" }, { htmx: true })).status).toBe(200);
    expect(await orderStatus(orderId)).toBe("refunded");
    expect(await skuStock(app, skuId)).toBe(5);
    const refundRef = (await app.database.client.execute({ sql: "SELECT provider_refund_ref FROM after_sales WHERE id = ?", args: [requestId] })).rows[0]![0];
    expect(String(refundRef)).toStartWith("re_");
  });

  it("refunds a payment that arrives after its order expired, instead of marking it paid", async () => {
    const { orderId, intent, totalFen, skuId } = await cardOrder(4_200);
    clock.offset += 31 * 60 * 1000; // past CARD_PAYMENT_MINUTES
    expect(await app.services.orders.lifecycle.expireUnpaid()).toBeGreaterThanOrEqual(1);
    expect(await skuStock(app, skuId)).toBe(5);
    expect(await (await webhook("payment_intent.succeeded", succeeded(intent, totalFen))).json()).toEqual({ received: true, outcome: "refunding_late_payment" });
    expect(await orderStatus(orderId)).toBe("expired");
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'payment.late' AND subject = ?", [`order:${orderId}`])).toBe(1);
    expect(await scalar(app, "SELECT count(*) FROM audit_entries WHERE action = 'payment.late_refunded' AND subject = ?", [`order:${orderId}`])).toBe(1);
  });
});
