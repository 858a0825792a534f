// A live room while it runs: who may join it and how (LiveKit tokens), the pinned product, likes,
// chat, removing a viewer, and LiveKit's webhooks. Everything the room shows is sent to it as LiveKit
// data packets by the server, so app instances keep no connection state.
import { and, count, eq, gt, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { liveChatMessages, liveRemovedViewers, liveSessionProducts, liveSessions, liveWebhookEvents } from "../../db/schema/live.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Logger } from "../../src/platform/logging.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { newId, } from "../../src/platform/ids.ts";
import { randomToken } from "../../src/platform/crypto.ts";
import { BroadcastUnavailable, ChatRefused, ChatTooFast, MutedInRoom, NotInLineUp, NotTheHost, RemovedFromRoom, SessionNotLive } from "./errors.ts";
import type { RoomGateway } from "./room-gateway.ts";
import type { Live } from "./service.ts";

/** At most this many chat messages per viewer in the window, and one per second. */
export const CHAT_LIMIT = { messages: 5, windowMs: 10_000, minGapMs: 1_000, maxLength: 200 } as const;

export interface RoomJoin {
  url: string;
  token: string;
  identity: string;
  roomName: string;
}

export interface ChatLine {
  id: string;
  userId: string;
  name: string;
  body: string;
  at: string;
}

/** A LiveKit webhook event, as the gateway's receiver parsed and verified it. */
export interface RoomEvent {
  id: string;
  event: string;
  roomName: string | null;
  participantIdentity: string | null;
}

/** A chat message refused for banned terms, as handed to the compliance officers' review queue. */
export interface RefusedChat {
  id: string;
  sessionId: string;
  storeId: string;
  userId: string;
  body: string;
}

/** What a chat message's body becomes when an officer removes it. */
export const REMOVED_CHAT_BODY = "—";

export interface RoomDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  live: Live;
  gateway: RoomGateway | null;
  /** The compliance module's banned-term check. */
  bannedTerms: (text: string) => string[];
  /** Puts a refused message in the compliance module's review queue. */
  flagRefusedChat?: (message: RefusedChat) => Promise<void>;
  log?: Logger;
  /** The compliance module's real-name verification of hosts. */
  hostApproved: (userId: string) => Promise<boolean>;
  hostNotVerified: () => Error;
  displayName: (userId: string) => Promise<string>;
  /** Told once per show, after LiveKit's first room_started for it (social sends "show started" notices). */
  onRoomStarted?: (sessionId: string) => Promise<void>;
}

export function createRooms(deps: RoomDeps) {
  const { database, audit, clock, live, gateway } = deps;
  const { db } = database;

  function needGateway(): RoomGateway {
    if (!gateway) throw new BroadcastUnavailable();
    return gateway;
  }

  async function sessionRow(sessionId: string) {
    const [row] = await db.select().from(liveSessions).where(eq(liveSessions.id, sessionId));
    if (!row) throw new NotFound("live_session_not_found");
    return row;
  }

  async function asHost(actor: Actor, sessionId: string) {
    const row = await sessionRow(sessionId);
    if (actor.type !== "user" || row.hostId !== actor.id) throw new NotTheHost();
    return row;
  }

  /** "muted" (may watch, not post), "removed" (neither), or null. */
  async function restriction(sessionId: string, userId: string): Promise<"muted" | "removed" | null> {
    const [row] = await db.select({ kind: liveRemovedViewers.kind }).from(liveRemovedViewers).where(and(eq(liveRemovedViewers.sessionId, sessionId), eq(liveRemovedViewers.userId, userId)));
    return row?.kind ?? null;
  }

  /** Sends to the room; a room nobody has joined yet, or a LiveKit hiccup, must not fail the action that caused it. */
  async function broadcast(sessionId: string, topic: string, payload: unknown): Promise<void> {
    if (!gateway) return;
    await gateway.sendData(sessionId, topic, payload).catch(() => undefined);
  }

  return {
    available: gateway !== null,
    broadcast,

    async goLive(actor: Actor, sessionId: string) {
      await asHost(actor, sessionId);
      if (!(await deps.hostApproved(actor.id))) throw deps.hostNotVerified();
      // The room outlives a dropped host connection for a while, so a reconnect finds it.
      await needGateway().ensureRoom(sessionId, { emptyTimeoutSec: 10 * 60, departureTimeoutSec: 60 });
      await live.startSession(actor, sessionId);
      await broadcast(sessionId, "status", { status: "live" });
    },

    async end(actor: Actor, sessionId: string) {
      await asHost(actor, sessionId);
      await live.endSession(actor, sessionId);
      await broadcast(sessionId, "status", { status: "ended" });
    },

    /** The host's way into their own room: publish camera and microphone. */
    async hostJoin(actor: Actor, sessionId: string): Promise<RoomJoin> {
      const row = await asHost(actor, sessionId);
      if (row.status !== "live") throw new SessionNotLive();
      const g = needGateway();
      return { url: g.url, token: await g.hostToken(sessionId, actor.id, await deps.displayName(actor.id)), identity: actor.id, roomName: sessionId };
    },

    /** A viewer's way in: watch only. Signed-in viewers join as themselves, others as a guest. */
    async viewerJoin(userId: string | null, sessionId: string): Promise<RoomJoin> {
      const row = await sessionRow(sessionId);
      if (row.status !== "live") throw new SessionNotLive();
      if (userId && (await restriction(sessionId, userId)) === "removed") throw new RemovedFromRoom();
      const g = needGateway();
      const identity = userId ?? `guest_${randomToken(9)}`;
      const name = userId ? await deps.displayName(userId) : "guest";
      return { url: g.url, token: await g.viewerToken(sessionId, identity, name), identity, roomName: sessionId };
    },

    async pin(actor: Actor, sessionId: string, productId: string | null) {
      await asHost(actor, sessionId);
      if (productId) {
        const [inLineUp] = await db.select().from(liveSessionProducts).where(and(eq(liveSessionProducts.sessionId, sessionId), eq(liveSessionProducts.productId, productId)));
        if (!inLineUp) throw new NotInLineUp();
      }
      await database.write(async (tx) => {
        await tx.update(liveSessions).set({ pinnedProductId: productId }).where(eq(liveSessions.id, sessionId));
        await audit.record(tx, { actor, action: productId ? "live.pinned" : "live.unpinned", subject: `live_session:${sessionId}`, data: { productId } });
      });
    },

    async like(sessionId: string): Promise<number> {
      const row = await sessionRow(sessionId);
      if (row.status !== "live") throw new SessionNotLive();
      const [updated] = await db.update(liveSessions).set({ likes: sql`${liveSessions.likes} + 1` }).where(eq(liveSessions.id, sessionId)).returning({ likes: liveSessions.likes });
      await broadcast(sessionId, "likes", { likes: updated!.likes });
      return updated!.likes;
    },

    /**
     * A chat message: checked (live show, not removed, not too fast, no banned terms), recorded, then
     * sent to the room. A refused message is recorded too, with its terms, for the compliance officers.
     */
    async chat(userId: string, sessionId: string, body: string): Promise<ChatLine> {
      const row = await sessionRow(sessionId);
      if (row.status !== "live") throw new SessionNotLive();
      const restricted = await restriction(sessionId, userId);
      if (restricted === "removed") throw new RemovedFromRoom();
      if (restricted === "muted") throw new MutedInRoom();
      const now = clock.now();
      const [recent] = await db
        .select({ n: count(), last: sql<number | null>`max(${liveChatMessages.createdAt})` })
        .from(liveChatMessages)
        .where(and(eq(liveChatMessages.sessionId, sessionId), eq(liveChatMessages.userId, userId), gt(liveChatMessages.createdAt, new Date(now.getTime() - CHAT_LIMIT.windowMs))));
      if (recent!.n >= CHAT_LIMIT.messages || (recent!.last !== null && now.getTime() - Number(recent!.last) < CHAT_LIMIT.minGapMs)) throw new ChatTooFast();
      const terms = deps.bannedTerms(body);
      const id = newId("chm", now.getTime());
      await db.insert(liveChatMessages).values({ id, sessionId, userId, body, status: terms.length ? "refused" : "sent", refusedTerms: terms.length ? JSON.stringify(terms) : null, createdAt: now });
      if (terms.length) {
        // The poster is told at once; a failed flag only loses the officers' review of this message.
        await deps.flagRefusedChat?.({ id, sessionId, storeId: row.storeId, userId, body }).catch((error: unknown) => deps.log?.error?.("live.chat_flag_failed", { messageId: id, error: String(error) }));
        throw new ChatRefused(terms);
      }
      const line: ChatLine = { id, userId, name: await deps.displayName(userId), body, at: now.toISOString() };
      await broadcast(sessionId, "chat", line);
      return line;
    },

    /** A compliance officer's removal of a chat message: its body is redacted; false when there is no such message. */
    async removeChatMessage(actor: Actor, messageId: string): Promise<boolean> {
      return database.write(async (tx) => {
        const [row] = await tx.select({ sessionId: liveChatMessages.sessionId, userId: liveChatMessages.userId }).from(liveChatMessages).where(eq(liveChatMessages.id, messageId));
        if (!row) return false;
        await tx.update(liveChatMessages).set({ body: REMOVED_CHAT_BODY }).where(eq(liveChatMessages.id, messageId));
        await audit.record(tx, { actor, action: "live.chat_removed", subject: `live_session:${row.sessionId}`, data: { messageId, userId: row.userId } });
        return true;
      });
    },

    /** Mutes a viewer (they keep watching, but cannot post) or removes them (disconnected, and cannot rejoin). */
    async restrictViewer(actor: Actor, sessionId: string, userId: string, kind: "muted" | "removed") {
      await asHost(actor, sessionId);
      const now = clock.now();
      await database.write(async (tx) => {
        await tx
          .insert(liveRemovedViewers)
          .values({ sessionId, userId, kind, removedBy: actor.id, removedAt: now })
          .onConflictDoUpdate({ target: [liveRemovedViewers.sessionId, liveRemovedViewers.userId], set: { kind, removedBy: actor.id, removedAt: now } });
        await audit.record(tx, { actor, action: kind === "removed" ? "live.viewer_removed" : "live.viewer_muted", subject: `live_session:${sessionId}`, data: { userId } });
      });
      if (kind === "removed") await gateway?.removeParticipant(sessionId, userId).catch(() => undefined);
    },

    /**
     * LiveKit's account of the room: started and finished, participants joining and leaving. A room
     * that finished while the show was live ends the show (the host's browser may be gone).
     */
    async applyEvent(event: RoomEvent): Promise<"applied" | "duplicate" | "ignored"> {
      if (!event.roomName) return "ignored";
      const sessionId = event.roomName;
      const now = clock.now();
      let firstRoomStart = false;
      const outcome = await database.write(async (tx) => {
        const first = await tx.insert(liveWebhookEvents).values({ eventId: event.id, type: event.event, roomName: sessionId, receivedAt: now }).onConflictDoNothing();
        if (first.rowsAffected === 0) return "duplicate" as const;
        const [row] = await tx.select().from(liveSessions).where(eq(liveSessions.id, sessionId));
        if (!row) return "ignored" as const;
        const viewer = event.participantIdentity !== null && event.participantIdentity !== row.hostId;
        switch (event.event) {
          case "room_started":
            firstRoomStart = row.roomStartedAt === null;
            await tx.update(liveSessions).set({ roomStartedAt: now }).where(eq(liveSessions.id, sessionId));
            return "applied" as const;
          case "room_finished":
            await tx.update(liveSessions).set({ roomFinishedAt: now, viewersNow: 0 }).where(eq(liveSessions.id, sessionId));
            if (row.status === "live") {
              await tx.update(liveSessions).set({ status: "ended", endedAt: now }).where(and(eq(liveSessions.id, sessionId), eq(liveSessions.status, "live")));
              await audit.record(tx, { actor: { type: "system", id: "livekit" }, action: "live.ended", subject: `live_session:${sessionId}`, data: { from: "live", to: "ended", by: "room_finished" } });
            }
            return "applied" as const;
          case "participant_joined":
            if (!viewer) return "ignored" as const;
            await tx
              .update(liveSessions)
              .set({ viewersNow: sql`${liveSessions.viewersNow} + 1`, peakViewers: sql`max(${liveSessions.peakViewers}, ${liveSessions.viewersNow} + 1)` })
              .where(eq(liveSessions.id, sessionId));
            return "applied" as const;
          case "participant_left":
            if (!viewer) return "ignored" as const;
            await tx.update(liveSessions).set({ viewersNow: sql`max(${liveSessions.viewersNow} - 1, 0)` }).where(eq(liveSessions.id, sessionId));
            return "applied" as const;
          default:
            return "ignored" as const;
        }
      });
      if (firstRoomStart && deps.onRoomStarted) {
        // LiveKit must not be answered with an error for what a listener failed to do: it would redeliver.
        await deps.onRoomStarted(sessionId).catch((error: unknown) => deps.log?.error?.("live.room_started_listener_failed", { sessionId, error: String(error) }));
      }
      if (outcome === "applied" && event.event.startsWith("participant_")) {
        const row = await sessionRow(sessionId);
        await broadcast(sessionId, "viewers", { viewersNow: row.viewersNow, peakViewers: row.peakViewers });
      }
      return outcome;
    },

    async stats(sessionId: string) {
      const row = await sessionRow(sessionId);
      return { likes: row.likes, viewersNow: row.viewersNow, peakViewers: row.peakViewers, pinnedProductId: row.pinnedProductId, status: row.status, hostId: row.hostId, storeId: row.storeId };
    },

    /** Retention: deletes chat messages (sent or refused) posted before `cutoff`; returns how many. */
    async purgeChatBefore(cutoff: Date): Promise<number> {
      return database.write(async (tx) => (await tx.delete(liveChatMessages).where(lt(liveChatMessages.createdAt, cutoff))).rowsAffected);
    },

    /** Erasure: deletes a user's chat messages (sent and refused) everywhere. */
    async eraseChatOf(userId: string): Promise<number> {
      return database.write(async (tx) => (await tx.delete(liveChatMessages).where(eq(liveChatMessages.userId, userId))).rowsAffected);
    },

    /** A user's own chat messages, for their personal-data export. */
    async chatOf(userId: string) {
      const rows = await db.select().from(liveChatMessages).where(eq(liveChatMessages.userId, userId)).orderBy(liveChatMessages.createdAt);
      return rows.map((row) => ({ id: row.id, sessionId: row.sessionId, body: row.body, status: row.status, at: row.createdAt.toISOString() }));
    },

    async recentChat(sessionId: string, limit = 30): Promise<ChatLine[]> {
      const rows = await db
        .select()
        .from(liveChatMessages)
        .where(and(eq(liveChatMessages.sessionId, sessionId), eq(liveChatMessages.status, "sent")))
        .orderBy(sql`${liveChatMessages.createdAt} desc`)
        .limit(limit);
      const lines = await Promise.all(rows.map(async (row) => ({ id: row.id, userId: row.userId, name: await deps.displayName(row.userId), body: row.body, at: row.createdAt.toISOString() })));
      return lines.reverse();
    },
  };
}

export type Rooms = ReturnType<typeof createRooms>;
