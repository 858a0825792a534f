// The audit trail service: record(tx, entry) appends inside the caller's transaction;
// verifyChain() streams the table and names the first broken entry.
import { desc, eq, gt, asc } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { auditEntries, auditHead } from "../../db/schema/compliance.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { canonicalJson } from "./canonical-json.ts";
import { ChainWalker, GENESIS_HASH, entryHash, type ChainVerdict } from "./audit-chain.ts";

export type Actor = { type: "user" | "device" | "system"; id: string };

export interface AuditEntryInput {
  actor: Actor;
  /** What happened, as `<area>.<verb>`: "account.signed_up", "account.roles_changed". */
  action: string;
  /** What it happened to, as `<kind>:<id>`: "user:usr_…". */
  subject: string;
  data?: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  at: Date;
  actor: Actor;
  action: string;
  subject: string;
  data: Record<string, unknown>;
  hash: string;
}

export interface AuditTrail {
  record(tx: Tx, entry: AuditEntryInput): Promise<number>;
  verifyChain(batchSize?: number): Promise<ChainVerdict>;
  recent(limit: number): Promise<AuditEntry[]>;
}

const HEAD_ROW = 1;

export function createAuditTrail({ database, clock }: { database: Database; clock: Clock }): AuditTrail {
  return {
    async record(tx, { actor, action, subject, data = {} }) {
      const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, HEAD_ROW));
      const seq = (head?.seq ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS_HASH;
      const entry = { seq, at: clock.now(), actorType: actor.type, actorId: actor.id, action, subject, data: canonicalJson(data), prevHash };
      const hash = await entryHash(entry);
      await tx.insert(auditEntries).values({ ...entry, hash });
      await tx
        .insert(auditHead)
        .values({ id: HEAD_ROW, seq, hash })
        .onConflictDoUpdate({ target: auditHead.id, set: { seq, hash } });
      return seq;
    },

    async verifyChain(batchSize = 500) {
      const walker = new ChainWalker();
      let after = 0;
      for (;;) {
        const batch = await database.db
          .select()
          .from(auditEntries)
          .where(gt(auditEntries.seq, after))
          .orderBy(asc(auditEntries.seq))
          .limit(batchSize);
        for (const row of batch) {
          const broken = await walker.check(row);
          if (broken) return { intact: false, entries: walker.last.seq, ...broken };
        }
        if (batch.length < batchSize) break;
        after = batch[batch.length - 1]!.seq;
      }
      const [head] = await database.db.select().from(auditHead).where(eq(auditHead.id, HEAD_ROW));
      return walker.finish(head ?? null);
    },

    async recent(limit) {
      const rows = await database.db.select().from(auditEntries).orderBy(desc(auditEntries.seq)).limit(limit);
      return rows.map(toAuditEntry);
    },
  };
}

function toAuditEntry(row: typeof auditEntries.$inferSelect): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: { type: row.actorType, id: row.actorId },
    action: row.action,
    subject: row.subject,
    data: JSON.parse(row.data) as Record<string, unknown>,
    hash: row.hash,
  };
}

