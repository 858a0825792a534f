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
import { appSettingsFromConfig, liveKitFromConfig, orderSettingsFromConfig, sealerFromConfig, stripeFromConfig } from "./config-deps.ts";
import type { CardPayments } from "../modules/orders/index.ts";
import type { RoomGateway } from "../modules/live/index.ts";
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
    sealer: sealerFromConfig(config, config.DATA_KEY ?? developmentSecret(options.dataKeyFile ?? "data/data-key")),
    cardPayments: options.cardPayments !== undefined ? options.cardPayments : stripeFromConfig(config, clock),
    // Card payments a test passes in are a test account too.
    orderSettings: orderSettingsFromConfig(config, options.cardPayments !== undefined ? { cardTestMode: true } : {}),
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
    settings: appSettingsFromConfig(config, config.SESSION_SECRET ?? developmentSecret(options.secretFile ?? "data/session-secret")),
  });
  return { app, services, database, logger, seeded };
}





