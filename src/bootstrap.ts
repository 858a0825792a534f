// Everything a Bun or Node process does before serving: open and migrate the database, build the
// services and the app, and seed the demo data into an empty database.
import { serveStatic } from "hono/bun";
import { openDatabase } from "../db/client.ts";
import type { Database } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { seedDemoData } from "../db/seed.ts";
import { developmentAuditKey, developmentSecret, imagesBesideDatabase } from "./local-files.ts";
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { systemClock, type Clock } from "./platform/clock.ts";
import { createLogger, type Logger } from "./platform/logging.ts";
import type { PasswordHasher } from "./platform/password.ts";
import { argon2idHasher } from "./platform/password-bun.ts";
import { createServices, type ServiceDeps, type Services } from "./services.ts";
import { createSealer } from "./platform/sealing.ts";
import type { CardPayments } from "../modules/orders/index.ts";
import { createStripePayments } from "../modules/orders/index.ts";
import { createLiveKitGateway, type RoomGateway } from "../modules/live/index.ts";
// Bun/Node only (node:fs), so not part of the module's runtime-neutral index.
import { createFolderImageStore } from "../modules/orders/images/folder.ts";
import { copyVendorAssets, staticDir } from "./vendor-assets.ts";

export interface Runtime {
  app: ReturnType<typeof createApp>;
  services: Services;
  database: Database;
  logger: Logger;
  seeded: boolean;
}

export interface BootstrapOptions {
  clock?: Clock;
  logger?: Logger;
  passwords?: PasswordHasher;
  /** Where a development session secret is kept when SESSION_SECRET is not set. */
  secretFile?: string;
  /** Where a development data key is kept when DATA_KEY is not set. */
  dataKeyFile?: string;
  /** Where a development audit signing key is kept when AUDIT_SIGNING_KEY is not set. */
  auditKeyFile?: string;
  /** Card payments other than the configured Stripe account (tests point them at stripe-mock). */
  cardPayments?: CardPayments | null;
  /** A LiveKit server other than the configured one (npm start's local server, tests' server). */
  roomGateway?: RoomGateway | null;
}

export async function bootstrap(config: Config, options: BootstrapOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config.DATABASE_URL, { authToken: config.DATABASE_AUTH_TOKEN, syncUrl: config.DATABASE_SYNC_URL, primaryUrl: config.DATABASE_PRIMARY_URL });
  await migrateDatabase(database);
  const deps: ServiceDeps = {
    database,
    clock,
    passwords: options.passwords ?? argon2idHasher(),
    sealer: createSealer({ current: { id: config.DATA_KEY_ID, key: config.DATA_KEY ?? developmentSecret(options.dataKeyFile ?? "data/data-key") }, retired: config.DATA_KEYS_RETIRED }),
    cardPayments: options.cardPayments !== undefined ? options.cardPayments : stripeFromConfig(config, clock),
    orderSettings: {
      cardPaymentMinutes: config.CARD_PAYMENT_MINUTES,
      offlinePaymentMinutes: config.OFFLINE_PAYMENT_MINUTES,
      cardTestMode: options.cardPayments !== undefined || !!config.STRIPE_SECRET_KEY?.startsWith("sk_test_"),
      cardPublishableKey: config.STRIPE_PUBLISHABLE_KEY,
      trustProxy: config.TRUST_PROXY === "true",
    },
    log: logger,
    images: createFolderImageStore(config.IMAGES_DIR ?? imagesBesideDatabase(config.DATABASE_URL)),
    roomGateway: options.roomGateway !== undefined ? options.roomGateway : liveKitFromConfig(config),
    // Read or generated when the first export is signed, so a process that never exports writes no key file.
    auditSigningKey: config.AUDIT_SIGNING_KEY ?? (() => developmentAuditKey(options.auditKeyFile ?? "data/audit-signing-key")),
    retentionDays: config.RETENTION_DAYS,
  };
  const services = createServices(deps);
  // The officers' banned terms, not only the built-in list, from the first chat line on.
  await services.moderation.ready();
  const seeded = config.DEMO_DATA === "auto" ? await seedDemoData(deps) : false;
  copyVendorAssets();
  const app = createApp({
    services,
    logger,
    serveStatic: serveStatic({ root: staticDir, rewriteRequestPath: (path) => path.replace(/^\/static/, "") }),
    settings: {
      sessionSecret: config.SESSION_SECRET ?? developmentSecret(options.secretFile ?? "data/session-secret"),
      cookieSecure: config.COOKIE_SECURE,
      trustProxy: config.TRUST_PROXY === "true",
      defaultLocale: config.DEFAULT_LOCALE,
      timeZone: config.TIME_ZONE,
    },
  });
  return { app, services, database, logger, seeded };
}

function liveKitFromConfig(config: Config): RoomGateway | null {
  if (!config.LIVEKIT_URL || !config.LIVEKIT_API_KEY || !config.LIVEKIT_API_SECRET) return null;
  return createLiveKitGateway({ url: config.LIVEKIT_URL, apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET });
}

function stripeFromConfig(config: Config, clock: Clock): CardPayments | null {
  if (!config.STRIPE_SECRET_KEY || !config.STRIPE_WEBHOOK_SECRET) return null;
  const api = config.STRIPE_API_URL ? new URL(config.STRIPE_API_URL) : null;
  return createStripePayments({
    secretKey: config.STRIPE_SECRET_KEY,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    clock,
    apiBase: api ? { host: api.hostname, port: Number(api.port || (api.protocol === "https:" ? 443 : 80)), protocol: api.protocol === "https:" ? "https" : "http" } : undefined,
  });
}




