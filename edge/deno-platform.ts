// How the Deno entry opens the database named by DATABASE_URL (development secrets and the images
// folder come from src/local-files.ts, as on Bun).
import { createClient } from "@libsql/client/web";
import { createDatabase, type Database } from "../db/database.ts";

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
