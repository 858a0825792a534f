// Live sessions: scheduling, the scheduled → live → ended lifecycle, and the line-up of products.
// Owns db/schema/live.ts. Hosts' names come from accounts, stores from the orders catalog.
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { liveSessionProducts, liveSessions } from "../../db/schema/live.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import { imageExtensions, isStorageKey, sniffImageType, type Catalog, type ImageStore, type Store, type StoredImage } from "../orders/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { DomainError, NotFound } from "../../src/platform/errors.ts";
import { InvalidTransition, NotTheHost } from "./errors.ts";
import { newId } from "../../src/platform/ids.ts";

export type LiveStatus = (typeof liveSessions.$inferSelect)["status"];

export interface LiveSession {
  id: string;
  /** Blank when a compliance officer removed it: pages then show a neutral title. */
  title: string;
  titleRemoved: boolean;
  /** Where the cover picture is served, if the show has one. */
  coverUrl: string | null;
  status: LiveStatus;
  scheduledAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  host: { id: string; name: string };
  store: Store;
  productIds: string[];
}

export interface SessionBoard {
  live: LiveSession[];
  upcoming: LiveSession[];
  finished: LiveSession[];
}

export { InvalidTransition };

export interface Live {
  scheduleSession(actor: Actor, input: { storeId: string; hostId: string; title: string; scheduledAt: Date; productIds: string[] }): Promise<LiveSession>;
  startSession(actor: Actor, id: string): Promise<void>;
  endSession(actor: Actor, id: string): Promise<void>;
  getSession(id: string): Promise<LiveSession>;
  board(limitEach: number): Promise<SessionBoard>;
  /** Gives the show a cover picture (checked by its bytes: JPEG, PNG or WebP, at most 5 MB). */
  setCover(actor: Actor, id: string, bytes: Uint8Array): Promise<void>;
  /** The cover picture's bytes, by the key its URL names. */
  openCover(key: string): Promise<StoredImage | null>;
  /** The id of a store's show that is live now, if any (one indexed query: the till display polls it). */
  liveSessionIdOf(storeId: string): Promise<string | null>;
  /** A host's own shows, newest first. */
  sessionsOfHost(hostId: string, limit?: number): Promise<LiveSession[]>;
  /** The host gives the show a new title (also after an officer removed the old one). */
  retitleSession(actor: Actor, id: string, title: string): Promise<LiveSession>;
  /**
   * A compliance officer's removal: the title is blanked. False when it was already removed, or when
   * `flaggedTitle` is given and the host has renamed the show since (the new title is not the one judged).
   */
  removeTitle(actor: Actor, id: string, flaggedTitle?: string): Promise<boolean>;
}

/** A cover that is not a picture, or too large. */
export class CoverRejected extends DomainError {
  constructor() {
    super(422, "cover_rejected", "live.schedule.cover_invalid");
  }
}

export const COVER_MAX_BYTES = 5 * 1024 * 1024;

interface Deps {
  images: ImageStore;
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  catalog: Catalog;
  hostNames: (ids: readonly string[]) => Promise<Map<string, string>>;
}

export function createLive({ database, audit, clock, catalog, hostNames, images }: Deps): Live {
  const { db } = database;

  async function hydrate(rows: (typeof liveSessions.$inferSelect)[]): Promise<LiveSession[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const lineUps = await db.select().from(liveSessionProducts).where(inArray(liveSessionProducts.sessionId, ids)).orderBy(asc(liveSessionProducts.position));
    const names = await hostNames([...new Set(rows.map((row) => row.hostId))]);
    const storeIds = [...new Set(rows.map((row) => row.storeId))];
    const storeList = await Promise.all(storeIds.map((id) => catalog.getStore(id)));
    const storesById = new Map(storeList.map((store) => [store.id, store]));
    return rows.map((row) => ({
      id: row.id,
      title: row.titleRemovedAt ? "" : row.title,
      titleRemoved: row.titleRemovedAt !== null,
      coverUrl: row.coverKey ? `/media/covers/${row.coverKey}` : null,
      status: row.status,
      scheduledAt: row.scheduledAt,
      startedAt: row.startedAt,
      endedAt: row.endedAt,
      host: { id: row.hostId, name: names.get(row.hostId) ?? "—" },
      store: storesById.get(row.storeId)!,
      productIds: lineUps.filter((item) => item.sessionId === row.id).map((item) => item.productId),
    }));
  }

  async function transition(actor: Actor, id: string, from: LiveStatus, to: LiveStatus, stamp: "startedAt" | "endedAt") {
    const now = clock.now();
    await database.write(async (tx) => {
      const changed = await tx
        .update(liveSessions)
        .set({ status: to, [stamp]: now })
        .where(and(eq(liveSessions.id, id), eq(liveSessions.status, from)))
        .returning({ id: liveSessions.id });
      if (changed.length === 0) {
        const [exists] = await tx.select({ id: liveSessions.id }).from(liveSessions).where(eq(liveSessions.id, id));
        throw exists ? new InvalidTransition() : new NotFound("live_session_not_found");
      }
      await audit.record(tx, { actor, action: `live.${to === "live" ? "started" : "ended"}`, subject: `live_session:${id}`, data: { from, to } });
    });
  }

  return {
    async scheduleSession(actor, input) {
      const now = clock.now();
      const id = newId("liv", now.getTime());
      await catalog.getStore(input.storeId);
      await database.write(async (tx) => {
        await tx.insert(liveSessions).values({ id, storeId: input.storeId, hostId: input.hostId, title: input.title, status: "scheduled", scheduledAt: input.scheduledAt, createdAt: now });
        if (input.productIds.length) {
          await tx.insert(liveSessionProducts).values(input.productIds.map((productId, position) => ({ sessionId: id, productId, position })));
        }
        await audit.record(tx, {
          actor,
          action: "live.scheduled",
          subject: `live_session:${id}`,
          data: { title: input.title, hostId: input.hostId, storeId: input.storeId, scheduledAt: input.scheduledAt, productIds: input.productIds },
        });
      });
      return this.getSession(id);
    },

    startSession: (actor, id) => transition(actor, id, "scheduled", "live", "startedAt"),
    endSession: (actor, id) => transition(actor, id, "live", "ended", "endedAt"),

    async getSession(id) {
      const [session] = await hydrate(await db.select().from(liveSessions).where(eq(liveSessions.id, id)));
      if (!session) throw new NotFound("live_session_not_found");
      return session;
    },

    async setCover(actor, id, bytes) {
      const type = sniffImageType(bytes);
      if (!type || bytes.length > COVER_MAX_BYTES) throw new CoverRejected();
      const [row] = await db.select({ coverKey: liveSessions.coverKey }).from(liveSessions).where(eq(liveSessions.id, id));
      if (!row) throw new NotFound("live_session_not_found");
      const key = `${newId("cov", clock.now().getTime())}.${imageExtensions[type]}`;
      await images.put(key, bytes, type);
      await database.write(async (tx) => {
        await tx.update(liveSessions).set({ coverKey: key }).where(eq(liveSessions.id, id));
        await audit.record(tx, { actor, action: "live.cover_set", subject: `live_session:${id}`, data: { key, bytes: bytes.length, type } });
      });
      if (row.coverKey) await images.delete(row.coverKey).catch(() => undefined);
    },

    async openCover(key) {
      if (!isStorageKey(key) || !key.startsWith("cov_")) return null;
      return images.get(key);
    },

    async retitleSession(actor, id, title) {
      await database.write(async (tx) => {
        const [row] = await tx.select({ hostId: liveSessions.hostId, title: liveSessions.title }).from(liveSessions).where(eq(liveSessions.id, id));
        if (!row) throw new NotFound("live_session_not_found");
        if (actor.type !== "user" || actor.id !== row.hostId) throw new NotTheHost();
        await tx.update(liveSessions).set({ title, titleRemovedAt: null }).where(eq(liveSessions.id, id));
        await audit.record(tx, { actor, action: "live.retitled", subject: `live_session:${id}`, data: { title } });
      });
      return this.getSession(id);
    },

    async removeTitle(actor, id, flaggedTitle) {
      const now = clock.now();
      return database.write(async (tx) => {
        const [row] = await tx.select({ title: liveSessions.title, titleRemovedAt: liveSessions.titleRemovedAt }).from(liveSessions).where(eq(liveSessions.id, id));
        if (!row) throw new NotFound("live_session_not_found");
        if (row.titleRemovedAt || (flaggedTitle !== undefined && row.title !== flaggedTitle)) return false;
        await tx.update(liveSessions).set({ title: "", titleRemovedAt: now }).where(eq(liveSessions.id, id));
        await audit.record(tx, { actor, action: "live.title_removed", subject: `live_session:${id}`, data: {} });
        return true;
      });
    },

    async liveSessionIdOf(storeId) {
      const [row] = await db
        .select({ id: liveSessions.id })
        .from(liveSessions)
        .where(and(eq(liveSessions.storeId, storeId), eq(liveSessions.status, "live")))
        .orderBy(desc(liveSessions.startedAt))
        .limit(1);
      return row?.id ?? null;
    },

    async sessionsOfHost(hostId, limit = 50) {
      return hydrate(await db.select().from(liveSessions).where(eq(liveSessions.hostId, hostId)).orderBy(desc(liveSessions.scheduledAt)).limit(limit));
    },

    async board(limitEach) {
      const [live, upcoming, finished] = await Promise.all([
        db.select().from(liveSessions).where(eq(liveSessions.status, "live")).orderBy(desc(liveSessions.startedAt)).limit(limitEach),
        db.select().from(liveSessions).where(eq(liveSessions.status, "scheduled")).orderBy(asc(liveSessions.scheduledAt)).limit(limitEach),
        db.select().from(liveSessions).where(eq(liveSessions.status, "ended")).orderBy(desc(liveSessions.endedAt)).limit(limitEach),
      ]);
      const [liveNow, next, past] = await Promise.all([hydrate(live), hydrate(upcoming), hydrate(finished)]);
      return { live: liveNow, upcoming: next, finished: past };
    },
  };
}
