// Follows and "remind me": a shopper follows a host or a store, and asks to be reminded of a scheduled
// show. Owns the follows and show_reminders tables of db/schema/social.ts; hosts come from accounts,
// stores from the catalog and shows from live, each through its service.
// Following is a reader's preference, like reading a notice, so it is not audited.
import { and, asc, count, desc, eq, gte, inArray, lt } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { follows, showReminders } from "../../db/schema/social.ts";
import type { LiveSession } from "../live/index.ts";
import type { Store } from "../orders/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Role } from "../../src/platform/roles.ts";
import { NotAHost, ShowNotUpcoming } from "./follows-errors.ts";
import { dailySeries, utcDay, utcDayOf } from "./chart-scale.ts";

export type FollowTarget = { type: "host" | "store"; id: string };

export interface FollowsDeps {
  database: Database;
  clock: Clock;
  accounts: { findById(id: string): Promise<{ id: string; displayName: string; roles: readonly Role[] } | null> };
  catalog: { getStore(id: string): Promise<Store> };
  live: { getSession(id: string): Promise<LiveSession> };
}

export interface Followed {
  type: "host" | "store";
  id: string;
  since: Date;
}

/** New follows on one UTC day ("2026-11-26"), of those who still follow. */
export interface DailyFollows {
  day: string;
  follows: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function createFollows({ database, clock, accounts, catalog, live }: FollowsDeps) {
  const { db } = database;
  const ofTarget = (target: FollowTarget) => and(eq(follows.targetType, target.type), eq(follows.targetId, target.id));

  /** Throws NotAHost or NotFound when there is nothing to follow. */
  async function mustExist(target: FollowTarget) {
    if (target.type === "store") {
      await catalog.getStore(target.id);
      return;
    }
    const user = await accounts.findById(target.id);
    if (!user || !user.roles.includes("host")) throw new NotAHost();
  }

  return {
    /** Idempotent: following again keeps the first date. */
    async follow(userId: string, target: FollowTarget): Promise<void> {
      await mustExist(target);
      await database.write((tx) => tx.insert(follows).values({ userId, targetType: target.type, targetId: target.id, createdAt: clock.now() }).onConflictDoNothing());
    },

    /** Idempotent: unfollowing what one does not follow changes nothing. */
    async unfollow(userId: string, target: FollowTarget): Promise<void> {
      await database.write((tx) => tx.delete(follows).where(and(eq(follows.userId, userId), ofTarget(target))));
    },

    async isFollowing(userId: string, target: FollowTarget): Promise<boolean> {
      const [row] = await db.select({ userId: follows.userId }).from(follows).where(and(eq(follows.userId, userId), ofTarget(target)));
      return !!row;
    },

    /** Who follows the host or store. */
    async followerIds(target: FollowTarget): Promise<string[]> {
      return (await db.select({ userId: follows.userId }).from(follows).where(ofTarget(target))).map((row) => row.userId);
    },

    async followerCount(target: FollowTarget): Promise<number> {
      const [row] = await db.select({ n: count() }).from(follows).where(ofTarget(target));
      return row?.n ?? 0;
    },

    /** Every UTC day from `from` to `to` (both included), with the follows made that day. */
    async followerGrowth(targetType: FollowTarget["type"], targetId: string, from: Date, to: Date): Promise<DailyFollows[]> {
      const first = new Date(Date.parse(utcDay(from)));
      const end = new Date(Date.parse(utcDay(to)) + DAY_MS);
      const day = utcDayOf(follows.createdAt);
      const rows = await db
        .select({ day, n: count() })
        .from(follows)
        .where(and(ofTarget({ type: targetType, id: targetId }), gte(follows.createdAt, first), lt(follows.createdAt, end)))
        .groupBy(day);
      return dailySeries(new Map(rows.map((row) => [row.day, row.n])), from, to).map((point) => ({ day: point.day, follows: point.value }));
    },

    /** What the user follows, newest first. */
    async following(userId: string): Promise<Followed[]> {
      const rows = await db.select().from(follows).where(eq(follows.userId, userId)).orderBy(desc(follows.createdAt));
      return rows.map((row) => ({ type: row.targetType, id: row.targetId, since: row.createdAt }));
    },

    /** "Remind me": only on a show still scheduled to start later; idempotent. */
    async remind(userId: string, sessionId: string): Promise<void> {
      const session = await live.getSession(sessionId);
      if (session.status !== "scheduled" || session.scheduledAt.getTime() <= clock.now().getTime()) throw new ShowNotUpcoming();
      await database.write((tx) => tx.insert(showReminders).values({ userId, sessionId, createdAt: clock.now() }).onConflictDoNothing());
    },

    async cancelReminder(userId: string, sessionId: string): Promise<void> {
      await database.write((tx) => tx.delete(showReminders).where(and(eq(showReminders.userId, userId), eq(showReminders.sessionId, sessionId))));
    },

    /** Of these shows, the ones the user asked to be reminded of. */
    async remindedAmong(userId: string, sessionIds: readonly string[]): Promise<Set<string>> {
      if (sessionIds.length === 0) return new Set();
      const rows = await db
        .select({ sessionId: showReminders.sessionId })
        .from(showReminders)
        .where(and(eq(showReminders.userId, userId), inArray(showReminders.sessionId, [...sessionIds])));
      return new Set(rows.map((row) => row.sessionId));
    },

    /** The shows the user asked to be reminded of, soonest set first. */
    async reminders(userId: string): Promise<{ sessionId: string; since: Date }[]> {
      const rows = await db.select().from(showReminders).where(eq(showReminders.userId, userId)).orderBy(asc(showReminders.createdAt));
      return rows.map((row) => ({ sessionId: row.sessionId, since: row.createdAt }));
    },

    /** Erasure: the user's follows and reminders; returns how many rows went. */
    async eraseMember(userId: string): Promise<number> {
      return database.write(async (tx) => {
        const followed = await tx.delete(follows).where(eq(follows.userId, userId));
        const reminded = await tx.delete(showReminders).where(eq(showReminders.userId, userId));
        return followed.rowsAffected + reminded.rowsAffected;
      });
    },
  };
}

export type Follows = ReturnType<typeof createFollows>;
