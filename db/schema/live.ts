// Live sessions and their product line-ups: owned by modules/live.
import { sqliteTable, text, integer, primaryKey, index } from "drizzle-orm/sqlite-core";

export const liveSessions = sqliteTable(
  "live_sessions",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull(),
    hostId: text("host_id").notNull(),
    title: text("title").notNull(),
    status: text("status", { enum: ["scheduled", "live", "ended"] }).notNull(),
    scheduledAt: integer("scheduled_at", { mode: "timestamp_ms" }).notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
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
