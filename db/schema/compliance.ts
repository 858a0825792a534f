// The audit trail: owned by modules/compliance. Rows are only ever appended.
import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

export const auditEntries = sqliteTable("audit_entries", {
  seq: integer("seq").primaryKey(),
  at: integer("at", { mode: "timestamp_ms" }).notNull(),
  actorType: text("actor_type", { enum: ["user", "device", "system"] }).notNull(),
  actorId: text("actor_id").notNull(),
  action: text("action").notNull(),
  subject: text("subject").notNull(),
  data: text("data").notNull(),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull(),
});

/**
 * The newest entry's sequence number and hash, updated with every append. The chain alone
 * cannot show that its newest entries were deleted; comparing its end with this row can.
 */
export const auditHead = sqliteTable("audit_head", {
  id: integer("id").primaryKey(),
  seq: integer("seq").notNull(),
  hash: text("hash").notNull(),
});

/** Hosts' real-name verification: only an approved host may go live. Officers review it (compliance pages). */
export const hostVerifications = sqliteTable("host_verifications", {
  userId: text("user_id").primaryKey(),
  status: text("status", { enum: ["pending", "approved", "rejected"] }).notNull(),
  /** The legal name as submitted, sealed at rest (personal data). */
  realNameSealed: text("real_name_sealed"),
  /** The ID card number, sealed at rest. */
  idNumberSealed: text("id_number_sealed"),
  /** The ID document picture in the image store ("hvd_….jpg"); served to officers only. */
  documentKey: text("document_key"),
  reviewedBy: text("reviewed_by"),
  reviewedAt: integer("reviewed_at", { mode: "timestamp_ms" }),
  note: text("note"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

/** Officers' additions to the built-in banned-term list, and phrases allowed despite it. */
export const complianceTerms = sqliteTable("compliance_terms", {
  term: text("term").primaryKey(),
  kind: text("kind", { enum: ["banned", "allowed"] }).notNull(),
  category: text("category", { enum: ["absolute", "medical", "guarantee"] }),
  addedBy: text("added_by").notNull(),
  addedAt: integer("added_at", { mode: "timestamp_ms" }).notNull(),
});

/** Content the term list flagged (product copy, show titles, chat), waiting for an officer's decision. */
export const moderationFlags = sqliteTable("moderation_flags", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: ["product", "live_title", "chat"] }).notNull(),
  subjectId: text("subject_id").notNull(),
  storeId: text("store_id"),
  /** Who wrote the content (the merchant who saved the product, the show's host, the chat's poster): the one a warning reaches. */
  authorId: text("author_id"),
  field: text("field").notNull(),
  text: text("text").notNull(),
  /** The matched terms, as JSON. */
  terms: text("terms").notNull(),
  status: text("status", { enum: ["open", "dismissed", "removed", "warned"] }).notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  decidedBy: text("decided_by"),
  decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
  note: text("note"),
});

/** Shoppers' requests about their personal data (erasure), with the date they must be answered by. */
export const personalDataRequests = sqliteTable("personal_data_requests", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull(),
  kind: text("kind", { enum: ["erasure"] }).notNull(),
  status: text("status", { enum: ["open", "done", "refused"] }).notNull(),
  requestedAt: integer("requested_at", { mode: "timestamp_ms" }).notNull(),
  dueAt: integer("due_at", { mode: "timestamp_ms" }).notNull(),
  decidedBy: text("decided_by"),
  decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
  note: text("note"),
});
