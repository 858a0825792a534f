// The append-only points ledger (db/schema/social.ts points_ledger): every earning, spending and
// reversal is a row, the balance is their sum, and nothing is ever updated or deleted (erasure keeps
// the rows: they hold no personal data beyond the user id). Writes happen inside the caller's
// transaction, so points move together with the order event or checkout that causes them; the
// unique (order, reason) index makes a redelivered event a no-op.
import { and, desc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { pointsLedger } from "../../db/schema/social.ts";
import { DomainError } from "../../src/platform/errors.ts";
import { MEMBERSHIP_CURRENCY, TIER_WINDOW_DAYS } from "./membership-rules.ts";
import { utcDayOf } from "./chart-scale.ts";

export type PointsReason = (typeof pointsLedger.$inferSelect)["reason"];

export interface PointsEntry {
  id: number;
  delta: number;
  reason: PointsReason;
  orderId: string | null;
  spendFen: number;
  note: string | null;
  at: Date;
}

export class NotEnoughPoints extends DomainError {
  constructor() {
    super(422, "not_enough_points", "points.error.not_enough");
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PointsPosting {
  userId: string;
  delta: number;
  reason: PointsReason;
  orderId?: string | null;
  /** The store the order or sale belongs to, for the store's points figures. */
  storeId?: string | null;
  /** For an earning on a paid order: what was paid, counted towards the tier. Negative on a refund. */
  spendFen?: number;
  note?: string | null;
  at: Date;
}

export function createPointsLedger({ database }: { database: Database }) {
  const { db } = database;

  async function balanceIn(q: Tx | typeof db, userId: string): Promise<number> {
    const [row] = await q.select({ total: sql<number>`coalesce(sum(${pointsLedger.delta}), 0)` }).from(pointsLedger).where(eq(pointsLedger.userId, userId));
    return Number(row?.total ?? 0);
  }

  return {
    balance: (userId: string) => balanceIn(db, userId),
    balanceIn,

    /**
     * Appends one row; false when this (order, reason) was posted before. A negative delta that
     * would take the balance below zero is refused with NotEnoughPoints unless `allowNegative`
     * (a refund reversing points already spent may leave the member owing points).
     */
    async post(tx: Tx, posting: PointsPosting, { allowNegative = false } = {}): Promise<boolean> {
      if (!Number.isSafeInteger(posting.delta)) throw new RangeError(`bad points delta ${posting.delta}`);
      if (posting.delta < 0 && !allowNegative && (await balanceIn(tx, posting.userId)) + posting.delta < 0) throw new NotEnoughPoints();
      const inserted = await tx
        .insert(pointsLedger)
        .values({
          userId: posting.userId,
          delta: posting.delta,
          reason: posting.reason,
          orderId: posting.orderId ?? null,
          storeId: posting.storeId ?? null,
          spendFen: posting.spendFen ?? 0,
          currency: posting.spendFen ? MEMBERSHIP_CURRENCY : null,
          note: posting.note ?? null,
          createdAt: posting.at,
        })
        .onConflictDoNothing();
      return inserted.rowsAffected === 1;
    },

    /** The row an order posted for a reason, if any (what to reverse). */
    async entryOf(tx: Tx, orderId: string, reason: PointsReason): Promise<PointsEntry | null> {
      const [row] = await tx.select().from(pointsLedger).where(and(eq(pointsLedger.orderId, orderId), eq(pointsLedger.reason, reason)));
      return row ? { id: row.id, delta: row.delta, reason: row.reason, orderId: row.orderId, spendFen: row.spendFen, note: row.note, at: row.createdAt } : null;
    },

    /** Spend over the tier window (paid minus refunded), in fen of the membership currency. */
    async spendSince(q: Tx | typeof db, userId: string, now: Date): Promise<number> {
      const since = new Date(now.getTime() - TIER_WINDOW_DAYS * DAY_MS);
      const [row] = await q
        .select({ total: sql<number>`coalesce(sum(${pointsLedger.spendFen}), 0)` })
        .from(pointsLedger)
        .where(and(eq(pointsLedger.userId, userId), gte(pointsLedger.createdAt, since)));
      return Math.max(0, Number(row?.total ?? 0));
    },

    /** Points the member's till sales earned over the tier window, net of what till refunds took back. */
    async storeEarnedSince(q: Tx | typeof db, userId: string, now: Date): Promise<number> {
      const since = new Date(now.getTime() - TIER_WINDOW_DAYS * DAY_MS);
      const [row] = await q
        .select({ total: sql<number>`coalesce(sum(${pointsLedger.delta}), 0)` })
        .from(pointsLedger)
        .where(and(eq(pointsLedger.userId, userId), eq(pointsLedger.note, "store"), inArray(pointsLedger.reason, ["order_paid", "order_refunded"]), gte(pointsLedger.createdAt, since)));
      return Math.max(0, Number(row?.total ?? 0));
    },

    /** Points a store's orders issued (earnings and referral rewards) and took as payment, per UTC day. */
    async storeFigures(storeId: string, from: Date, to: Date): Promise<{ issued: Map<string, number>; redeemed: Map<string, number> }> {
      const day = utcDayOf(pointsLedger.createdAt);
      const rows = await db
        .select({
          day,
          issued: sql<number>`coalesce(sum(CASE WHEN ${pointsLedger.reason} IN ('order_paid', 'referral', 'tier_bonus') THEN ${pointsLedger.delta} ELSE 0 END), 0)`,
          redeemed: sql<number>`coalesce(sum(CASE WHEN ${pointsLedger.reason} = 'redeemed' THEN -${pointsLedger.delta} ELSE 0 END), 0)`,
        })
        .from(pointsLedger)
        .where(and(eq(pointsLedger.storeId, storeId), gte(pointsLedger.createdAt, from), lte(pointsLedger.createdAt, to)))
        .groupBy(day);
      return { issued: new Map(rows.map((r) => [r.day, Number(r.issued)])), redeemed: new Map(rows.map((r) => [r.day, Number(r.redeemed)])) };
    },

    /** The member's history, newest first. */
    async history(userId: string, limit = 100): Promise<PointsEntry[]> {
      const rows = await db.select().from(pointsLedger).where(eq(pointsLedger.userId, userId)).orderBy(desc(pointsLedger.createdAt), desc(pointsLedger.id)).limit(Math.min(Math.max(limit, 1), 500));
      return rows.map((row) => ({ id: row.id, delta: row.delta, reason: row.reason, orderId: row.orderId, spendFen: row.spendFen, note: row.note, at: row.createdAt }));
    },
  };
}

export type PointsLedger = ReturnType<typeof createPointsLedger>;
