// Stripe card payments against a real stripe-mock (Stripe's official API mock, built from source by the
// fixture), and webhook parsing offline. Every request the SDK sends is recorded on its way to
// stripe-mock, so the tests can check what was asked as well as what came back: stripe-mock validates
// each request against Stripe's OpenAPI spec but keeps no state (see tests/fixtures/stripe-mock.ts).
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHmac } from "node:crypto";
import Stripe from "stripe";
import { money, MoneyError } from "../../../src/platform/money.ts";
import { startStripeMock, STRIPE_MOCK_SECRET_KEY, type StripeMock } from "../../../tests/fixtures/stripe-mock.ts";
import { WebhookRejected, type CardPayments } from "./provider.ts";
import { confirmationStatus, createStripePayments, intentIdempotencyKey, PaymentConflict } from "./stripe.ts";

const WEBHOOK_SECRET = "whsec_test_broadcart";
// The first start builds stripe-mock with Go (about 20 s with a warm module cache, longer on a new machine).
const FIRST_START_MS = 300_000;

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  params: URLSearchParams;
  status: number;
  response: any;
}

/** A CardPayments on stripe-mock whose requests (and stripe-mock's answers) land in `requests`. */
function paymentsOn(mock: StripeMock) {
  const requests: Recorded[] = [];
  const recordingFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const response = await fetch(input, init);
    const text = await response.clone().text();
    requests.push({
      method: init?.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init?.headers),
      params: new URLSearchParams(typeof init?.body === "string" ? init.body : ""),
      status: response.status,
      response: text ? JSON.parse(text) : null,
    });
    return response;
  }) as typeof fetch;
  const payments = createStripePayments({
    secretKey: STRIPE_MOCK_SECRET_KEY,
    webhookSecret: WEBHOOK_SECRET,
    apiBase: { host: mock.host, port: mock.port, protocol: mock.protocol },
    fetch: recordingFetch,
  });
  const sent = (method: string, path: string | RegExp) =>
    requests.filter((r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)));
  return { payments, requests, sent };
}

const order = (n: number) => ({
  orderId: `ord_${n}_${crypto.randomUUID()}`,
  orderNumber: `BC-2026-${String(n).padStart(5, "0")}`,
  amount: money(12_990, "CNY"), // ¥129.90
  description: `Broadcart order BC-2026-${String(n).padStart(5, "0")}`,
});

describe("Stripe card payments on stripe-mock", () => {
  let mock: StripeMock;

  beforeAll(async () => {
    mock = await startStripeMock();
  }, FIRST_START_MS);
  afterAll(() => mock?.stop());

  it("starts a PaymentIntent in fen, lowercase currency, with the order in its metadata and an idempotency key", async () => {
    const { payments, sent } = paymentsOn(mock);
    const input = order(1);
    const started = await payments.start(input);

    expect(started.providerRef).toMatch(/^pi_/);
    expect(started.clientSecret).toContain("_secret_");
    expect(started.status).toBe("pending");

    const [create, ...more] = sent("POST", "/v1/payment_intents");
    expect(more).toHaveLength(0);
    expect(create!.status).toBe(200); // stripe-mock refuses parameters that Stripe's spec does not allow
    expect(Object.fromEntries(create!.params)).toEqual({
      amount: "12990",
      currency: "cny",
      description: input.description,
      "metadata[orderId]": input.orderId,
      "metadata[orderNumber]": input.orderNumber,
      "allowed_payment_method_types[0]": "card",
    });
    expect(create!.headers.get("idempotency-key")).toBe(intentIdempotencyKey(input.orderId));
    expect(create!.response).toMatchObject({ id: started.providerRef, amount: 12_990, currency: "cny", description: input.description });
  });

  it("returns the same intent when the same order is started twice", async () => {
    const { payments, sent } = paymentsOn(mock);
    const input = order(2);
    const first = await payments.start(input);
    const second = await payments.start(input);

    expect(second.providerRef).toBe(first.providerRef);
    expect(sent("POST", "/v1/payment_intents")).toHaveLength(1);
    expect(sent("GET", `/v1/payment_intents/${first.providerRef}`)).toHaveLength(1);
  });

  it("sends the same idempotency key for the same order from another process (stripe-mock itself ignores it)", async () => {
    const input = order(3);
    const one = paymentsOn(mock);
    const other = paymentsOn(mock);
    const first = await one.payments.start(input);
    const second = await other.payments.start(input);

    // Each process first asked Stripe's search for the order's intent, and found none that carries its id.
    for (const { sent } of [one, other]) {
      const [search] = sent("GET", "/v1/payment_intents/search");
      expect(search!.query.get("query")).toBe(`metadata['orderId']:'${input.orderId}'`);
    }
    const keys = [...one.sent("POST", "/v1/payment_intents"), ...other.sent("POST", "/v1/payment_intents")].map((r) =>
      r.headers.get("idempotency-key"),
    );
    expect(keys).toEqual([intentIdempotencyKey(input.orderId), intentIdempotencyKey(input.orderId)]);
    // Stripe answers a repeated key with the first intent; stripe-mock keeps no state and only echoes
    // the key back, so it makes a second one. Should stripe-mock ever honour keys, this tells us.
    expect(one.sent("POST", "/v1/payment_intents")[0]!.response.id).toBe(first.providerRef);
    expect(second.providerRef).not.toBe(first.providerRef);
  });

  it("refuses to start an order again for another amount", async () => {
    const { payments } = paymentsOn(mock);
    const input = order(4);
    await payments.start(input);
    await expect(payments.start({ ...input, amount: money(13_990, "CNY") })).rejects.toBeInstanceOf(PaymentConflict);
  });

  it("refuses amounts that are not whole minor units, not positive, or in a currency not enabled, before asking Stripe", async () => {
    const { payments, requests } = paymentsOn(mock);
    await expect(payments.start({ ...order(5), amount: { amount: 129.9, currency: "CNY" } })).rejects.toBeInstanceOf(MoneyError);
    await expect(payments.start({ ...order(5), amount: money(0, "CNY") })).rejects.toThrow(/above zero/);
    await expect(payments.start({ ...order(5), amount: { amount: 100, currency: "GBP" } })).rejects.toBeInstanceOf(MoneyError);
    await expect(payments.refund({ providerRef: "pi_x", amount: { amount: 0.5, currency: "CNY" }, refundKey: "r" })).rejects.toBeInstanceOf(MoneyError);
    expect(requests).toHaveLength(0);
  });

  it("confirms with pm_card_visa and maps the intent's status (stripe-mock answers its fixture's requires_payment_method)", async () => {
    const { payments, sent } = paymentsOn(mock);
    const { providerRef } = await payments.start(order(6));
    const status = await payments.confirm(providerRef, "pm_card_visa");

    const [confirm] = sent("POST", `/v1/payment_intents/${providerRef}/confirm`);
    expect(confirm!.status).toBe(200);
    expect(Object.fromEntries(confirm!.params)).toEqual({ payment_method: "pm_card_visa" });
    expect(confirm!.response).toMatchObject({ id: providerRef, payment_method: "pm_card_visa", status: "requires_payment_method" });
    // stripe-mock does not run payments: every confirm answers the fixture's status, whatever the card.
    // After a confirm, requires_payment_method is how Stripe says the attempt failed.
    expect(status).toBe("failed");
  });

  it("refunds part of a payment once per refund key", async () => {
    const { payments, sent } = paymentsOn(mock);
    const { providerRef } = await payments.start(order(7));
    const refundKey = `refund:${crypto.randomUUID()}`;
    const { refundRef } = await payments.refund({ providerRef, amount: money(5_000, "CNY"), refundKey });
    const again = await payments.refund({ providerRef, amount: money(5_000, "CNY"), refundKey });

    expect(refundRef).toMatch(/^re_/);
    expect(again.refundRef).toBe(refundRef);
    const [lookup] = sent("GET", "/v1/refunds");
    expect(lookup!.query.get("payment_intent")).toBe(providerRef);
    const creates = sent("POST", "/v1/refunds");
    expect(creates).toHaveLength(1);
    expect(Object.fromEntries(creates[0]!.params)).toEqual({ payment_intent: providerRef, amount: "5000", "metadata[refundKey]": refundKey });
    expect(creates[0]!.headers.get("idempotency-key")).toBe(refundKey);
    expect(creates[0]!.response).toMatchObject({ id: refundRef, amount: 5_000, payment_intent: providerRef, status: "succeeded" });
  });
});

describe("Stripe card payments on stripe-mock with paid-intent fixtures", () => {
  // stripe-mock's -fixtures option: every PaymentIntent it answers with is a paid ¥129.90 one for a
  // known order, as Stripe's search would find an order's intent made by an earlier process, and a
  // refund it lists carries a known refund key.
  const paidOrderId = "ord_paid_elsewhere";
  const knownRefundKey = "refund:known";
  let mock: StripeMock;

  beforeAll(async () => {
    mock = await startStripeMock({
      fixtures: (resources) => {
        Object.assign(resources.payment_intent!, {
          status: "succeeded",
          amount: 12_990,
          amount_received: 12_990,
          currency: "cny",
          metadata: { orderId: paidOrderId, orderNumber: "BC-2026-00099" },
        });
        Object.assign(resources.refund!, { amount: 5_000, currency: "cny", metadata: { refundKey: knownRefundKey } });
      },
    });
  }, FIRST_START_MS);
  afterAll(() => mock?.stop());

  it("finds an order's intent by search instead of creating another", async () => {
    const { payments, sent } = paymentsOn(mock);
    const started = await payments.start({ ...order(99), orderId: paidOrderId });

    expect(started).toMatchObject({ providerRef: "pi_1PgafyB7WZ01zgkWSjxsAJo3", status: "succeeded" });
    expect(sent("POST", "/v1/payment_intents")).toHaveLength(0);
    // Found, but for another amount: that is a conflict, not a second intent.
    await expect(paymentsOn(mock).payments.start({ ...order(99), orderId: paidOrderId, amount: money(100, "CNY") })).rejects.toBeInstanceOf(
      PaymentConflict,
    );
  });

  it("reports a confirm that succeeded", async () => {
    const { payments } = paymentsOn(mock);
    expect(await payments.confirm("pi_123", "pm_card_visa")).toBe("succeeded");
  });

  it("finds an earlier refund by its key instead of refunding again", async () => {
    const { payments, sent } = paymentsOn(mock);
    const { refundRef } = await payments.refund({ providerRef: "pi_123", amount: money(5_000, "CNY"), refundKey: knownRefundKey });
    expect(refundRef).toMatch(/^re_/);
    expect(sent("POST", "/v1/refunds")).toHaveLength(0);
  });
});

describe("Stripe webhooks", () => {
  const now = new Date("2026-11-26T08:00:00Z");
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const payments: CardPayments = createStripePayments({
    secretKey: "sk_test_offline",
    webhookSecret: WEBHOOK_SECRET,
    clock: { now: () => now },
    // Webhook parsing sends nothing: any request would fail here.
    fetch: (() => Promise.reject(new Error("webhook parsing must not use the network"))) as unknown as typeof fetch,
  });
  const cryptoProvider = Stripe.createSubtleCryptoProvider();

  const event = (type: string, object: Record<string, unknown>, id = `evt_${crypto.randomUUID().replaceAll("-", "")}`) =>
    JSON.stringify({ id, object: "event", api_version: "2026-10-28.endive", created: nowSeconds, type, data: { object } });
  const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderStringAsync({
      payload,
      secret: options.secret ?? WEBHOOK_SECRET,
      timestamp: options.timestamp ?? nowSeconds,
      cryptoProvider,
    });
  const rejection = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookRejected);
    return (error as WebhookRejected).reason;
  };

  const intent = (status: string, extra: Record<string, unknown> = {}) => ({
    id: "pi_3Test",
    object: "payment_intent",
    amount: 12_990,
    amount_received: status === "succeeded" ? 12_990 : 0,
    currency: "cny",
    status,
    metadata: { orderId: "ord_1", orderNumber: "BC-2026-00001" },
    ...extra,
  });

  it("accepts a correctly signed payload and reads payment_intent.succeeded", async () => {
    const payload = event("payment_intent.succeeded", intent("succeeded"), "evt_succeeded");
    expect(await payments.parseWebhook(payload, await sign(payload))).toEqual({
      eventId: "evt_succeeded",
      type: "payment.succeeded",
      providerType: "payment_intent.succeeded",
      providerRef: "pi_3Test",
      amount: money(12_990, "CNY"),
    });
  });

  it("accepts a header built by hand from Stripe's documented scheme (HMAC-SHA256 of `t.payload`)", async () => {
    // Under Bun the SDK loads its Workers build, whose crypto is SubtleCrypto only: the synchronous
    // generateTestHeaderString throws there, hence generateTestHeaderStringAsync above and this check.
    const payload = event("payment_intent.succeeded", intent("succeeded"));
    const signature = createHmac("sha256", WEBHOOK_SECRET).update(`${nowSeconds}.${payload}`).digest("hex");
    expect((await payments.parseWebhook(payload, `t=${nowSeconds},v1=${signature}`)).type).toBe("payment.succeeded");
    // Stripe may send several signatures (during a secret roll): one that matches is enough.
    expect((await payments.parseWebhook(payload, `t=${nowSeconds},v1=${"0".repeat(64)},v1=${signature}`)).type).toBe("payment.succeeded");
  });

  it("rejects a missing signature header", async () => {
    const payload = event("payment_intent.succeeded", intent("succeeded"));
    expect(await rejection(payments.parseWebhook(payload, undefined))).toBe("missing_signature");
    expect(await rejection(payments.parseWebhook(payload, ""))).toBe("missing_signature");
  });

  it("rejects a bad signature: another secret, a changed body, or a header that is not a signature", async () => {
    const payload = event("payment_intent.succeeded", intent("succeeded"));
    expect(await rejection(payments.parseWebhook(payload, await sign(payload, { secret: "whsec_someone_else" })))).toBe("bad_signature");
    const header = await sign(payload);
    expect(await rejection(payments.parseWebhook(payload.replace("12990", "1"), header))).toBe("bad_signature");
    expect(await rejection(payments.parseWebhook(payload, "nonsense"))).toBe("bad_signature");
    expect(await rejection(payments.parseWebhook(payload, `t=${nowSeconds}`))).toBe("bad_signature");
  });

  it("rejects a correctly signed payload whose timestamp is older than the tolerance", async () => {
    const payload = event("payment_intent.succeeded", intent("succeeded"));
    expect(await rejection(payments.parseWebhook(payload, await sign(payload, { timestamp: nowSeconds - 301 })))).toBe("stale_timestamp");
    // 300 s old is still within Stripe's default tolerance.
    expect((await payments.parseWebhook(payload, await sign(payload, { timestamp: nowSeconds - 300 }))).type).toBe("payment.succeeded");
    // A stale header with a wrong signature is a bad signature first.
    const stale = await sign(payload, { timestamp: nowSeconds - 3_600, secret: "whsec_someone_else" });
    expect(await rejection(payments.parseWebhook(payload, stale))).toBe("bad_signature");

    const strict = createStripePayments({ secretKey: "sk_test_offline", webhookSecret: WEBHOOK_SECRET, clock: { now: () => now }, toleranceSeconds: 60 });
    expect(await rejection(strict.parseWebhook(payload, await sign(payload, { timestamp: nowSeconds - 61 })))).toBe("stale_timestamp");
    expect(() => createStripePayments({ secretKey: "sk_test_x", webhookSecret: WEBHOOK_SECRET, toleranceSeconds: 0 })).toThrow(/positive/);
  });

  it("rejects a correctly signed body that is not an event as malformed", async () => {
    for (const payload of ["not json", JSON.stringify({ object: "event", type: "payment_intent.succeeded" }), JSON.stringify({ id: "evt_1", type: "x", data: null })]) {
      expect(await rejection(payments.parseWebhook(payload, await sign(payload)))).toBe("malformed");
    }
    expect(await rejection(payments.parseWebhook("", await sign("")))).toBe("malformed");
    const noAmount = event("payment_intent.succeeded", intent("succeeded", { amount_received: 129.9 }));
    expect(await rejection(payments.parseWebhook(noAmount, await sign(noAmount)))).toBe("malformed");
  });

  it("maps payment_intent.payment_failed to payment.failed with the amount asked", async () => {
    const payload = event("payment_intent.payment_failed", intent("requires_payment_method"));
    expect(await payments.parseWebhook(payload, await sign(payload))).toMatchObject({
      type: "payment.failed",
      providerType: "payment_intent.payment_failed",
      providerRef: "pi_3Test",
      amount: money(12_990, "CNY"),
    });
  });

  it("maps charge.refunded to refund.succeeded on the payment intent, with the total refunded", async () => {
    const charge = { id: "ch_3Test", object: "charge", amount: 12_990, amount_refunded: 5_000, currency: "cny", payment_intent: "pi_3Test", refunded: false };
    const payload = event("charge.refunded", charge);
    expect(await payments.parseWebhook(payload, await sign(payload))).toMatchObject({
      type: "refund.succeeded",
      providerType: "charge.refunded",
      providerRef: "pi_3Test",
      amount: money(5_000, "CNY"),
      refundRef: null,
    });
  });

  it("maps refund.updated to refund.succeeded only once the refund has succeeded", async () => {
    const refund = (status: string) => ({ id: "re_3Test", object: "refund", amount: 2_000, currency: "cny", payment_intent: "pi_3Test", status });
    const succeeded = event("refund.updated", refund("succeeded"));
    expect(await payments.parseWebhook(succeeded, await sign(succeeded))).toMatchObject({
      type: "refund.succeeded",
      providerType: "refund.updated",
      providerRef: "pi_3Test",
      amount: money(2_000, "CNY"),
      refundRef: "re_3Test",
    });
    const pending = event("refund.updated", refund("pending"));
    expect(await payments.parseWebhook(pending, await sign(pending))).toMatchObject({ type: "ignored", providerType: "refund.updated", amount: null });
  });

  it("ignores other events, and payments in currencies Broadcart does not take", async () => {
    const customer = event("customer.created", { id: "cus_1", object: "customer" }, "evt_customer");
    expect(await payments.parseWebhook(customer, await sign(customer))).toEqual({
      eventId: "evt_customer",
      type: "ignored",
      providerType: "customer.created",
      providerRef: null,
      amount: null,
    });
    const pounds = event("payment_intent.succeeded", intent("succeeded", { currency: "gbp" }));
    expect(await payments.parseWebhook(pounds, await sign(pounds))).toMatchObject({ type: "ignored", providerRef: "pi_3Test", amount: null });
    const yen = event("payment_intent.succeeded", intent("succeeded", { currency: "jpy", amount: 1_200, amount_received: 1_200 }));
    expect((await payments.parseWebhook(yen, await sign(yen))).amount).toEqual(money(1_200, "JPY"));
  });
});

describe("confirmationStatus", () => {
  it("maps every PaymentIntent status", () => {
    expect(confirmationStatus("succeeded")).toBe("succeeded");
    for (const status of ["processing", "requires_action", "requires_confirmation", "requires_capture"]) expect(confirmationStatus(status)).toBe("pending");
    for (const status of ["requires_payment_method", "canceled"]) expect(confirmationStatus(status)).toBe("failed");
  });
});
