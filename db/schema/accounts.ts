// Accounts, roles and sessions: owned by src/accounts (the platform's identity service).
import { sqliteTable, text, integer, primaryKey, index } from "drizzle-orm/sqlite-core";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  displayName: text("display_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  locale: text("locale"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const userRoles = sqliteTable(
  "user_roles",
  {
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["shopper", "host", "merchant", "officer", "admin"] }).notNull(),
    grantedAt: integer("granted_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

/** A session row is keyed by the SHA-256 of the token in the cookie, so a leaked table holds no usable tokens. */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Failed sign-ins, counted per email to slow password guessing; old rows are pruned on each failure. */
export const failedSignIns = sqliteTable(
  "failed_sign_ins",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("failed_sign_ins_email_idx").on(t.email, t.at)],
);

/**
 * A user's in-app inbox: compliance warnings now, show reminders later. A notice is stored as a
 * message kind and its parameters, and rendered in the reader's language.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    /** The kind's parameters, as JSON. */
    params: text("params").notNull(),
    /** Where the notice leads ("/studio/…"), if anywhere. */
    link: text("link"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    readAt: integer("read_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.createdAt)],
);
