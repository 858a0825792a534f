// Card payments through Stripe, with the official SDK. The client talks to Stripe with fetch and checks
// webhook signatures with SubtleCrypto, so the same code runs on Bun and on Cloudflare Workers.
//
// Money: Stripe counts amounts in the currency's minor unit, as src/platform/money.ts does (fen for
// CNY, yen for JPY), so amounts go to and come from Stripe unchanged: never through a float.
//
// One intent per order: start() looks for the order's intent before it creates one (remembered in
// this process, then by Stripe's search on metadata.orderId), and creates it with an idempotency key
// derived from the order id, which Stripe honours for 24 hours. Refunds are looked up by their
// refundKey (kept in the refund's metadata) before one is created with that key as idempotency key.
//
// Intents take cards only: `allowed_payment_method_types: ["card"]`, the SDK's API version's name for
// what older versions called payment_method_types, so a server-side confirm needs no return_url.
import Stripe from "stripe";
import type { Clock } from "../../../src/platform/clock.ts";
import { isSupportedCurrency, money, type Money } from "../../../src/platform/money.ts";
import { WebhookRejected, type CardPayments, type PaymentEvent, type StartedPayment } from "./provider.ts";

export interface StripePaymentsOptions {
  /** sk_live_... or sk_test_... */
  secretKey: string;
  /** whsec_..., the signing secret of the webhook endpoint. */
  webhookSecret: string;
  /** Where the API is, when not api.stripe.com over HTTPS (stripe-mock in tests). */
  apiBase?: { host: string; port: number; protocol: "http" | "https" };
  /** Webhook timestamps are checked against this clock; the system clock unless told. */
  clock?: Clock;
  /** How old a webhook's signed timestamp may be, in seconds; 300 (Stripe's default) unless told. */
  toleranceSeconds?: number;
  /** The fetch the SDK sends its requests with; the global one unless told (tests record requests with it). */
  fetch?: typeof fetch;
}

/** A payment or refund that Stripe already has for this order or refund key does not match the request. */
export class PaymentConflict extends Error {}

/**
 * Currencies whose minor unit in money.ts is Stripe's minor unit too: two decimals for CNY, HKD, USD
 * and EUR, none for JPY (a zero-decimal currency for Stripe). Adding a currency to money.ts does not
 * enable it here until its unit has been checked against Stripe's.
 */
const STRIPE_CURRENCIES: ReadonlySet<string> = new Set(["CNY", "HKD", "USD", "EUR", "JPY"]);

const MEMORY_LIMIT = 1_000;

export function createStripePayments(options: StripePaymentsOptions): CardPayments {
  const { secretKey, webhookSecret, clock } = options;
  if (!secretKey) throw new Error("Stripe secret key missing");
  if (!webhookSecret) throw new Error("Stripe webhook secret missing");
  const tolerance = options.toleranceSeconds ?? 300;
  if (!Number.isSafeInteger(tolerance) || tolerance <= 0) {
    // The SDK treats 0 as "do not check the timestamp", which would let an old webhook be replayed.
    throw new Error(`toleranceSeconds must be a positive whole number of seconds, got ${tolerance}`);
  }

  const stripe = new Stripe(secretKey, {
    httpClient: Stripe.createFetchHttpClient(options.fetch),
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: "Broadcart" },
    ...(options.apiBase ? { host: options.apiBase.host, port: options.apiBase.port, protocol: options.apiBase.protocol } : {}),
  });
  const cryptoProvider = Stripe.createSubtleCryptoProvider();

  // What this process already knows: order id → its intent, refund key → its refund.
  const intents = new BoundedMap<string, { providerRef: string; amount: Money }>(MEMORY_LIMIT);
  const refunds = new BoundedMap<string, string>(MEMORY_LIMIT);

  function checkSameAmount(what: string, existing: Money, wanted: Money) {
    if (existing.amount !== wanted.amount || existing.currency !== wanted.currency) {
      throw new PaymentConflict(
        `${what} is for ${existing.amount} ${existing.currency} (minor units), not ${wanted.amount} ${wanted.currency}`,
      );
    }
  }

  function started(intent: Stripe.PaymentIntent): StartedPayment {
    if (!intent.client_secret) throw new Error(`Stripe returned PaymentIntent ${intent.id} without a client secret`);
    return {
      providerRef: intent.id,
      clientSecret: intent.client_secret,
      status: intent.status === "succeeded" ? "succeeded" : "pending",
    };
  }

  /** The order's live intent according to Stripe's search, or null (none yet, or search unavailable). */
  async function searchIntent(orderId: string): Promise<Stripe.PaymentIntent | null> {
    let found: Stripe.PaymentIntent[];
    try {
      const result = await stripe.paymentIntents.search({ query: `metadata['orderId']:'${searchLiteral(orderId)}'`, limit: 10 });
      found = result.data;
    } catch (error) {
      // Search is not offered everywhere (e.g. to accounts in India); the idempotency key still holds.
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return null;
      throw error;
    }
    // Trust a hit only if it really carries this order id: search indexes with a delay, and a server
    // that answers a fixed object (stripe-mock) must not be taken at its word.
    return found.find((intent) => intent.metadata?.orderId === orderId && intent.status !== "canceled") ?? null;
  }

  return {
    provider: "stripe",

    async start({ orderId, orderNumber, amount, description }) {
      if (!orderId) throw new Error("orderId missing");
      const wanted = chargeable(amount);

      const remembered = intents.get(orderId);
      if (remembered) {
        checkSameAmount(`order ${orderId}'s PaymentIntent ${remembered.providerRef}`, remembered.amount, wanted);
        return started(await stripe.paymentIntents.retrieve(remembered.providerRef));
      }

      const existing = await searchIntent(orderId);
      if (existing) {
        const existingAmount = fromStripe(existing.amount, existing.currency);
        if (!existingAmount) throw new PaymentConflict(`order ${orderId}'s PaymentIntent ${existing.id} is in ${existing.currency}`);
        checkSameAmount(`order ${orderId}'s PaymentIntent ${existing.id}`, existingAmount, wanted);
        intents.set(orderId, { providerRef: existing.id, amount: wanted });
        return started(existing);
      }

      const intent = await stripe.paymentIntents.create(
        {
          amount: wanted.amount,
          currency: wanted.currency.toLowerCase(),
          description,
          metadata: { orderId, orderNumber },
          allowed_payment_method_types: ["card"],
        },
        { idempotencyKey: intentIdempotencyKey(orderId) },
      );
      intents.set(orderId, { providerRef: intent.id, amount: wanted });
      return started(intent);
    },

    async status(providerRef) {
      return confirmationStatus((await stripe.paymentIntents.retrieve(providerRef)).status);
    },

    async confirm(providerRef, paymentMethod) {
      try {
        const intent = await stripe.paymentIntents.confirm(providerRef, { payment_method: paymentMethod });
        return confirmationStatus(intent.status);
      } catch (error) {
        // A declined card is an answer, not a fault.
        if (error instanceof Stripe.errors.StripeCardError) return "failed";
        // Already succeeded (or otherwise past confirming): say where it stands.
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "payment_intent_unexpected_state") {
          return confirmationStatus((await stripe.paymentIntents.retrieve(providerRef)).status);
        }
        throw error;
      }
    },

    async refund({ providerRef, amount, refundKey }) {
      if (!refundKey) throw new Error("refundKey missing");
      const wanted = chargeable(amount);

      const remembered = refunds.get(refundKey);
      if (remembered) return { refundRef: remembered };

      // A refund made with this key more than 24 hours ago is past Stripe's idempotency window: find it.
      const earlier = await stripe.refunds.list({ payment_intent: providerRef, limit: 100 });
      const same = earlier.data.find((refund) => refund.metadata?.refundKey === refundKey);
      if (same) {
        const sameAmount = fromStripe(same.amount, same.currency);
        if (sameAmount) checkSameAmount(`refund ${same.id} (key ${refundKey})`, sameAmount, wanted);
        refunds.set(refundKey, same.id);
        return { refundRef: same.id };
      }

      const refund = await stripe.refunds.create(
        { payment_intent: providerRef, amount: wanted.amount, metadata: { refundKey } },
        { idempotencyKey: refundKey },
      );
      refunds.set(refundKey, refund.id);
      return { refundRef: refund.id };
    },

    async parseWebhook(rawBody, signatureHeader) {
      if (!signatureHeader) throw new WebhookRejected("missing_signature");
      let event: Stripe.Event;
      try {
        event = await stripe.webhooks.constructEventAsync(
          rawBody,
          signatureHeader,
          webhookSecret,
          tolerance,
          cryptoProvider,
          (clock?.now() ?? new Date()).getTime(),
        );
      } catch (error) {
        throw new WebhookRejected(rejectionReason(error));
      }
      return paymentEvent(event);
    },
  };
}

/** The idempotency key of an order's PaymentIntent: one order, one intent. */
export function intentIdempotencyKey(orderId: string): string {
  return `broadcart:order:${orderId}:payment-intent`;
}

/** Where a confirmed PaymentIntent stands, in the terms of CardPayments.confirm. */
export function confirmationStatus(status: Stripe.PaymentIntent.Status): "pending" | "succeeded" | "failed" {
  switch (status) {
    case "succeeded":
      return "succeeded";
    // After a confirm, needing a payment method again means the attempt failed (Stripe's decline path).
    case "requires_payment_method":
    case "canceled":
      return "failed";
    default:
      // processing, requires_action (3-D Secure), requires_confirmation, requires_capture
      return "pending";
  }
}

function rejectionReason(error: unknown): WebhookRejected["reason"] {
  if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
    // The SDK says which check failed only in its message.
    if (/timestamp outside the tolerance zone/i.test(error.message)) return "stale_timestamp";
    if (/no stripe-signature header/i.test(error.message)) return "missing_signature";
    if (/no webhook payload/i.test(error.message)) return "malformed";
    // No matching signature, no v1 signature, or a header without a timestamp.
    return "bad_signature";
  }
  // A correctly signed body that is not JSON (SyntaxError), or a thin (v2) event notification.
  return "malformed";
}

function paymentEvent(event: Stripe.Event): PaymentEvent {
  if (!isRecord(event) || typeof event.id !== "string" || typeof event.type !== "string" || !isRecord(event.data?.object)) {
    throw new WebhookRejected("malformed");
  }
  const ignored: PaymentEvent = { eventId: event.id, type: "ignored", providerType: event.type, providerRef: null, amount: null };
  const base = { eventId: event.id, providerType: event.type };

  switch (event.type) {
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed": {
      const intent = event.data.object;
      if (typeof intent.id !== "string") throw new WebhookRejected("malformed");
      // What was received for a success (all of it, as intents are captured automatically); what was asked for a failure.
      const amount = eventAmount(event.type === "payment_intent.succeeded" ? intent.amount_received : intent.amount, intent.currency);
      if (!amount) return { ...ignored, providerRef: intent.id };
      return { ...base, type: event.type === "payment_intent.succeeded" ? "payment.succeeded" : "payment.failed", providerRef: intent.id, amount };
    }
    case "charge.refunded": {
      const charge = event.data.object;
      const providerRef = idOf(charge.payment_intent);
      // A charge carries the total refunded so far, not this refund's share: several partial refunds add up here.
      const amount = eventAmount(charge.amount_refunded, charge.currency);
      if (!providerRef || !amount) return { ...ignored, providerRef };
      return { ...base, type: "refund.succeeded", providerRef, amount, refundRef: null };
    }
    case "refund.updated": {
      const refund = event.data.object;
      const providerRef = idOf(refund.payment_intent);
      const amount = eventAmount(refund.amount, refund.currency);
      if (refund.status !== "succeeded" || !providerRef || !amount) return { ...ignored, providerRef };
      return { ...base, type: "refund.succeeded", providerRef, amount, refundRef: typeof refund.id === "string" ? refund.id : null };
    }
    default:
      return ignored;
  }
}

/** An event's amount as Money, or null for a currency Broadcart does not take (so not one of its payments). */
function eventAmount(amount: unknown, currency: unknown): Money | null {
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0 || typeof currency !== "string") {
    throw new WebhookRejected("malformed");
  }
  return fromStripe(amount, currency);
}

function fromStripe(amount: number, currency: string): Money | null {
  const code = currency.toUpperCase();
  if (!STRIPE_CURRENCIES.has(code) || !isSupportedCurrency(code)) return null;
  return money(amount, code);
}

/** Checks an amount to charge or refund: whole minor units, above zero, in a currency Stripe and money.ts agree on. */
function chargeable(amount: Money): Money {
  const checked = money(amount.amount, amount.currency); // integer minor units of a supported currency
  if (!STRIPE_CURRENCIES.has(checked.currency)) throw new Error(`card payments in ${checked.currency} are not enabled`);
  if (checked.amount <= 0) throw new Error(`amount must be above zero, got ${checked.amount}`);
  return checked;
}

function idOf(ref: string | { id: string } | null | undefined): string | null {
  if (typeof ref === "string") return ref;
  return ref && typeof ref.id === "string" ? ref.id : null;
}

/** A value for Stripe's search query language, inside single quotes. */
function searchLiteral(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null;
}

/** A Map that forgets its oldest entries past a limit. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > this.limit) this.delete(this.keys().next().value as K);
    return this;
  }
}
