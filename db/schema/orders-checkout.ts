// Carts, orders, coupons, payments and after-sales: owned by modules/orders (with db/schema/orders.ts).
import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, primaryKey, index, uniqueIndex, check } from "drizzle-orm/sqlite-core";
import { products, skus, stores } from "./orders.ts";

const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });

export const cartItems = sqliteTable(
  "cart_items",
  {
    userId: text("user_id").notNull(),
    skuId: text("sku_id").notNull().references(() => skus.id, { onDelete: "cascade" }),
    quantity: integer("quantity").notNull(),
    addedAt: timestamp("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.skuId] }), check("cart_items_quantity_positive", sql`${t.quantity} > 0`)],
);

export const orderStatuses = ["pending_payment", "paid", "shipped", "delivered", "completed", "cancelled", "expired", "refunded"] as const;
export const saleChannels = ["storefront", "live", "store"] as const;
/** `offline`: paid in the store or on delivery, confirmed by merchant staff. */
export const paymentMethods = ["card", "offline"] as const;

export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    /** Shown to shoppers and staff: "BC" + date + sequence-free random digits. */
    number: text("number").notNull().unique(),
    userId: text("user_id").notNull(),
    storeId: text("store_id").notNull().references(() => stores.id),
    channel: text("channel", { enum: saleChannels }).notNull(),
    liveSessionId: text("live_session_id"),
    status: text("status", { enum: orderStatuses }).notNull(),
    paymentMethod: text("payment_method", { enum: paymentMethods }).notNull(),
    currency: text("currency").notNull(),
    subtotalFen: integer("subtotal_fen").notNull(),
    discountFen: integer("discount_fen").notNull(),
    shippingFen: integer("shipping_fen").notNull(),
    totalFen: integer("total_fen").notNull(),
    couponClaimId: text("coupon_claim_id"),
    /** The part of discountFen paid with membership points (1 point = 1 fen); the social module keeps the points ledger. */
    pointsFen: integer("points_fen").notNull().default(0),
    /**
     * Set while the order may not ship for a reason other than risk control: "group_buy" until its
     * group fills. Paid orders in this state are confirmed or refunded by the module that set it.
     */
    fulfilmentHold: text("fulfilment_hold", { enum: ["group_buy"] }),
    /** The shipping address, sealed (AES-GCM) because it is personal data. */
    addressSealed: text("address_sealed").notNull(),
    /** A keyed hash (HMAC) of the normalised shipping address, so risk rules can count orders per address without opening seals. */
    addressKey: text("address_key"),
    idempotencyKey: text("idempotency_key").notNull(),
    /** Where the order was placed from, for the risk rules (velocity per IP and per browser). */
    clientIp: text("client_ip"),
    clientDevice: text("client_device"),
    carrier: text("carrier"),
    trackingNumber: text("tracking_number"),
    createdAt: timestamp("created_at").notNull(),
    expiresAt: timestamp("expires_at").notNull(),
    paidAt: timestamp("paid_at"),
    shippedAt: timestamp("shipped_at"),
    deliveredAt: timestamp("delivered_at"),
    completedAt: timestamp("completed_at"),
    closedAt: timestamp("closed_at"),
  },
  (t) => [
    uniqueIndex("orders_idempotency_idx").on(t.userId, t.idempotencyKey),
    index("orders_user_idx").on(t.userId, t.createdAt),
    index("orders_store_idx").on(t.storeId, t.status, t.createdAt),
    index("orders_expiry_idx").on(t.status, t.expiresAt),
    index("orders_address_key_idx").on(t.addressKey, t.createdAt),
    check("orders_amounts", sql`${t.subtotalFen} >= 0 AND ${t.discountFen} >= 0 AND ${t.shippingFen} >= 0 AND ${t.totalFen} = ${t.subtotalFen} - ${t.discountFen} + ${t.shippingFen} AND ${t.totalFen} >= 0`),
  ],
);

export const orderItems = sqliteTable(
  "order_items",
  {
    orderId: text("order_id").notNull().references(() => orders.id, { onDelete: "cascade" }),
    skuId: text("sku_id").notNull().references(() => skus.id),
    productId: text("product_id").notNull().references(() => products.id),
    titleZh: text("title_zh").notNull(),
    titleEn: text("title_en").notNull(),
    optionZh: text("option_zh").notNull(),
    optionEn: text("option_en").notNull(),
    skuCode: text("sku_code").notNull(),
    unitPriceFen: integer("unit_price_fen").notNull(),
    quantity: integer("quantity").notNull(),
    /** This line's share of the order's discount (see modules/orders/pricing.ts for the rounding rule). */
    discountFen: integer("discount_fen").notNull(),
    /** The flash sale whose price this line was sold at, if any. */
    flashSaleId: text("flash_sale_id"),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.skuId] }), check("order_items_quantity_positive", sql`${t.quantity} > 0`)],
);

export const coupons = sqliteTable(
  "coupons",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull().references(() => stores.id),
    code: text("code").notNull().unique(),
    nameZh: text("name_zh").notNull(),
    nameEn: text("name_en").notNull(),
    kind: text("kind", { enum: ["amount_off", "percent_off"] }).notNull(),
    /** amount_off: fen taken off; percent_off: whole percent (15 = 15 % off). */
    value: integer("value").notNull(),
    /** The order's eligible subtotal must reach this (满减 threshold); 0 for none. */
    minSpendFen: integer("min_spend_fen").notNull(),
    /** percent_off only: the most it takes off, or null. */
    capFen: integer("cap_fen"),
    audience: text("audience", { enum: ["everyone", "new_shoppers"] }).notNull(),
    scope: text("scope", { enum: ["store", "products", "live_session"] }).notNull(),
    liveSessionId: text("live_session_id"),
    startsAt: timestamp("starts_at").notNull(),
    endsAt: timestamp("ends_at").notNull(),
    perShopperLimit: integer("per_shopper_limit").notNull(),
    totalLimit: integer("total_limit").notNull(),
    claimedCount: integer("claimed_count").notNull(),
    active: integer("active", { mode: "boolean" }).notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    index("coupons_store_idx").on(t.storeId),
    check("coupons_claims_within_limit", sql`${t.claimedCount} >= 0 AND ${t.claimedCount} <= ${t.totalLimit}`),
    check("coupons_value", sql`${t.value} > 0 AND (${t.kind} <> 'percent_off' OR ${t.value} < 100)`),
  ],
);

export const couponProducts = sqliteTable(
  "coupon_products",
  {
    couponId: text("coupon_id").notNull().references(() => coupons.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.couponId, t.productId] })],
);

/** A coupon in a shopper's hands; used by at most one order. */
export const couponClaims = sqliteTable(
  "coupon_claims",
  {
    id: text("id").primaryKey(),
    couponId: text("coupon_id").notNull().references(() => coupons.id),
    userId: text("user_id").notNull(),
    claimedAt: timestamp("claimed_at").notNull(),
    orderId: text("order_id").unique(),
    usedAt: timestamp("used_at"),
  },
  (t) => [index("coupon_claims_user_idx").on(t.userId, t.couponId)],
);

export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull().references(() => orders.id),
    provider: text("provider", { enum: ["stripe", "offline"] }).notNull(),
    /** The provider's id: a Stripe PaymentIntent id; null for offline payments. */
    providerRef: text("provider_ref").unique(),
    status: text("status", { enum: ["pending", "succeeded", "failed", "cancelled"] }).notNull(),
    amountFen: integer("amount_fen").notNull(),
    currency: text("currency").notNull(),
    /** Who confirmed an offline payment. */
    confirmedBy: text("confirmed_by"),
    createdAt: timestamp("created_at").notNull(),
    updatedAt: timestamp("updated_at").notNull(),
  },
  (t) => [index("payments_order_idx").on(t.orderId)],
);

export const afterSales = sqliteTable(
  "after_sales",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull().references(() => orders.id),
    kind: text("kind", { enum: ["refund_only", "return_and_refund"] }).notNull(),
    reason: text("reason").notNull(),
    status: text("status", { enum: ["requested", "approved", "rejected", "refunded"] }).notNull(),
    amountFen: integer("amount_fen").notNull(),
    decidedBy: text("decided_by"),
    decisionNote: text("decision_note"),
    providerRefundRef: text("provider_refund_ref"),
    createdAt: timestamp("created_at").notNull(),
    decidedAt: timestamp("decided_at"),
    /** return_and_refund: when staff confirmed the goods came back (and the units returned to stock). */
    returnedAt: timestamp("returned_at"),
    refundedAt: timestamp("refunded_at"),
  },
  (t) => [index("after_sales_order_idx").on(t.orderId), index("after_sales_status_idx").on(t.status, t.createdAt)],
);

/** Provider webhook events already handled, so a redelivered event changes nothing. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    receivedAt: timestamp("received_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })],
);

/**
 * A flash sale in a live session: `units` of one SKU at `priceFen` until `endsAt`. The units are a
 * cap on top of the SKU's one stock; `sold` rises by a conditional update in the order's transaction.
 */
export const flashSales = sqliteTable(
  "flash_sales",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull().references(() => stores.id),
    liveSessionId: text("live_session_id").notNull(),
    skuId: text("sku_id").notNull().references(() => skus.id),
    priceFen: integer("price_fen").notNull(),
    units: integer("units").notNull(),
    sold: integer("sold").notNull(),
    startsAt: timestamp("starts_at").notNull(),
    endsAt: timestamp("ends_at").notNull(),
    /** Set when the host stops the sale early. */
    stoppedAt: timestamp("stopped_at"),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    index("flash_sales_session_idx").on(t.liveSessionId, t.skuId, t.endsAt),
    check("flash_sales_units", sql`${t.sold} >= 0 AND ${t.sold} <= ${t.units} AND ${t.priceFen} >= 0`),
  ],
);

/** An order the risk rules flagged: it cannot ship until an officer releases it (or cancels it). */
export const orderHolds = sqliteTable("order_holds", {
  orderId: text("order_id").primaryKey().references(() => orders.id),
  /** The rules that fired, as JSON [{ rule, detail }]. */
  reasons: text("reasons").notNull(),
  status: text("status", { enum: ["held", "released", "cancelled"] }).notNull(),
  createdAt: timestamp("created_at").notNull(),
  decidedBy: text("decided_by"),
  decidedAt: timestamp("decided_at"),
  note: text("note"),
});

/** Officers' thresholds for the risk rules, by rule name; the code's defaults apply where none is set. */
export const riskSettings = sqliteTable("risk_settings", {
  rule: text("rule").primaryKey(),
  value: integer("value").notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});
