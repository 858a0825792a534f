// A store's referral figures per UTC day, for the merchant's charts: visits through its links, paid
// orders attributed to a link (rewarded or refused), rewards granted and reversed.
import { and, count, eq, gte, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database } from "../../db/database.ts";
import { referralClicks, referralLinks, referralRewards } from "../../db/schema/social.ts";

export interface DailyReferrals {
  /** "2026-11-26" (UTC). */
  day: string;
  clicks: number;
  attributedOrders: number;
  granted: number;
  reversed: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const utcDay = (date: Date) => date.toISOString().slice(0, 10);
const dayOf = (column: SQLiteColumn) => sql<string>`strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

export function createReferralFigures({ database }: { database: Database }) {
  const { db } = database;

  return {
    /** Every UTC day from `from` to `to` (both included). A sharer's own visits of their link are not clicks. */
    async referralFigures(storeId: string, from: Date, to: Date): Promise<DailyReferrals[]> {
      const first = new Date(Date.parse(utcDay(from)));
      const end = new Date(Date.parse(utcDay(to)) + DAY_MS);
      const clickDay = dayOf(referralClicks.createdAt);
      const rewardDay = dayOf(referralRewards.createdAt);
      const reversedDay = dayOf(referralRewards.reversedAt);
      const [clicks, attributed, granted, reversed] = await Promise.all([
        db
          .select({ day: clickDay, n: count() })
          .from(referralClicks)
          .innerJoin(referralLinks, eq(referralLinks.code, referralClicks.code))
          .where(and(eq(referralLinks.storeId, storeId), or(isNull(referralClicks.visitorUserId), ne(referralClicks.visitorUserId, referralLinks.userId)), gte(referralClicks.createdAt, first), lt(referralClicks.createdAt, end)))
          .groupBy(clickDay),
        db
          .select({ day: rewardDay, n: count() })
          .from(referralRewards)
          .where(and(eq(referralRewards.storeId, storeId), gte(referralRewards.createdAt, first), lt(referralRewards.createdAt, end)))
          .groupBy(rewardDay),
        db
          .select({ day: rewardDay, n: count() })
          .from(referralRewards)
          .where(and(eq(referralRewards.storeId, storeId), ne(referralRewards.status, "refused"), gte(referralRewards.createdAt, first), lt(referralRewards.createdAt, end)))
          .groupBy(rewardDay),
        db
          .select({ day: reversedDay, n: count() })
          .from(referralRewards)
          .where(and(eq(referralRewards.storeId, storeId), isNotNull(referralRewards.reversedAt), gte(referralRewards.reversedAt, first), lt(referralRewards.reversedAt, end)))
          .groupBy(reversedDay),
      ]);
      const byDay = (rows: { day: string; n: number }[]) => new Map(rows.map((row) => [row.day, row.n]));
      const [c, a, g, r] = [byDay(clicks), byDay(attributed), byDay(granted), byDay(reversed)];
      const days: DailyReferrals[] = [];
      for (let at = first.getTime(); at < end.getTime(); at += DAY_MS) {
        const day = utcDay(new Date(at));
        days.push({ day, clicks: c.get(day) ?? 0, attributedOrders: a.get(day) ?? 0, granted: g.get(day) ?? 0, reversed: r.get(day) ?? 0 });
      }
      return days;
    },
  };
}
