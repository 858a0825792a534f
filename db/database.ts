// The database handle every service receives, independent of runtime and of where the data lives.
import type { Client } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
// The driver that imports only libSQL's fetch-based web client: drizzle-orm/libsql imports the Node
// client, whose native libSQL Deno would load (--allow-ffi) even for a libSQL server. Any client works.
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "./schema/index.ts";

export type Db = LibSQLDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything a query can run on: the database itself or an open transaction. */
export type Queryable = Db | Tx;

export interface Database {
  readonly db: Db;
  readonly client: Client;
  /**
   * "embedded" for a local file, "remote" for a libSQL server over HTTP or WebSocket, "replica" for an
   * embedded replica of a libSQL server: reads from the local file, writes to the server.
   */
  readonly kind: "embedded" | "remote" | "replica";
  /** Where an embedded replica stands against its server, for read-your-writes across instances (db/read-your-writes.ts). */
  readonly replica?: ReplicaPosition;
  /**
   * Runs one user action as one write transaction (BEGIN IMMEDIATE). The actions of this instance
   * are queued, so they never fight over the single writer lock: on a file, SQLite would make them
   * wait on the busy timeout; on a libSQL server, each waiting transaction would hold an HTTP stream
   * open until sqld refuses more (HTTP 429) or expires them. Other instances still wait their turn.
   */
  write<T>(action: (tx: Tx) => Promise<T>): Promise<T>;
  close(): void;
}

/** Replication indexes are positions in the primary's write log (its WAL frame numbers), shared by its replicas. */
export interface ReplicaPosition {
  /** The index the local replica had reached at its last sync. */
  synced(): number;
  /** The highest index of a write this instance has committed on the server. */
  written(): number;
  /** Syncs until the local replica has reached `index`; false if it has not within the time allowed. */
  catchUp(index: number): Promise<boolean>;
}

export interface ReplicaParts {
  /** The client of the server that write transactions run on. */
  writer: Client;
  position: ReplicaPosition;
  /** Stops the replica's periodic sync. */
  stop(): void;
}

/** `client` answers reads; an embedded replica's write transactions run on `replica.writer`. */
export function createDatabase(client: Client, kind: Database["kind"], replica?: ReplicaParts): Database {
  const db = drizzle(client, { schema });
  const writer = replica ? drizzle(replica.writer, { schema }) : db;
  let queue: Promise<unknown> = Promise.resolve();

  const runTransaction = <T>(action: (tx: Tx) => Promise<T>) => writer.transaction(action);

  return {
    db,
    client,
    kind,
    write(action) {
      const result = queue.then(() => runTransaction(action));
      queue = result.catch(() => undefined);
      if (!replica) return result;
      // What a service reads after its write comes from the local replica: bring it up to the write first.
      const { position } = replica;
      return result.then(async (value) => {
        await position.catchUp(position.written());
        return value;
      });
    },
    ...(replica ? { replica: replica.position } : {}),
    close: () => {
      replica?.stop();
      replica?.writer.close();
      client.close();
    },
  };
}
