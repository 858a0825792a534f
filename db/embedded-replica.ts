// An embedded replica of a libSQL server (sqld): a local file that answers reads and is synced from the
// server (a primary or one of its replicas), while write transactions go over HTTP to the primary.
// Writes do not go through the replica's own write delegation because an embedded replica has a single
// connection: an open write transaction would hold it and every concurrent read would fail.
//
// Read-your-writes across instances needs positions: every statement sqld answers carries the
// replication index it reached (its WAL frame number, the same on the primary and its replicas). The
// write client records the highest one it has seen; a reader syncs its replica until it has reached an
// index it is shown (db/read-your-writes.ts carries it from the writing instance to the reading one).
import { createClient, type Client } from "@libsql/client";
import type { ReplicaParts, ReplicaPosition } from "./database.ts";

export interface EmbeddedReplicaOptions {
  /** The local file (`file:…`). */
  url: string;
  /** The server the file is synced from. */
  syncUrl: string;
  /** The server write transactions run on; syncUrl unless told. */
  primaryUrl?: string | undefined;
  authToken?: string | undefined;
  /** How often the replica syncs by itself, so other shoppers' changes show up; 1000 ms unless told. */
  syncEveryMs?: number;
  /** How long catchUp() keeps syncing, for an index the primary has reached, before it gives up; 5000 ms unless told. */
  catchUpTimeoutMs?: number;
}

export interface EmbeddedReplica extends ReplicaParts {
  reader: Client;
}

const REPLICATION_INDEX = /"replication_index":"(\d+)"/g;

export async function openEmbeddedReplica(options: EmbeddedReplicaOptions): Promise<EmbeddedReplica> {
  let written = 0;
  let synced = 0;
  /** Reads the replication indexes out of sqld's answers (the client library does not expose them). */
  const recordingFetch = async (request: Request): Promise<Response> => {
    const response = await fetch(request);
    const body = await response.text();
    for (const match of body.matchAll(REPLICATION_INDEX)) written = Math.max(written, Number(match[1]));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const reader = createClient({ url: options.url, syncUrl: options.syncUrl, authToken: options.authToken });
  const writer = createClient({ url: options.primaryUrl ?? options.syncUrl, authToken: options.authToken, fetch: recordingFetch });

  // The native sync call blocks the event loop for one round trip; it is short on a nearby server.
  // One sync at a time for the whole instance: the periodic one and every waiting request share it.
  let syncing: Promise<number> | undefined;
  const sync = () =>
    (syncing ??= (async () => {
      try {
        const replicated = await reader.sync();
        synced = Math.max(synced, Number(replicated?.frame_no ?? 0));
        return synced;
      } finally {
        syncing = undefined;
      }
    })());
  await syncAtStart(sync);

  // Waiters share the pause before the next sync too: a sync resolves within one turn of the event
  // loop, so without it each waiter would wake on its own timer and start a sync of its own.
  let nextSync: Promise<number> | undefined;
  const syncAfter = (pauseMs: number) =>
    (nextSync ??= (async () => {
      try {
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        return await sync();
      } finally {
        nextSync = undefined;
      }
    })());

  // The primary's position: a read it answers carries its replication index, which the writer records.
  let askingPrimary: Promise<number> | undefined;
  const primaryPosition = () =>
    (askingPrimary ??= (async () => {
      try {
        await writer.execute("SELECT 1");
        return written;
      } finally {
        askingPrimary = undefined;
      }
    })());

  const syncEveryMs = options.syncEveryMs ?? 1_000;
  const timer = setInterval(() => void sync().catch(() => undefined), syncEveryMs);
  (timer as { unref?: () => void }).unref?.();

  const catchUpTimeoutMs = options.catchUpTimeoutMs ?? 5_000;
  const position: ReplicaPosition = {
    synced: () => synced,
    written: () => written,
    async catchUp(index) {
      const deadline = Date.now() + catchUpTimeoutMs;
      let askedPrimary = false;
      // A replica synced from the primary is there after one sync; one synced from a sqld replica may
      // need a few, while that replica catches up with its primary.
      for (let pause = 0; ; pause = Math.min(Math.max(pause * 2, 2), 50)) {
        if (synced >= index) return true;
        const before = synced;
        try {
          if ((await (pause === 0 ? sync() : syncAfter(pause))) >= index) return true;
        } catch {
          // Passing: right after the server compacts its log, the snapshot a sync needs can be
          // unavailable for a moment ("snapshot not found", tursodatabase/libsql#1310). Try again.
        }
        // A sync that brought nothing: an index past the primary's own will never come, so stop here
        // rather than sync until the deadline (an index from a future or another cluster, say).
        if (synced === before && !askedPrimary) {
          askedPrimary = true;
          const primary = await primaryPosition().catch(() => Number.POSITIVE_INFINITY);
          if (index > primary) return false;
        }
        if (Date.now() >= deadline) return false;
      }
    },
  };
  return { reader, writer, position, stop: () => clearInterval(timer) };
}

/** The first sync, retried for a while: a server that has just compacted its log may refuse it for a moment. */
async function syncAtStart(sync: () => Promise<number>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await sync();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
