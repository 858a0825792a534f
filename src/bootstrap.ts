// Everything a Bun or Node process does before serving: open and migrate the database, build the
// services and the app, and seed the demo data into an empty database.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { serveStatic } from "hono/bun";
import { openDatabase } from "../db/client.ts";
import type { Database } from "../db/database.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { seedDemoData } from "../db/seed.ts";
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { systemClock, type Clock } from "./platform/clock.ts";
import { randomToken } from "./platform/crypto.ts";
import { createLogger, type Logger } from "./platform/logging.ts";
import type { PasswordHasher } from "./platform/password.ts";
import { argon2idHasher } from "./platform/password-bun.ts";
import { createServices, type Services } from "./services.ts";
import { copyVendorAssets, staticDir } from "./vendor-assets.ts";

export interface Runtime {
  app: ReturnType<typeof createApp>;
  services: Services;
  database: Database;
  seeded: boolean;
}

export interface BootstrapOptions {
  clock?: Clock;
  logger?: Logger;
  passwords?: PasswordHasher;
  /** Where a development session secret is kept when SESSION_SECRET is not set. */
  secretFile?: string;
}

export async function bootstrap(config: Config, options: BootstrapOptions = {}): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const database = await openDatabase(config.DATABASE_URL, { authToken: config.DATABASE_AUTH_TOKEN });
  await migrateDatabase(database);
  const deps = { database, clock, passwords: options.passwords ?? argon2idHasher() };
  const services = createServices(deps);
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
  return { app, services, database, seeded };
}

/** Outside production a missing SESSION_SECRET is generated once and kept, so sessions survive restarts. */
function developmentSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomToken(48);
  writeFileSync(path, secret + "\n", { mode: 0o600 });
  return secret;
}
