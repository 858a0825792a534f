// The contract between the agent and a till driver (jsonl, escpos-tap, ecr): a driver turns what the
// till sends into StoreTransactions (without a sequence: the outbox assigns it) and hands each one to
// the agent, which resolves only after the outbox has committed it to disk. A driver that
// acknowledges the till does so after that promise resolves, never before.
import type { StoreTransaction } from "../../protocol.ts";

/** A transaction as a driver parsed it; the outbox gives it its per-device sequence. */
export type ParsedTransaction = Omit<StoreTransaction, "sequence">;

/**
 * Where a driver has read up to in its source (e.g. a byte offset in a file), stored in the same
 * outbox transaction as the StoreTransaction or the rejected line, so a restart after a crash
 * neither re-reads a committed line nor skips an uncommitted one.
 */
export interface DriverCursor {
  /** Unique per source, e.g. `jsonl:/var/pos/tx.jsonl`. */
  key: string;
  value: string;
}

/**
 * Resolves once the transaction (and the cursor, if given) is committed (fsynced); rejects if the
 * outbox could not store it — then the driver must not acknowledge the till.
 */
export type OnTransaction = (transaction: ParsedTransaction, cursor?: DriverCursor) => Promise<void>;

export interface Driver {
  /** Starts reading; resolves once the driver is running (not when it stops). */
  start(onTransaction: OnTransaction): Promise<void>;
  /** Stops reading and releases the port/file; transactions already handed over are committed. */
  stop(): Promise<void>;
}

/** What the agent gives a driver besides the callback. */
export interface DriverContext {
  /** The saved cursor of a source, or null the first time. */
  cursor(key: string): string | null;
  /**
   * Keeps input that is not a valid transaction (nothing is dropped silently): stored in the outbox's
   * `rejected` table, with the cursor in the same commit, and one line on stderr.
   */
  reject(rejected: { source: string; raw: string; reason: string }, cursor?: DriverCursor): void;
  /** One line on stderr. */
  log(message: string): void;
}
