// Payment provider webhooks. Public (the provider is not signed in) and outside CSRF (it is not a
// browser): the signature and its timestamp are the authentication, checked before anything else.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { PaymentUnavailable } from "./errors.ts";
import type { Orders } from "./orders.ts";
import { WebhookRejected } from "./payments/provider.ts";

/** Stripe's events are a few kB; anything far larger is not one. */
const MAX_BODY_BYTES = 256 * 1024;

export function webhookRoutes({ orders }: { orders: Orders }) {
  const app = new Hono<AppEnv>();

  app.post("/webhooks/stripe", allow.public(), async (c) => {
    if (Number(c.req.header("content-length") ?? 0) > MAX_BODY_BYTES) return c.json({ error: { code: "too_large" } }, 413);
    const raw = await c.req.text();
    if (raw.length > MAX_BODY_BYTES) return c.json({ error: { code: "too_large" } }, 413);
    try {
      const outcome = await orders.receiveCardWebhook(raw, c.req.header("stripe-signature"));
      return c.json({ received: true, outcome });
    } catch (error) {
      if (error instanceof WebhookRejected) {
        c.var.log?.warn("webhook rejected", { provider: "stripe", reason: error.reason });
        return c.json({ error: { code: error.reason } }, 400);
      }
      if (error instanceof PaymentUnavailable) return c.json({ error: { code: "not_configured" } }, 404);
      throw error;
    }
  });

  return app;
}
