// Show notices: the reminder before a show to those who asked ("show.reminder"), and the notice that
// the room started to the host's and store's followers and the reminder-setters ("show.started").
// Each goes out once per show, however many instances run: the show_notices row (primary key
// session + kind) is claimed first, so a second claim sends nothing. The notices then go out in
// transactions of NOTICE_CHUNK recipients, so a host with a large following never holds the write
// lock for long; a crash midway leaves the rest of that show's recipients without the notice.
import { and, eq, isNull, notExists, or, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { follows, showNotices, showReminders } from "../../db/schema/social.ts";
import type { LiveSession } from "../live/index.ts";
import type { NoticeParams } from "../../src/accounts/notifications.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";

export const REMIND_BEFORE_MINUTES = 15;
const NOTICE_CHUNK = 2_000;

export interface ShowNoticesDeps {
  database: Database;
  clock: Clock;
  live: { getSession(id: string): Promise<LiveSession> };
  notifications: { notifyMany(tx: Tx, userIds: readonly string[], kind: string, params: NoticeParams, link?: string | null): Promise<void> };
  remindBeforeMinutes?: number;
}

const watchLink = (sessionId: string) => `/live/${sessionId}`;

/** What a notice says of the show; a title an officer removed is sent blank and shown neutral. */
function showParams(session: LiveSession) {
  return { title: session.title, host: session.host.name, storeZh: session.store.nameZh, storeEn: session.store.nameEn, startsAt: session.scheduledAt.toISOString() };
}

export function createShowNotices({ database, clock, live, notifications, remindBeforeMinutes = REMIND_BEFORE_MINUTES }: ShowNoticesDeps) {
  const { db } = database;

  /** Claims the show's notice of this kind; false when another run (or instance) already sent it. */
  async function claim(tx: Tx, sessionId: string, kind: "reminder" | "started"): Promise<boolean> {
    const claimed = await tx.insert(showNotices).values({ sessionId, kind, sentAt: clock.now(), recipients: 0 }).onConflictDoNothing();
    return claimed.rowsAffected === 1;
  }

  /** Sends the claimed notice to its recipients, a chunk per transaction, and records how many. */
  async function send(sessionId: string, kind: "reminder" | "started", recipients: readonly string[], params: NoticeParams) {
    for (let start = 0; start < recipients.length; start += NOTICE_CHUNK) {
      const chunk = recipients.slice(start, start + NOTICE_CHUNK);
      await database.write((tx) => notifications.notifyMany(tx, chunk, kind === "reminder" ? "show.reminder" : "show.started", params, watchLink(sessionId)));
    }
    await database.write((tx) => tx.update(showNotices).set({ recipients: recipients.length }).where(and(eq(showNotices.sessionId, sessionId), eq(showNotices.kind, kind))));
  }

  /** Shows with reminders and no notice yet (neither the reminder nor "started"). */
  async function showsAwaitingReminder(): Promise<string[]> {
    const noticed = db.select({ one: sql`1` }).from(showNotices).where(eq(showNotices.sessionId, showReminders.sessionId));
    const rows = await db.selectDistinct({ sessionId: showReminders.sessionId }).from(showReminders).where(notExists(noticed));
    return rows.map((row) => row.sessionId);
  }

  async function sessionOrNull(sessionId: string): Promise<LiveSession | null> {
    try {
      return await live.getSession(sessionId);
    } catch (error) {
      if (error instanceof NotFound) return null;
      throw error;
    }
  }

  async function remind(session: LiveSession): Promise<number> {
    const setters = await database.write(async (tx) => {
      if (!(await claim(tx, session.id, "reminder"))) return null;
      await tx.update(showReminders).set({ remindedAt: clock.now() }).where(eq(showReminders.sessionId, session.id));
      return (await tx.select({ userId: showReminders.userId }).from(showReminders).where(eq(showReminders.sessionId, session.id))).map((row) => row.userId);
    });
    if (!setters) return 0;
    await send(session.id, "reminder", setters, showParams(session));
    return setters.length;
  }

  /**
   * A show whose start is long past without going live (or that ended) will never be reminded of:
   * its reminder is claimed with no recipients, so the job stops loading it every minute. Its
   * "started" notice is a claim of its own and still goes out if the room starts after all.
   */
  async function retire(sessionId: string) {
    await database.write((tx) => claim(tx, sessionId, "reminder"));
  }

  return {
    /**
     * The reminder job: each show starting within the next REMIND_BEFORE minutes that has reminders
     * gets its reminder sent once. Returns how many notices went out.
     */
    async remindersDue(): Promise<number> {
      const now = clock.now().getTime();
      const until = now + remindBeforeMinutes * 60_000;
      let sent = 0;
      for (const sessionId of await showsAwaitingReminder()) {
        const session = await sessionOrNull(sessionId);
        if (!session) {
          // The show is gone (purged): nothing to remind of, and no reason to look again every minute.
          await database.write((tx) => tx.delete(showReminders).where(eq(showReminders.sessionId, sessionId)));
          continue;
        }
        const startsAt = session.scheduledAt.getTime();
        if (session.status === "scheduled" && startsAt > now && startsAt <= until) sent += await remind(session);
        else if (session.status === "ended" || (session.status === "scheduled" && startsAt + remindBeforeMinutes * 60_000 <= now)) await retire(session.id);
      }
      return sent;
    },

    /**
     * LiveKit says the show's room started: its host's followers, its store's followers and those who
     * asked for a reminder each get one "show.started" notice, once per show. Returns how many.
     */
    async announceRoomStarted(sessionId: string): Promise<number> {
      const session = await live.getSession(sessionId);
      const recipients = await database.write(async (tx) => {
        if (!(await claim(tx, sessionId, "started"))) return null;
        const followers = await tx
          .select({ userId: follows.userId })
          .from(follows)
          .where(
            or(
              and(eq(follows.targetType, "host"), eq(follows.targetId, session.host.id)),
              and(eq(follows.targetType, "store"), eq(follows.targetId, session.store.id)),
            ),
          );
        const setters = await tx.select({ userId: showReminders.userId }).from(showReminders).where(eq(showReminders.sessionId, sessionId));
        await tx.update(showReminders).set({ remindedAt: clock.now() }).where(and(eq(showReminders.sessionId, sessionId), isNull(showReminders.remindedAt)));
        return [...new Set([...followers, ...setters].map((row) => row.userId))].filter((userId) => userId !== session.host.id);
      });
      if (!recipients) return 0;
      await send(sessionId, "started", recipients, showParams(session));
      return recipients.length;
    },
  };
}

export type ShowNotices = ReturnType<typeof createShowNotices>;
