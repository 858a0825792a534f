// A store's referral figures per UTC day, for the merchant's charts: visits through its links, paid
// orders attributed to a link (rewarded or refused), rewards granted and reversed.
import { and, count, eq, gte, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { utcDay, utcDayOf } from "./chart-scale.ts";
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

export function createReferralFigures({ database }: { database: Database }) {
  const { db } = database;

  return {
    /** Every UTC day from `from` to `to` (both included). A sharer's own visits of their link are not clicks. */
    async referralFigures(storeId: string, from: Date, to: Date): Promise<DailyReferrals[]> {
      const first = new Date(Date.parse(utcDay(from)));
      const end = new Date(Date.parse(utcDay(to)) + DAY_MS);
      const clickDay = utcDayOf(referralClicks.createdAt);
      const rewardDay = utcDayOf(referralRewards.createdAt);
      const reversedDay = utcDayOf(referralRewards.reversedAt);
      const [clicks, rewards, reversed] = await Promise.all([
        db
          .select({ day: clickDay, n: count() })
          .from(referralClicks)
          .innerJoin(referralLinks, eq(referralLinks.code, referralClicks.code))
          .where(and(eq(referralLinks.storeId, storeId), or(isNull(referralClicks.visitorUserId), ne(referralClicks.visitorUserId, referralLinks.userId)), gte(referralClicks.createdAt, first), lt(referralClicks.createdAt, end)))
          .groupBy(clickDay),
        // Attributed orders (rewarded or refused) and those of them granted, in one pass.
        db
          .select({ day: rewardDay, n: count(), granted: sql<number>`coalesce(sum(CASE WHEN ${referralRewards.status} <> 'refused' THEN 1 ELSE 0 END), 0)` })
          .from(referralRewards)
          .where(and(eq(referralRewards.storeId, storeId), gte(referralRewards.createdAt, first), lt(referralRewards.createdAt, end)))
          .groupBy(rewardDay),
        db
          .select({ day: reversedDay, n: count() })
          .from(referralRewards)
          .where(and(eq(referralRewards.storeId, storeId), isNotNull(referralRewards.reversedAt), gte(referralRewards.reversedAt, first), lt(referralRewards.reversedAt, end)))
          .groupBy(reversedDay),
      ]);
      const byDay = (rows: { day: string; n: number }[]) => new Map(rows.map((row) => [row.day, row.n]));
      const [c, a, r] = [byDay(clicks), byDay(rewards), byDay(reversed)];
      const g = new Map(rewards.map((row) => [row.day, Number(row.granted)]));
      const days: DailyReferrals[] = [];
      for (let at = first.getTime(); at < end.getTime(); at += DAY_MS) {
        const day = utcDay(new Date(at));
        days.push({ day, clicks: c.get(day) ?? 0, attributedOrders: a.get(day) ?? 0, granted: g.get(day) ?? 0, reversed: r.get(day) ?? 0 });
      }
      return days;
    },
  };
}
