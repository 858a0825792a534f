// Live sessions and their product line-ups: owned by modules/live.
import { sqliteTable, text, integer, primaryKey, index } from "drizzle-orm/sqlite-core";

export const liveSessions = sqliteTable(
  "live_sessions",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull(),
    hostId: text("host_id").notNull(),
    title: text("title").notNull(),
    /** When a compliance officer removed the title (it is then blank, and pages show a neutral one). */
    titleRemovedAt: integer("title_removed_at", { mode: "timestamp_ms" }),
    status: text("status", { enum: ["scheduled", "live", "ended"] }).notNull(),
    scheduledAt: integer("scheduled_at", { mode: "timestamp_ms" }).notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    /** The show's cover picture in the image store ("cov_….jpg"), if the host gave one. */
    coverKey: text("cover_key"),
    /** The product the host has pinned in the room now, if any. */
    pinnedProductId: text("pinned_product_id"),
    likes: integer("likes").notNull().default(0),
    /** Participants other than the host, as LiveKit's webhooks last reported them. */
    viewersNow: integer("viewers_now").notNull().default(0),
    peakViewers: integer("peak_viewers").notNull().default(0),
    /** When LiveKit confirmed the room started and finished (webhooks), beside the host's own clicks. */
    roomStartedAt: integer("room_started_at", { mode: "timestamp_ms" }),
    roomFinishedAt: integer("room_finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("live_sessions_status_idx").on(t.status, t.scheduledAt)],
);

export const liveSessionProducts = sqliteTable(
  "live_session_products",
  {
    sessionId: text("session_id").notNull().references(() => liveSessions.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull(),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.productId] })],
);

/** Chat messages as posted: sent to the room, or refused with the reason (kept for the compliance officers). */
export const liveChatMessages = sqliteTable(
  "live_chat_messages",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id").notNull().references(() => liveSessions.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: ["sent", "refused"] }).notNull(),
    /** The banned terms a refused message contained, as JSON. */
    refusedTerms: text("refused_terms"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("live_chat_session_idx").on(t.sessionId, t.createdAt), index("live_chat_user_idx").on(t.userId, t.createdAt)],
);

/** Viewers the host muted (they watch but cannot post) or removed (they cannot rejoin or post either). */
export const liveRemovedViewers = sqliteTable(
  "live_removed_viewers",
  {
    sessionId: text("session_id").notNull().references(() => liveSessions.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    kind: text("kind", { enum: ["muted", "removed"] }).notNull().default("removed"),
    removedBy: text("removed_by").notNull(),
    removedAt: integer("removed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.userId] })],
);

/** LiveKit webhook events already applied, so a redelivered event changes nothing. */
export const liveWebhookEvents = sqliteTable("live_webhook_events", {
  eventId: text("event_id").primaryKey(),
  type: text("type").notNull(),
  roomName: text("room_name"),
  receivedAt: integer("received_at", { mode: "timestamp_ms" }).notNull(),
});
