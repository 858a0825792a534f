// Re-sealing after a data key rotation, for each module that owns sealed columns: the module finds
// its rows still holding a value not under the current key, says what a row becomes, and writes it
// back; this walks those rows in key order a page at a time. A page is re-sealed before its write
// transaction opens, so the writer is not held across the crypto; the module's update is
// conditional on the values read, so a row changed meanwhile (erased, resubmitted) is left alone.
import type { Database, Tx } from "../../db/database.ts";
import { SealBroken, type Sealer } from "./sealing.ts";

export const RESEAL_PAGE_SIZE = 200;

export interface StaleRows<Row extends { key: string }, Update> {
  /** Up to `limit` rows whose key is above `after`, in key order, with at least one value not sealed under the current key. */
  stale(after: string, limit: number): Promise<Row[]>;
  /** What the row becomes under the current key (outside any transaction). */
  reseal(row: Row): Promise<Update>;
  /** Writes the update if the row still holds what was read; says whether it did. */
  write(tx: Tx, row: Row, update: Update): Promise<boolean>;
}

/** Re-seals every stale row, one write transaction per page; returns how many rows changed. */
export async function resealRows<Row extends { key: string }, Update>(database: Database, rows: StaleRows<Row, Update>, pageSize = RESEAL_PAGE_SIZE): Promise<number> {
  let after = "";
  let changed = 0;
  for (;;) {
    const page = await rows.stale(after, pageSize);
    if (page.length === 0) return changed;
    const updates: [Row, Update][] = [];
    for (const row of page) {
      try {
        updates.push([row, await rows.reseal(row)]);
      } catch (error) {
        if (error instanceof SealBroken) throw new SealBroken(`${row.key}: ${error.message}`);
        throw error;
      }
    }
    changed += await database.write(async (tx) => {
      let written = 0;
      for (const [row, update] of updates) if (await rows.write(tx, row, update)) written += 1;
      return written;
    });
    after = page.at(-1)!.key;
    if (page.length < pageSize) return changed;
  }
}

/** The common case: each sealed value of the row under the current key; null stays null. */
export async function resealValues<Values extends Record<string, string | null>>(sealer: Sealer, values: Values): Promise<Values> {
  const resealed: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(values)) resealed[name] = value === null ? null : await sealer.reseal(value);
  return resealed as Values;
}
