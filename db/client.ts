// Opens the database named by DATABASE_URL on Bun or Node: `file:` (embedded), `http(s):`, `libsql:`, `ws(s):`;
// a `file:` with a syncUrl is an embedded replica of a libSQL server (db/embedded-replica.ts).
import { createClient } from "@libsql/client";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createDatabase, type Database } from "./database.ts";
import { openEmbeddedReplica } from "./embedded-replica.ts";

export interface DatabaseOptions {
  authToken?: string | undefined;
  /** Makes a `file:` URL an embedded replica synced from this libSQL server (DATABASE_SYNC_URL). */
  syncUrl?: string | undefined;
  /** Where an embedded replica's writes go (DATABASE_PRIMARY_URL); syncUrl unless told. */
  primaryUrl?: string | undefined;
}

export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<Database> {
  const embedded = url.startsWith("file:");
  if (embedded) {
    const path = url.slice("file:".length).split("?")[0] ?? "";
    if (path && path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  }
  if (embedded && options.syncUrl) {
    const replica = await openEmbeddedReplica({ url, syncUrl: options.syncUrl, primaryUrl: options.primaryUrl, authToken: options.authToken });
    return createDatabase(replica.reader, "replica", replica);
  }
  const client = createClient({
    url,
    authToken: options.authToken,
    // busy timeout in milliseconds, for other processes writing the same file
    timeout: 5000,
    concurrency: 8,
  } as Parameters<typeof createClient>[0]);
  if (embedded) {
    // journal_mode is stored in the file. synchronous=FULL is the library's default on every
    // connection it opens; set it here too so a change of default cannot weaken durability unseen.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = FULL");
  }
  return createDatabase(client, embedded ? "embedded" : "remote");
}
