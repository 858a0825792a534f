// The in-app inbox: notices to one user, each a kind and its parameters ("moderation.warning",
// { kind, field, terms, note }), rendered in the reader's language when shown
// (views/accounts/notice-text.ts). Any module may notify through this service, inside its own
// transaction when the notice is part of a change it records.
import { and, count, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { notifications } from "../../db/schema/accounts.ts";
import type { Clock } from "../platform/clock.ts";
import { newId } from "../platform/ids.ts";

export type NoticeParams = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface InboxNotice {
  id: string;
  kind: string;
  params: NoticeParams;
  /** Where the notice leads ("/merchant/products/…"), if anywhere. */
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

export interface Notifications {
  /** Adds a notice to the user's inbox: in `tx` when given, else in its own transaction. */
  notify(tx: Tx | undefined, userId: string, kind: string, params: NoticeParams, link?: string | null): Promise<string>;
  /** The same notice to many users, in multi-row inserts inside `tx` (one statement per NOTIFY_BATCH users). */
  notifyMany(tx: Tx, userIds: readonly string[], kind: string, params: NoticeParams, link?: string | null): Promise<void>;
  /** The user's notices, newest first. */
  list(userId: string, limit?: number): Promise<InboxNotice[]>;
  /** Every notice to the user, oldest first (their data export: never cut short). */
  all(userId: string): Promise<InboxNotice[]>;
  unreadCount(userId: string): Promise<number>;
  /** Marks the user's notices read (only theirs); returns how many changed. */
  markRead(userId: string, ids: readonly string[] | "all"): Promise<number>;
  /** Erasure: deletes every notice to the user. */
  erase(userId: string): Promise<number>;
}

const LIST_MAX = 200;
/** Rows per insert: 6 values each, far below SQLite's limit on bound parameters. */
export const NOTIFY_BATCH = 500;

const toNotice = (row: typeof notifications.$inferSelect): InboxNotice => ({ id: row.id, kind: row.kind, params: JSON.parse(row.params) as NoticeParams, link: row.link, createdAt: row.createdAt, readAt: row.readAt });

export function createNotifications({ database, clock }: { database: Database; clock: Clock }): Notifications {
  const { db } = database;

  return {
    async notify(tx, userId, kind, params, link = null) {
      const now = clock.now();
      const id = newId("ntf", now.getTime());
      const insert = (q: Tx) => q.insert(notifications).values({ id, userId, kind, params: JSON.stringify(params), link, createdAt: now });
      if (tx) await insert(tx);
      else await database.write(insert);
      return id;
    },

    async notifyMany(tx, userIds, kind, params, link = null) {
      const now = clock.now();
      const encoded = JSON.stringify(params);
      for (let start = 0; start < userIds.length; start += NOTIFY_BATCH) {
        const rows = userIds.slice(start, start + NOTIFY_BATCH).map((userId) => ({ id: newId("ntf", now.getTime()), userId, kind, params: encoded, link, createdAt: now }));
        await tx.insert(notifications).values(rows);
      }
    },

    async list(userId, limit = 100) {
      const rows = await db
        .select()
        .from(notifications)
        .where(eq(notifications.userId, userId))
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(Math.min(Math.max(limit, 1), LIST_MAX));
      return rows.map(toNotice);
    },

    async all(userId) {
      const rows = await db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(notifications.createdAt, notifications.id);
      return rows.map(toNotice);
    },

    async unreadCount(userId) {
      const [row] = await db.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
      return row?.n ?? 0;
    },

    // Reading a notice is not audited: it changes nothing but the reader's own inbox.
    async markRead(userId, ids) {
      if (ids !== "all" && ids.length === 0) return 0;
      const mine = and(eq(notifications.userId, userId), isNull(notifications.readAt), ids === "all" ? undefined : inArray(notifications.id, [...ids]));
      return database.write(async (tx) => (await tx.update(notifications).set({ readAt: clock.now() }).where(mine)).rowsAffected);
    },

    async erase(userId) {
      return database.write(async (tx) => (await tx.delete(notifications).where(eq(notifications.userId, userId))).rowsAffected);
    },
  };
}
