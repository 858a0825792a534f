// What the orders service needs from a way of paying. Card payments go through Stripe; paying on
// delivery (or at the till) has no provider round trip: merchant staff confirm the cash.
import type { Money } from "../../../src/platform/money.ts";

export interface StartedPayment {
  /** The provider's id for this payment (a Stripe PaymentIntent id). */
  providerRef: string;
  /** What the browser needs to confirm the payment (a PaymentIntent client secret). */
  clientSecret: string;
  status: "pending" | "succeeded";
}

export interface PaymentEvent {
  /** The provider's event id: the same event delivered twice has the same id. */
  eventId: string;
  type: "payment.succeeded" | "payment.failed" | "refund.succeeded" | "ignored";
  /** The provider's type name, e.g. "payment_intent.succeeded", for logs and the audit trail. */
  providerType: string;
  providerRef: string | null;
  /**
   * For payment events, what was paid (or asked, for a failure). For refund.succeeded, either one
   * refund's amount (refundRef set) or, when the provider reports refunds per payment (Stripe's
   * charge.refunded), the total refunded on that payment so far (refundRef null).
   */
  amount: Money | null;
  /** The provider's id of the refund a refund.succeeded event is about, when it names one. */
  refundRef?: string | null;
}

export class WebhookRejected extends Error {
  constructor(readonly reason: "missing_signature" | "bad_signature" | "stale_timestamp" | "malformed") {
    super(`webhook rejected: ${reason}`);
  }
}

export interface CardPayments {
  readonly provider: "stripe";
  /** Starts a payment for an order; the same orderId (idempotency) never charges twice. */
  start(input: { orderId: string; orderNumber: string; amount: Money; description: string }): Promise<StartedPayment>;
  /** Where a payment stands now, asked of the provider (for a shopper returning from the card form). */
  status(providerRef: string): Promise<"pending" | "succeeded" | "failed">;
  /** Confirms a pending payment with a test or saved payment method (used by tests and the demo checkout). */
  confirm(providerRef: string, paymentMethod: string): Promise<"pending" | "succeeded" | "failed">;
  /** Refunds all or part of a payment; the same refundKey never refunds twice. */
  refund(input: { providerRef: string; amount: Money; refundKey: string }): Promise<{ refundRef: string }>;
  /** Checks the signature and timestamp of a webhook and reads its event; throws WebhookRejected. */
  parseWebhook(rawBody: string, signatureHeader: string | undefined): Promise<PaymentEvent>;
}
