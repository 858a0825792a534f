// The agent's durable outbox: every parsed transaction is committed (WAL, synchronous=FULL, so an
// fsync per commit) with its per-device sequence before the till is acknowledged, and stays until the
// server acknowledges that sequence. The sequence counter never goes back, even when the outbox is
// empty, so a sequence is never reused for a different transaction.
import { Database } from "bun:sqlite";
import type { StoreTransaction } from "../protocol.ts";
import type { DriverCursor, ParsedTransaction } from "./drivers/driver.ts";

export interface OutboxCounts {
  pending: number;
  rejected: number;
  /** The last sequence assigned (0 when none yet). */
  lastSequence: number;
  /** Transactions the server has acknowledged through this outbox. */
  acknowledged: number;
  /** When the server last acknowledged something (ISO), or null. */
  lastAckAt: string | null;
  lastAckSequence: number | null;
  deviceId: string | null;
}

export interface RejectedRow {
  id: number;
  source: string;
  raw: string;
  reason: string;
  at: string;
}

export class OutboxError extends Error {}

export class Outbox {
  readonly db: Database;
  private readonly listeners = new Set<() => void>();

  constructor(readonly path: string) {
    this.db = new Database(path, { create: true, strict: true });
    this.db.run("PRAGMA busy_timeout = 10000");
    const mode = this.db.query<{ journal_mode: string }, []>("PRAGMA journal_mode = WAL").get()?.journal_mode;
    if (mode !== "wal") throw new OutboxError(`outbox ${path}: cannot use WAL (journal_mode=${mode})`);
    this.db.run("PRAGMA synchronous = FULL");
    this.db.run("PRAGMA foreign_keys = ON");
    this.db.transaction(() => {
      this.db.run("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      this.db.run("CREATE TABLE IF NOT EXISTS outbox (sequence INTEGER PRIMARY KEY, payload TEXT NOT NULL, created_at TEXT NOT NULL)");
      this.db.run("CREATE TABLE IF NOT EXISTS rejected (id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, raw TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL)");
      this.db.run("CREATE TABLE IF NOT EXISTS cursors (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      this.db.run("INSERT OR IGNORE INTO meta (key, value) VALUES ('next_sequence', '1'), ('acknowledged', '0')");
    }).immediate();
  }

  private meta(key: string): string | null {
    return this.db.query<{ value: string }, [string]>("SELECT value FROM meta WHERE key = ?").get(key)?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.db.query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  private setCursor(cursor: DriverCursor | undefined): void {
    if (cursor) this.db.query("INSERT INTO cursors (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(cursor.key, cursor.value);
  }

  /**
   * Ties the outbox to a device. Sequences are per device: an outbox still holding another device's
   * transactions is refused (send or move them first).
   */
  bindDevice(deviceId: string): void {
    this.db.transaction(() => {
      const current = this.meta("device_id");
      if (current === deviceId) return;
      if (current !== null && this.pendingCount() > 0) throw new OutboxError(`outbox ${this.path} holds unsent transactions of device ${current}, not ${deviceId}`);
      this.setMeta("device_id", deviceId);
    }).immediate();
  }

  /**
   * Commits the transaction with the next sequence (and the driver's cursor, if any) in one
   * transaction and returns the sequence once that commit is on disk.
   */
  append(transaction: ParsedTransaction, cursor?: DriverCursor): number {
    const sequence = this.db.transaction(() => {
      const next = Number(this.meta("next_sequence"));
      const full: StoreTransaction = { sequence: next, ...transaction };
      this.db.query("INSERT INTO outbox (sequence, payload, created_at) VALUES (?, ?, ?)").run(next, JSON.stringify(full), new Date().toISOString());
      this.setMeta("next_sequence", String(next + 1));
      this.setCursor(cursor);
      return next;
    }).immediate();
    for (const listener of this.listeners) listener();
    return sequence;
  }

  /** Keeps a line that is not a valid transaction, with the driver's cursor in the same commit. */
  reject(row: { source: string; raw: string; reason: string }, cursor?: DriverCursor): void {
    this.db.transaction(() => {
      this.db.query("INSERT INTO rejected (source, raw, reason, at) VALUES (?, ?, ?, ?)").run(row.source, row.raw, row.reason, new Date().toISOString());
      this.setCursor(cursor);
    }).immediate();
  }

  cursor(key: string): string | null {
    return this.db.query<{ value: string }, [string]>("SELECT value FROM cursors WHERE key = ?").get(key)?.value ?? null;
  }

  /** Oldest first. */
  pending(limit: number): StoreTransaction[] {
    return this.db
      .query<{ payload: string }, [number]>("SELECT payload FROM outbox ORDER BY sequence LIMIT ?")
      .all(limit)
      .map((row) => JSON.parse(row.payload) as StoreTransaction);
  }

  /** Removes the sequences the server acknowledged; returns how many were removed. */
  acknowledge(sequences: readonly number[]): number {
    if (sequences.length === 0) return 0;
    return this.db.transaction(() => {
      let removed = 0;
      const remove = this.db.query("DELETE FROM outbox WHERE sequence = ?");
      for (const sequence of sequences) removed += remove.run(sequence).changes;
      this.setMeta("acknowledged", String(Number(this.meta("acknowledged") ?? 0) + removed));
      this.setMeta("last_ack_at", new Date().toISOString());
      this.setMeta("last_ack_sequence", String(Math.max(...sequences)));
      return removed;
    }).immediate();
  }

  /**
   * Gives new sequences, after `serverLast` and after every sequence used here, to transactions the
   * server holds other receipts under (this outbox was lost or rebuilt and counted again from 1).
   */
  renumber(conflicts: readonly number[], serverLast: number): Map<number, number> {
    const moved = new Map<number, number>();
    if (conflicts.length === 0) return moved;
    this.db.transaction(() => {
      let next = Math.max(Number(this.meta("next_sequence")), serverLast + 1);
      const read = this.db.query<{ payload: string }, [number]>("SELECT payload FROM outbox WHERE sequence = ?");
      const remove = this.db.query("DELETE FROM outbox WHERE sequence = ?");
      const insert = this.db.query("INSERT INTO outbox (sequence, payload, created_at) VALUES (?, ?, ?)");
      for (const old of [...conflicts].sort((a, b) => a - b)) {
        const row = read.get(old);
        if (!row) continue;
        const transaction = JSON.parse(row.payload) as StoreTransaction;
        remove.run(old);
        insert.run(next, JSON.stringify({ ...transaction, sequence: next }), new Date().toISOString());
        moved.set(old, next);
        next += 1;
      }
      this.setMeta("next_sequence", String(next));
    }).immediate();
    return moved;
  }

  /** Moves one transaction the server refuses as invalid out of the queue into `rejected` (kept, not sent). */
  quarantine(sequence: number, reason: string): void {
    this.db.transaction(() => {
      const row = this.db.query<{ payload: string }, [number]>("SELECT payload FROM outbox WHERE sequence = ?").get(sequence);
      if (!row) return;
      this.db.query("INSERT INTO rejected (source, raw, reason, at) VALUES (?, ?, ?, ?)").run("server", row.payload, reason, new Date().toISOString());
      this.db.query("DELETE FROM outbox WHERE sequence = ?").run(sequence);
    }).immediate();
  }

  pendingCount(): number {
    return this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM outbox").get()!.n;
  }

  rejectedRows(limit = 100): RejectedRow[] {
    return this.db.query<RejectedRow, [number]>("SELECT id, source, raw, reason, at FROM rejected ORDER BY id LIMIT ?").all(limit);
  }

  counts(): OutboxCounts {
    const lastAckSequence = this.meta("last_ack_sequence");
    return {
      pending: this.pendingCount(),
      rejected: this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM rejected").get()!.n,
      lastSequence: Number(this.meta("next_sequence")) - 1,
      acknowledged: Number(this.meta("acknowledged") ?? 0),
      lastAckAt: this.meta("last_ack_at"),
      lastAckSequence: lastAckSequence === null ? null : Number(lastAckSequence),
      deviceId: this.meta("device_id"),
    };
  }

  /** Called after every append (the relay wakes up). */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    this.db.close();
  }
}
