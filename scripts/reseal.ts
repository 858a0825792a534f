// Re-seals personal data under the current data key after a rotation: `npm run data:reseal`, with the
// environment the app runs with (DATABASE_URL, DATA_KEY, DATA_KEY_ID, DATA_KEYS_RETIRED…). Run it once
// every instance runs with the new DATA_KEY_ID, so nothing seals under the old key meanwhile.
// Prints the count per source and exits 0, or one line naming the problem on stderr and exits 1.
import { bootstrap } from "../src/bootstrap.ts";
import { ConfigError, parseConfig } from "../src/config.ts";
import { createLogger } from "../src/platform/logging.ts";

async function main(): Promise<number> {
  let config;
  try {
    config = parseConfig({ ...process.env, DEMO_DATA: "never" });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    return 1;
  }
  const runtime = await bootstrap(config, { logger: createLogger("silent"), cardPayments: null, roomGateway: null });
  try {
    const { keyId, resealed, failed, auditSeq } = await runtime.services.keyRotation.run();
    const counts = Object.entries(resealed).map(([source, count]) => `${source} ${count}`);
    console.log(`resealed under data key ${keyId}: ${counts.join(", ") || "nothing"} (audit entry ${auditSeq})`);
    const failures = Object.entries(failed).map(([source, message]) => `${source}: ${message}`);
    if (failures.length === 0) return 0;
    console.error(`reseal failed: ${failures.join("; ").replace(/\s+/g, " ")}`);
    return 1;
  } finally {
    runtime.database.close();
  }
}

try {
  process.exit(await main());
} catch (error) {
  console.error(`reseal failed: ${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ")}`);
  process.exit(1);
}
