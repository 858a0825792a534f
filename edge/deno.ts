// The Deno entry: `npm run start:deno`. The same createApp(deps) as Bun and Workers, served by
// Deno.serve. Configuration comes from Deno.env through src/config.ts; passwords are hashed as on
// Workers (PBKDF2; a Bun instance's argon2id hashes still verify); product photos live in a folder;
// static files are served from ./static; the timer jobs run in this process as they do on Bun.
// Permissions are listed in package.json's start:deno.
import { serveStatic } from "hono/deno";
import { createApp } from "../src/app.ts";
import { ConfigError, displayUrl, parseConfig, type Config } from "../src/config.ts";
import { startJobTimers } from "../src/jobs.ts";
import { systemClock } from "../src/platform/clock.ts";
import { createLogger } from "../src/platform/logging.ts";
import { edgeHasher } from "../src/platform/password-edge.ts";
import { appSettingsFromConfig, liveKitFromConfig, orderSettingsFromConfig, sealerFromConfig, stripeFromConfig } from "../src/config-deps.ts";
import { createServices, type ServiceDeps } from "../src/services.ts";
import { copyVendorAssets, staticDir } from "../src/vendor-assets.ts";
import { migrateDatabase } from "../db/migrate.ts";
import { readYourWrites } from "../db/read-your-writes.ts";
import { demoSignIns, seedDemoData } from "../db/seed.ts";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { createFolderImageStore } from "../modules/orders/images/folder.ts";
import { developmentAuditKey, developmentSecret, imagesBesideDatabase } from "../src/local-files.ts";
import { openDenoDatabase } from "./deno-platform.ts";

let config: Config;
try {
  config = parseConfig(Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  Deno.exit(1);
}

const logger = createLogger(config.LOG_LEVEL);
const database = await openDenoDatabase(config.DATABASE_URL, {
  authToken: config.DATABASE_AUTH_TOKEN,
  syncUrl: config.DATABASE_SYNC_URL,
  primaryUrl: config.DATABASE_PRIMARY_URL,
});
await migrateDatabase(database);

const deps: ServiceDeps = {
  database,
  clock: systemClock,
  passwords: edgeHasher(),
  sealer: sealerFromConfig(config, config.DATA_KEY ?? developmentSecret("data/data-key")),
  cardPayments: stripeFromConfig(config, systemClock),
  orderSettings: orderSettingsFromConfig(config),
  log: logger,
  images: createFolderImageStore(config.IMAGES_DIR ?? imagesBesideDatabase(config.DATABASE_URL)),
  roomGateway: liveKitFromConfig(config),
  auditSigningKey: config.AUDIT_SIGNING_KEY ?? (() => developmentAuditKey("data/audit-signing-key")),
  retentionDays: config.RETENTION_DAYS,
};
const services = createServices(deps);
// The officers' banned terms, not only the built-in list, from the first chat line on.
await services.moderation.ready();
const seeded = config.DEMO_DATA === "auto" ? await seedDemoData(deps) : false;
copyVendorAssets();

const sessionSecret = config.SESSION_SECRET ?? developmentSecret("data/session-secret");
const app = createApp({
  services,
  logger,
  serveStatic: serveStatic({ root: staticDir, rewriteRequestPath: (path) => path.replace(/^\/static/, "") }),
  settings: appSettingsFromConfig(config, sessionSecret),
});

const stopJobTimers = startJobTimers({ services, logger });

// An embedded replica (DATABASE_SYNC_URL) syncs before serving a shopper who wrote through another instance.
const serveRequest = database.replica
  ? readYourWrites(database.replica, app.fetch, { secret: sessionSecret, cookies: { secure: config.COOKIE_SECURE, trustProxy: config.TRUST_PROXY === "true" } })
  : app.fetch;
const server = Deno.serve({ hostname: config.HOST, port: config.PORT, onListen: () => {} }, serveRequest);
console.log(`Broadcart (Deno) is running at http://${config.HOST}:${server.addr.port}  (database: ${displayUrl(config.DATABASE_URL)})`);
if (config.DEMO_DATA === "auto" && (await services.accounts.findByEmail("admin@demo.broadcart.test"))) {
  console.log(`${seeded ? "Seeded demo data (PBKDF2 hashes). " : ""}Demo sign-ins (password: ${DEMO_PASSWORD}):`);
  for (const line of demoSignIns()) console.log(line);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    stopJobTimers();
    await server.shutdown();
    database.close();
    Deno.exit(0);
  });
}
