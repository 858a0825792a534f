// Retention of live-session records: shows that ended (or were scheduled and never held) before the
// cutoff are deleted with their line-ups, chat and removed-viewer lists, and
// their cover pictures. Orders keep the session's id as a plain reference: the financial record
// stays with the orders module for as long as the law wants it.
import { and, eq, inArray, isNull, lt, or } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { liveChatMessages, liveRemovedViewers, liveSessionProducts, liveSessions, liveWebhookEvents } from "../../db/schema/live.ts";
import type { ImageStore } from "../orders/index.ts";

const BATCH = 200;

export function createSessionRetention({ database, images }: { database: Database; images: ImageStore }) {
  const expired = (cutoff: Date) =>
    or(
      and(eq(liveSessions.status, "ended"), lt(liveSessions.endedAt, cutoff)),
      // An ended show always has endedAt; this covers rows ended before that column was filled.
      and(eq(liveSessions.status, "ended"), isNull(liveSessions.endedAt), lt(liveSessions.scheduledAt, cutoff)),
      and(eq(liveSessions.status, "scheduled"), lt(liveSessions.scheduledAt, cutoff)),
    );

  return {
    /** Deletes expired sessions in batches; returns how many went. Shows on air are never touched. */
    async purgeSessionsBefore(cutoff: Date): Promise<number> {
      let purged = 0;
      for (;;) {
        const batch = await database.write(async (tx) => {
          const rows = await tx.select({ id: liveSessions.id, coverKey: liveSessions.coverKey }).from(liveSessions).where(expired(cutoff)).limit(BATCH);
          const ids = rows.map((row) => row.id);
          if (ids.length > 0) {
            // Children first, explicitly: SQLite enforces the cascades only where foreign keys are switched on.
            await tx.delete(liveChatMessages).where(inArray(liveChatMessages.sessionId, ids));
            await tx.delete(liveRemovedViewers).where(inArray(liveRemovedViewers.sessionId, ids));
            await tx.delete(liveSessionProducts).where(inArray(liveSessionProducts.sessionId, ids));
            await tx.delete(liveSessions).where(inArray(liveSessions.id, ids));
          }
          return rows;
        });
        for (const row of batch) if (row.coverKey) await images.delete(row.coverKey).catch(() => undefined);
        purged += batch.length;
        if (batch.length < BATCH) return purged;
      }
    },

    /** LiveKit webhook ids are kept to refuse redeliveries; past the cutoff none will come. */
    async purgeWebhookEventsBefore(cutoff: Date): Promise<number> {
      return database.write(async (tx) => (await tx.delete(liveWebhookEvents).where(lt(liveWebhookEvents.receivedAt, cutoff))).rowsAffected);
    },
  };
}

export type SessionRetention = ReturnType<typeof createSessionRetention>;
