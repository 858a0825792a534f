// The store till: paired devices, their pairing codes, the nonces of signed requests and every store
// transaction a device relayed, with the codes the server could not match. Owned by modules/pos.
import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, primaryKey, index, check } from "drizzle-orm/sqlite-core";

const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });

/**
 * A device beside a till. The server recomputes each request's HMAC, so it keeps the secret itself:
 * sealed (AES-GCM under DATA_KEY, src/platform/sealing.ts), never hashed.
 */
export const posDevices = sqliteTable(
  "pos_devices",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull(),
    name: text("name").notNull(),
    /** Null until the device is paired. */
    secretSealed: text("secret_sealed"),
    status: text("status", { enum: ["active", "revoked"] }).notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at").notNull(),
    pairedAt: timestamp("paired_at"),
    lastSeenAt: timestamp("last_seen_at"),
    /** The highest sequence the device has delivered (0 before its first batch). */
    lastSequence: integer("last_sequence").notNull().default(0),
    revokedAt: timestamp("revoked_at"),
    revokedBy: text("revoked_by"),
  },
  (t) => [index("pos_devices_store_idx").on(t.storeId, t.createdAt)],
);

/** A short single-use code staff read out to pair a device; only its SHA-256 is kept. */
export const posPairingCodes = sqliteTable(
  "pos_pairing_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    deviceId: text("device_id").notNull().references(() => posDevices.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at").notNull(),
    usedAt: timestamp("used_at"),
  },
  (t) => [index("pos_pairing_codes_device_idx").on(t.deviceId)],
);

/** Nonces of signed requests seen in the last minutes (older ones are pruned; their timestamps are stale anyway). */
export const posNonces = sqliteTable(
  "pos_nonces",
  {
    deviceId: text("device_id").notNull(),
    nonce: text("nonce").notNull(),
    seenAt: timestamp("seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.nonce] }), index("pos_nonces_seen_idx").on(t.seenAt)],
);

/** Every store transaction a device relayed, once per (device, sequence), exactly as received. */
export const posTransactions = sqliteTable(
  "pos_transactions",
  {
    deviceId: text("device_id").notNull().references(() => posDevices.id),
    sequence: integer("sequence").notNull(),
    storeId: text("store_id").notNull(),
    kind: text("kind", { enum: ["sale", "refund"] }).notNull(),
    receiptNo: text("receipt_no").notNull(),
    at: timestamp("at").notNull(),
    /** The StoreTransaction as the device sent it (JSON). */
    payload: text("payload").notNull(),
    totalFen: integer("total_fen").notNull(),
    currency: text("currency").notNull(),
    /** recorded: an order exists; mismatch: waiting for staff to match codes; resolved: recorded after staff matched them. */
    status: text("status", { enum: ["recorded", "mismatch", "resolved"] }).notNull(),
    orderId: text("order_id"),
    receivedAt: timestamp("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.sequence] }), index("pos_transactions_store_idx").on(t.storeId, t.receivedAt), check("pos_transactions_sequence_positive", sql`${t.sequence} > 0`)],
);

/**
 * Something staff must look at: a code the store's catalog does not know (the transaction waits
 * for it), or a sale of more units than the stock held (recorded anyway: the goods left the shop).
 */
export const posMismatches = sqliteTable(
  "pos_mismatches",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull(),
    deviceId: text("device_id").notNull(),
    sequence: integer("sequence").notNull(),
    reason: text("reason", { enum: ["unknown_code", "short_stock"] }).notNull(),
    /** The code as the till printed it (unknown_code), or the SKU's code (short_stock). */
    code: text("code").notNull(),
    quantity: integer("quantity").notNull(),
    status: text("status", { enum: ["open", "resolved"] }).notNull(),
    resolvedSkuId: text("resolved_sku_id"),
    resolvedBy: text("resolved_by"),
    resolvedAt: timestamp("resolved_at"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("pos_mismatches_store_idx").on(t.storeId, t.status, t.createdAt), index("pos_mismatches_tx_idx").on(t.deviceId, t.sequence)],
);
