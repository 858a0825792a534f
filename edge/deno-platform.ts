// How the Deno entry opens the database named by DATABASE_URL (development secrets and the images
// folder come from src/local-files.ts, as on Bun).
import { createClient } from "@libsql/client/web";
import type { DatabaseOptions } from "../db/client.ts";
import { createDatabase, type Database } from "../db/database.ts";

/**
 * A libSQL server (http:, https:, libsql:, ws:, wss:) through the fetch-based web client, which needs
 * no native code; an embedded file (file:) through the Node client and its native libSQL, loaded only
 * then, so a server-backed instance runs without --allow-ffi. A file: with DATABASE_SYNC_URL is an
 * embedded replica of that server (writes to DATABASE_PRIMARY_URL), as on Bun.
 */
export async function openDenoDatabase(url: string, options: DatabaseOptions): Promise<Database> {
  if (url.startsWith("file:")) {
    const { openDatabase } = await import("../db/client.ts");
    return openDatabase(url, options);
  }
  return createDatabase(createClient({ url, authToken: options.authToken }), "remote");
}
