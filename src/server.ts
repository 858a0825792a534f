// The Bun entry: `npm start`. Reads the environment, prepares the database and serves the app.
import { ConfigError, displayUrl, parseConfig } from "./config.ts";
import { bootstrap } from "./bootstrap.ts";
import { startJobTimers } from "./jobs.ts";
import { createLiveKitGateway } from "../modules/live/index.ts";
import { startLocalLiveKit } from "./livekit-dev.ts";
import { demoSignIns } from "../db/seed.ts";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { readYourWrites } from "../db/read-your-writes.ts";
import { developmentSecret } from "./local-files.ts";

let config;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Without LIVEKIT_URL, a LiveKit server built by `npm run livekit:install` runs beside the app.
const localLiveKit = await startLocalLiveKit({ appPort: config.PORT, appHost: config.HOST, liveKitUrl: config.LIVEKIT_URL, nodeEnv: config.NODE_ENV });
const runtime = await bootstrap(config, localLiveKit.liveKit ? { roomGateway: createLiveKitGateway(localLiveKit.liveKit) } : {});
// An embedded replica (DATABASE_SYNC_URL) syncs before serving a shopper who wrote through another instance.
const serveRequest = runtime.database.replica
  ? readYourWrites(runtime.database.replica, runtime.app.fetch, {
      secret: config.SESSION_SECRET ?? developmentSecret("data/session-secret"),
      cookies: { secure: config.COOKIE_SECURE, trustProxy: config.TRUST_PROXY === "true" },
    })
  : runtime.app.fetch;
const server = Bun.serve({ hostname: config.HOST, port: config.PORT, fetch: serveRequest });
const stopJobTimers = startJobTimers(runtime);

const url = `http://${config.HOST}:${server.port}`;
console.log(`Broadcart is running at ${url}  (database: ${displayUrl(config.DATABASE_URL)})`);
console.log(localLiveKit.message);
if (config.DEMO_DATA === "auto" && (await runtime.services.accounts.findByEmail("admin@demo.broadcart.test"))) {
  console.log(`${runtime.seeded ? "Seeded demo data. " : ""}Demo sign-ins (password: ${DEMO_PASSWORD}):`);
  for (const line of demoSignIns()) console.log(line);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    stopJobTimers();
    await server.stop();
    await localLiveKit.liveKit?.stop();
    runtime.database.close();
    process.exit(0);
  });
}
