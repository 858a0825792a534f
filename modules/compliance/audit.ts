// The audit trail service: record(tx, entry) appends inside the caller's transaction;
// verifyChain() streams the table and names the first broken entry.
import { and, asc, desc, eq, gt, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { auditEntries, auditHead } from "../../db/schema/compliance.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { canonicalJson } from "./canonical-json.ts";
import { ChainWalker, GENESIS_HASH, entryHash, type ChainVerdict } from "./audit-chain.ts";
import { createAuditSigner, exportLine, signExport, type AuditSigner, type SignatureLine } from "./audit-export.ts";

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
  prevHash: string;
  hash: string;
}

/** Filters of the officers' search; every one optional. Times are UTC instants, `to` exclusive. */
export interface AuditQuery {
  actorType?: Actor["type"];
  actorId?: string;
  /** Entries whose action starts with this ("account." finds every account action). */
  action?: string;
  /** Entries whose subject starts with this ("user:usr_1"). */
  subject?: string;
  from?: Date;
  to?: Date;
  /** Paging: only entries older than this seq. */
  before?: number;
  limit?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** The seq to pass as `before` for the next (older) page, or null on the last page. */
  older: number | null;
}

export interface AuditExport {
  body: string;
  signature: SignatureLine;
}

/** AUDIT_SIGNING_KEY (base64 PKCS#8 Ed25519), or where to get it when the first export needs it. */
export type AuditSigningKey = string | (() => Promise<string>);

/** Exports need AUDIT_SIGNING_KEY (generated in development; Workers must set it). */
export class AuditSigningUnavailable extends Error {}

export interface AuditTrail {
  record(tx: Tx, entry: AuditEntryInput): Promise<number>;
  verifyChain(batchSize?: number): Promise<ChainVerdict>;
  recent(limit: number): Promise<AuditEntry[]>;
  search(query: AuditQuery): Promise<AuditPage>;
  entry(seq: number): Promise<AuditEntry | null>;
  /** A signed JSON Lines export of the entries in [from, to); recorded in the trail itself. */
  exportRange(actor: Actor, range: { from: Date | null; to: Date | null }): Promise<AuditExport>;
}

const HEAD_ROW = 1;

export function createAuditTrail({ database, clock, signingKey }: { database: Database; clock: Clock; signingKey?: AuditSigningKey }): AuditTrail {
  let signer: Promise<AuditSigner> | undefined;
  const auditSigner = () => {
    if (!signingKey) return Promise.reject(new AuditSigningUnavailable("no AUDIT_SIGNING_KEY is configured"));
    signer ??= (typeof signingKey === "string" ? Promise.resolve(signingKey) : signingKey()).then(createAuditSigner);
    signer.catch(() => (signer = undefined));
    return signer;
  };

  const trail: AuditTrail = {
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

    async search(query) {
      const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
      const conditions: SQL[] = [];
      if (query.actorType) conditions.push(eq(auditEntries.actorType, query.actorType));
      if (query.actorId) conditions.push(eq(auditEntries.actorId, query.actorId));
      // instr(…) = 1: a case-sensitive prefix with no LIKE wildcards to escape.
      if (query.action) conditions.push(sql`instr(${auditEntries.action}, ${query.action}) = 1`);
      if (query.subject) conditions.push(sql`instr(${auditEntries.subject}, ${query.subject}) = 1`);
      if (query.from) conditions.push(gte(auditEntries.at, query.from));
      if (query.to) conditions.push(lt(auditEntries.at, query.to));
      if (query.before !== undefined) conditions.push(lt(auditEntries.seq, query.before));
      const rows = await database.db
        .select()
        .from(auditEntries)
        .where(and(...conditions))
        .orderBy(desc(auditEntries.seq))
        .limit(limit + 1);
      const entries = rows.slice(0, limit).map(toAuditEntry);
      return { entries, older: rows.length > limit ? entries[entries.length - 1]!.seq : null };
    },

    async entry(seq) {
      const [row] = await database.db.select().from(auditEntries).where(eq(auditEntries.seq, seq));
      return row ? toAuditEntry(row) : null;
    },

    async exportRange(actor, { from, to }) {
      const key = await auditSigner();
      const lines: string[] = [];
      let after = 0;
      for (;;) {
        const conditions: SQL[] = [gt(auditEntries.seq, after)];
        if (from) conditions.push(gte(auditEntries.at, from));
        if (to) conditions.push(lt(auditEntries.at, to));
        const batch = await database.db
          .select()
          .from(auditEntries)
          .where(and(...conditions))
          .orderBy(asc(auditEntries.seq))
          .limit(1000);
        for (const row of batch) lines.push(exportLine(row));
        if (batch.length < 1000) break;
        after = batch[batch.length - 1]!.seq;
      }
      const signed = await signExport(lines, { from, to }, key);
      await database.write((tx) =>
        trail.record(tx, {
          actor,
          action: "audit.exported",
          subject: "audit:export",
          data: { from: signed.signature.from, to: signed.signature.to, count: signed.signature.count, digest: signed.signature.digest, keyId: key.keyId },
        }),
      );
      return signed;
    },
  };
  return trail;
}

function toAuditEntry(row: typeof auditEntries.$inferSelect): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: { type: row.actorType, id: row.actorId },
    action: row.action,
    subject: row.subject,
    data: JSON.parse(row.data) as Record<string, unknown>,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

