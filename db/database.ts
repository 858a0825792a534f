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
   * Runs one user action in a write transaction (BEGIN IMMEDIATE). The actions of this instance are
   * queued, so they never fight over the single writer lock: on a file, SQLite would make them wait
   * on the busy timeout; on a libSQL server, each waiting transaction would hold an HTTP stream open
   * until sqld refuses more (HTTP 429) or expires them. Other instances still wait their turn.
   *
   * On an embedded file, actions that queued up while one was committing are committed together
   * (group commit): one transaction, each action inside its own savepoint, so a batch costs one sync
   * to disk and an action that fails rolls back alone. Each caller hears of its action only once the
   * batch has committed; if the commit itself fails, every action of the batch fails with it.
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

/** The most actions one group commit takes; the rest wait for the next. */
export const GROUP_COMMIT_MAX = 64;

interface QueuedAction {
  action: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Writes through one queue; on an embedded file, what queued up meanwhile commits as one group. */
function createWriteQueue(writer: Db, grouped: boolean) {
  const waiting: QueuedAction[] = [];
  let draining = false;

  async function commit(batch: QueuedAction[]) {
    if (batch.length === 1 || !grouped) {
      const [only] = batch;
      await writer.transaction((tx) => only!.action(tx)).then(only!.resolve, only!.reject);
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      await writer.transaction(async (tx) => {
        for (const item of batch) {
          try {
            outcomes.push({ ok: true, value: await tx.transaction((savepoint) => item.action(savepoint)) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  async function drain() {
    draining = true;
    try {
      while (waiting.length > 0) await commit(waiting.splice(0, grouped ? GROUP_COMMIT_MAX : 1));
    } finally {
      draining = false;
    }
  }

  return <T>(action: (tx: Tx) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ action, resolve: resolve as (value: unknown) => void, reject });
      if (!draining) void drain();
    });
}

/** `client` answers reads; an embedded replica's write transactions run on `replica.writer`. */
export function createDatabase(client: Client, kind: Database["kind"], replica?: ReplicaParts): Database {
  const db = drizzle(client, { schema });
  const writer = replica ? drizzle(replica.writer, { schema }) : db;
  const enqueue = createWriteQueue(writer, kind === "embedded");

  return {
    db,
    client,
    kind,
    write(action) {
      const result = enqueue(action);
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
