// The database handle every service receives, independent of runtime and of where the data lives.
import type { Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema/index.ts";

export type Db = LibSQLDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything a query can run on: the database itself or an open transaction. */
export type Queryable = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly client: Client;
  /** "embedded" for a local file, "remote" for a libSQL server over HTTP or WebSocket. */
  readonly kind: "embedded" | "remote";
  /**
   * Runs one user action as one write transaction (BEGIN IMMEDIATE). The actions of this instance
   * are queued, so they never fight over the single writer lock: on a file, SQLite would make them
   * wait on the busy timeout; on a libSQL server, each waiting transaction would hold an HTTP stream
   * open until sqld refuses more (HTTP 429) or expires them. Other instances still wait their turn.
   */
  write<T>(action: (tx: Tx) => Promise<T>): Promise<T>;
  close(): void;
}

export function createDatabase(client: Client, kind: Database["kind"]): Database {
  const db = drizzle(client, { schema });
  let queue: Promise<unknown> = Promise.resolve();

  const runTransaction = <T>(action: (tx: Tx) => Promise<T>) => db.transaction(action);

  return {
    db,
    client,
    kind,
    write(action) {
      const result = queue.then(() => runTransaction(action));
      queue = result.catch(() => undefined);
      return result;
    },
    close: () => client.close(),
  };
}
