// The hash chain over audit entries. Pure: hashing an entry and judging a run of entries.
import { sha256Hex } from "../../src/platform/crypto.ts";
import { canonicalJson } from "./canonical-json.ts";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedEntry {
  seq: number;
  at: Date;
  actorType: string;
  actorId: string;
  action: string;
  subject: string;
  /** Canonical JSON text, exactly as stored. */
  data: string;
  prevHash: string;
  hash: string;
}

export type ChainVerdict =
  | { intact: true; entries: number }
  | { intact: false; entries: number; brokenAt: number; reason: ChainBreak };

export type ChainBreak = "missing" | "altered" | "out_of_order" | "tail_missing";

/** SHA-256 of the previous entry's hash and this entry's canonical content. */
export function entryHash(entry: Omit<ChainedEntry, "hash">): Promise<string> {
  const content = canonicalJson({
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: { type: entry.actorType, id: entry.actorId },
    action: entry.action,
    subject: entry.subject,
    data: entry.data,
  });
  return sha256Hex(`${entry.prevHash}\n${content}`);
}

/** Walks entries in seq order, carrying the last good entry between batches. */
export class ChainWalker {
  private previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH };
  private count = 0;

  get last() {
    return this.previous;
  }

  /** Returns the first break in this batch, or null when the batch continues the chain. */
  async check(entry: ChainedEntry): Promise<{ brokenAt: number; reason: ChainBreak } | null> {
    if (entry.seq !== this.previous.seq + 1) {
      return { brokenAt: this.previous.seq + 1, reason: entry.seq > this.previous.seq + 1 ? "missing" : "out_of_order" };
    }
    if (entry.prevHash !== this.previous.hash) return { brokenAt: entry.seq, reason: "out_of_order" };
    if ((await entryHash(entry)) !== entry.hash) return { brokenAt: entry.seq, reason: "altered" };
    this.previous = { seq: entry.seq, hash: entry.hash };
    this.count++;
    return null;
  }

  /** Compares the end of the walked chain with the recorded head (the newest appended entry). */
  finish(head: { seq: number; hash: string } | null): ChainVerdict {
    if (head && (head.seq !== this.previous.seq || head.hash !== this.previous.hash)) {
      const brokenAt = head.seq > this.previous.seq ? this.previous.seq + 1 : head.seq;
      return { intact: false, entries: this.count, brokenAt, reason: head.seq > this.previous.seq ? "tail_missing" : "altered" };
    }
    if (!head && this.count > 0) return { intact: false, entries: this.count, brokenAt: this.previous.seq, reason: "tail_missing" };
    return { intact: true, entries: this.count };
  }
}
