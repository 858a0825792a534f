// A target is one runtime serving the app over HTTP, on a real libSQL server (sqld) of its own that was
// migrated and seeded with the demo data before the runtime started. Journeys take a target and speak
// to it only over the network, so the same journey runs on Bun, on workerd and on Deno.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrap } from "../../src/bootstrap.ts";
import { parseConfig } from "../../src/config.ts";
import { pbkdf2Hasher } from "../../src/platform/password.ts";
import { startSqld } from "../fixtures/sqld.ts";

export interface Target {
  name: string;
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  /** The target's own sqld (Hrana over HTTP), for a journey that must look past the pages. */
  sqldUrl?: string;
  /** What the runtime printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export type Journey = (target: Target) => Promise<void>;

/** A runtime serving the app on the given database: what tests/fixtures/{bun-server,worker,deno}.ts start. */
export interface RuntimeServer {
  baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export type StartRuntime = (options: { databaseUrl: string; env: Record<string, string> }) => Promise<RuntimeServer>;

/**
 * Not argon2id: Workers and Deno verify PBKDF2 hashes only. And no more than 100 000 iterations, the cap
 * Cloudflare's WebCrypto has put on PBKDF2 (cloudflare/workerd#1346). Hashes name their count.
 */
const SEED_PBKDF2_ITERATIONS = 100_000;

/** Starts sqld, migrates and seeds it with the secrets the runtime will get, then starts the runtime on it. */
export async function startTarget(name: string, startRuntime: StartRuntime, env: Record<string, string>): Promise<Target> {
  const sqld = await startSqld();
  try {
    await seedDatabase(sqld.url, env);
    const server = await startRuntime({ databaseUrl: sqld.url, env });
    return {
      name,
      baseUrl: server.baseUrl.replace(/\/$/, ""),
      sqldUrl: sqld.url,
      output: () => `${server.output()}\n--- sqld ---\n${sqld.output()}`,
      async stop() {
        await server.stop();
        await sqld.stop();
      },
    };
  } catch (error) {
    await sqld.stop();
    throw error;
  }
}

/** db/migrate.ts and db/seed.ts through bootstrap, as `npm start` runs them, against the sqld URL. */
async function seedDatabase(databaseUrl: string, env: Record<string, string>): Promise<void> {
  const imagesDir = mkdtempSync(join(tmpdir(), "broadcart-seed-images-"));
  try {
    const config = parseConfig({ ...env, DATABASE_URL: databaseUrl, DEMO_DATA: "auto", LOG_LEVEL: "silent", IMAGES_DIR: imagesDir });
    const runtime = await bootstrap(config, { passwords: pbkdf2Hasher(SEED_PBKDF2_ITERATIONS), roomGateway: null, cardPayments: null });
    runtime.database.close();
    if (!runtime.seeded) throw new Error(`the database at ${databaseUrl} was not empty: the demo data was not seeded`);
  } finally {
    rmSync(imagesDir, { recursive: true, force: true });
  }
}
