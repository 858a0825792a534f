// What the Deno entry takes from the machine: the database named by DATABASE_URL, development
// secrets kept in data/ (the same files the Bun entry keeps, so both runtimes share sessions), and
// the images folder beside an embedded database.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createClient } from "@libsql/client/web";
import { createDatabase, type Database } from "../db/database.ts";
import { randomToken } from "../src/platform/crypto.ts";
import { generateAuditSigningKey } from "../modules/compliance/index.ts";

/**
 * A libSQL server (http:, https:, libsql:, ws:, wss:) through the fetch-based web client, which needs
 * no native code; an embedded file (file:) through the Node client and its native libSQL, loaded only
 * then, so a server-backed instance runs without --allow-ffi.
 */
export async function openDenoDatabase(url: string, authToken: string | undefined): Promise<Database> {
  if (url.startsWith("file:")) {
    const { openDatabase } = await import("../db/client.ts");
    return openDatabase(url, { authToken });
  }
  return createDatabase(createClient({ url, authToken }), "remote");
}

/** Product photos live beside an embedded database file (data/images for data/broadcart.db), else in data/images. */
export function imagesFolderFor(databaseUrl: string): string {
  const path = databaseUrl.startsWith("file:") ? (databaseUrl.slice("file:".length).split("?")[0] ?? "") : "";
  return path && path !== ":memory:" ? join(dirname(path), "images") : "data/images";
}

/** Outside production a missing SESSION_SECRET or DATA_KEY is generated once and kept, so sessions survive restarts. */
export function developmentSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomToken(48);
  writeFileSync(path, secret + "\n", { mode: 0o600 });
  return secret;
}

/** Outside production a missing AUDIT_SIGNING_KEY is generated once and kept, so exports stay verifiable with one key. */
export async function developmentAuditKey(path: string): Promise<string> {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const key = await generateAuditSigningKey();
  writeFileSync(path, key + "\n", { mode: 0o600 });
  return key;
}
