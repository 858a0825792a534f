// What every entry (Bun, Workers, Deno) builds from the configuration in the same way: the card
// provider, the LiveKit gateway, the order settings, the sealer and the app's settings. An entry adds
// only what differs by runtime: the database, passwords, images, static files, development secrets.
import type { AppSettings } from "./app.ts";
import type { Config } from "./config.ts";
import type { Clock } from "./platform/clock.ts";
import { createSealer, type Sealer } from "./platform/sealing.ts";
import { createStripePayments, type CardPayments, type OrderSettings } from "../modules/orders/index.ts";
import { createLiveKitGateway, type RoomGateway } from "../modules/live/index.ts";

export function liveKitFromConfig(config: Config): RoomGateway | null {
  if (!config.LIVEKIT_URL || !config.LIVEKIT_API_KEY || !config.LIVEKIT_API_SECRET) return null;
  return createLiveKitGateway({ url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET });
}

export function stripeFromConfig(config: Config, clock: Clock): CardPayments | null {
  if (!config.STRIPE_SECRET_KEY || !config.STRIPE_WEBHOOK_SECRET) return null;
  const api = config.STRIPE_API_URL ? new URL(config.STRIPE_API_URL) : null;
  return createStripePayments({
    secretKey: config.STRIPE_SECRET_KEY,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    clock,
    apiBase: api ? { host: api.hostname, port: Number(api.port || (api.protocol === "https:" ? 443 : 80)), protocol: api.protocol === "https:" ? "https" : "http" } : undefined,
  });
}

/** `extra` carries what the runtime decides: Workers read the client's address from Cloudflare's header. */
export function orderSettingsFromConfig(config: Config, extra: Partial<OrderSettings> = {}): OrderSettings {
  return {
    cardPaymentMinutes: config.CARD_PAYMENT_MINUTES,
    offlinePaymentMinutes: config.OFFLINE_PAYMENT_MINUTES,
    cardTestMode: !!config.STRIPE_SECRET_KEY?.startsWith("sk_test_"),
    cardPublishableKey: config.STRIPE_PUBLISHABLE_KEY,
    trustProxy: config.TRUST_PROXY === "true",
    ...extra,
  };
}

/** The sealer of DATA_KEY (or the development key the entry keeps) and the retired keys. */
export function sealerFromConfig(config: Config, dataKey: string): Sealer {
  return createSealer({ current: { id: config.DATA_KEY_ID, key: dataKey }, retired: config.DATA_KEYS_RETIRED });
}

export function appSettingsFromConfig(config: Config, sessionSecret: string, extra: Partial<AppSettings> = {}): AppSettings {
  return {
    sessionSecret,
    cookieSecure: config.COOKIE_SECURE,
    trustProxy: config.TRUST_PROXY === "true",
    defaultLocale: config.DEFAULT_LOCALE,
    timeZone: config.TIME_ZONE,
    ...extra,
  };
}
