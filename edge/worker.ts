// The Cloudflare Workers entry: the same createApp(deps) over a libSQL server reached by HTTP.
// Secrets and settings come from the Worker's bindings; static files from the assets binding.
// Migrations are applied before deploying (the worker never changes the schema).
import { createClient } from "@libsql/client/web";
import { createDatabase } from "../db/database.ts";
import { createApp } from "../src/app.ts";
import { parseConfig } from "../src/config.ts";
import { systemClock } from "../src/platform/clock.ts";
import { createLogger } from "../src/platform/logging.ts";
import { pbkdf2Hasher } from "../src/platform/password.ts";
import { createServices } from "../src/services.ts";
import { createSealer } from "../src/platform/sealing.ts";
import { createR2ImageStore, createStripePayments } from "../modules/orders/index.ts";
import { createLiveKitGateway } from "../modules/live/index.ts";

export interface Env {
  DATABASE_URL: string;
  DATABASE_AUTH_TOKEN?: string;
  SESSION_SECRET: string;
  DATA_KEY: string;
  /** The id sealed values carry for DATA_KEY ("k1" when unset). */
  DATA_KEY_ID?: string;
  /** Rotated-out data keys, "id:key,id:key": they still open what they sealed. */
  DATA_KEYS_RETIRED?: string;
  AUDIT_SIGNING_KEY: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_PUBLISHABLE_KEY?: string;
  LIVEKIT_URL?: string;
  LIVEKIT_API_KEY?: string;
  LIVEKIT_API_SECRET?: string;
  DEFAULT_LOCALE?: string;
  TIME_ZONE?: string;
  LOG_LEVEL?: string;
  ASSETS: Fetcher;
  /** Product photos (wrangler.toml [[r2_buckets]] binding "IMAGES"). */
  IMAGES: R2Bucket;
}

type EdgeApp = ReturnType<typeof createApp>;
let built: { env: Env; app: EdgeApp } | undefined;

/** One app per isolate, rebuilt only if the bindings change. */
function appFor(env: Env): EdgeApp {
  if (built?.env === env) return built.app;
  const config = parseConfig({ ...(env as unknown as Record<string, string | undefined>), NODE_ENV: "production", COOKIE_SECURE: "always" });
  const database = createDatabase(createClient({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN }), "remote");
  const cardPayments =
    config.STRIPE_SECRET_KEY && config.STRIPE_WEBHOOK_SECRET
      ? createStripePayments({ secretKey: config.STRIPE_SECRET_KEY, webhookSecret: config.STRIPE_WEBHOOK_SECRET, clock: systemClock })
      : null;
  const services = createServices({
    database,
    clock: systemClock,
    passwords: pbkdf2Hasher(),
    sealer: createSealer({ current: { id: config.DATA_KEY_ID, key: config.DATA_KEY! }, retired: config.DATA_KEYS_RETIRED }),
    cardPayments,
    orderSettings: {
      cardPaymentMinutes: config.CARD_PAYMENT_MINUTES,
      offlinePaymentMinutes: config.OFFLINE_PAYMENT_MINUTES,
      cardPublishableKey: config.STRIPE_PUBLISHABLE_KEY,
    },
    images: createR2ImageStore(env.IMAGES),
    auditSigningKey: config.AUDIT_SIGNING_KEY,
    roomGateway:
      config.LIVEKIT_URL && config.LIVEKIT_API_KEY && config.LIVEKIT_API_SECRET
        ? createLiveKitGateway({ url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET })
        : null,
  });
  const app = createApp({
    services,
    logger: createLogger(config.LOG_LEVEL),
    serveStatic: async (c) => {
      const url = new URL(c.req.url);
      url.pathname = url.pathname.replace(/^\/static/, "");
      return env.ASSETS.fetch(new Request(url, c.req.raw));
    },
    settings: {
      sessionSecret: config.SESSION_SECRET!,
      cookieSecure: config.COOKIE_SECURE,
      trustProxy: false,
      defaultLocale: config.DEFAULT_LOCALE,
      timeZone: config.TIME_ZONE,
    },
  });
  built = { env, app };
  return app;
}

export default {
  fetch(request, env, ctx) {
    return appFor(env).fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
