// Follows, show reminders, store communities, referral links, group buys, points and tiers: owned by
// modules/social. It learns about orders only through the orders service and its order events.
import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, primaryKey, index, uniqueIndex, check } from "drizzle-orm/sqlite-core";

const timestamp = (name: string) => integer(name, { mode: "timestamp_ms" });

/** A shopper follows a host or a store. */
export const follows = sqliteTable(
  "follows",
  {
    userId: text("user_id").notNull(),
    targetType: text("target_type", { enum: ["host", "store"] }).notNull(),
    targetId: text("target_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.targetType, t.targetId] }), index("follows_target_idx").on(t.targetType, t.targetId, t.createdAt)],
);

/** "Remind me" on a scheduled show; the reminder job and the room-started notice mark what they sent. */
export const showReminders = sqliteTable(
  "show_reminders",
  {
    userId: text("user_id").notNull(),
    sessionId: text("session_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
    remindedAt: timestamp("reminded_at"),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sessionId] }), index("show_reminders_session_idx").on(t.sessionId)],
);

/** Notices sent once per show: the reminder before it and the "room started" notice. */
export const showNotices = sqliteTable(
  "show_notices",
  {
    sessionId: text("session_id").notNull(),
    kind: text("kind", { enum: ["reminder", "started"] }).notNull(),
    sentAt: timestamp("sent_at").notNull(),
    recipients: integer("recipients").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.kind] })],
);

export const communityPosts = sqliteTable(
  "community_posts",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull(),
    authorId: text("author_id").notNull(),
    body: text("body").notNull(),
    /** A picture in the image store ("pst_….jpg"), if any. */
    imageKey: text("image_key"),
    /** A product card, if the post shows one. */
    productId: text("product_id"),
    /** An upcoming live session, if the post announces one. */
    sessionId: text("session_id"),
    status: text("status", { enum: ["visible", "removed"] }).notNull(),
    likes: integer("likes").notNull().default(0),
    comments: integer("comments").notNull().default(0),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("community_posts_store_idx").on(t.storeId, t.status, t.createdAt)],
);

export const communityComments = sqliteTable(
  "community_comments",
  {
    id: text("id").primaryKey(),
    postId: text("post_id").notNull().references(() => communityPosts.id, { onDelete: "cascade" }),
    authorId: text("author_id").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: ["visible", "removed"] }).notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("community_comments_post_idx").on(t.postId, t.createdAt), index("community_comments_author_idx").on(t.authorId)],
);

export const communityLikes = sqliteTable(
  "community_likes",
  {
    postId: text("post_id").notNull().references(() => communityPosts.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.userId] })],
);

/** Members a store's staff muted in its community: they read but cannot post, comment or like. */
export const communityMutes = sqliteTable(
  "community_mutes",
  {
    storeId: text("store_id").notNull(),
    userId: text("user_id").notNull(),
    mutedBy: text("muted_by").notNull(),
    mutedAt: timestamp("muted_at").notNull(),
    reason: text("reason"),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.userId] })],
);

/** A store's referral reward: points or a coupon for the sharer of a link that led to a paid order. */
export const referralPrograms = sqliteTable("referral_programs", {
  storeId: text("store_id").primaryKey(),
  rewardKind: text("reward_kind", { enum: ["points", "coupon"] }).notNull(),
  rewardPoints: integer("reward_points"),
  /** The orders module's coupon handed to the sharer. */
  rewardCouponId: text("reward_coupon_id"),
  windowDays: integer("window_days").notNull().default(7),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  updatedBy: text("updated_by").notNull(),
  updatedAt: timestamp("updated_at").notNull(),
});

/** A shopper's personal short link to a product or a live session. */
export const referralLinks = sqliteTable(
  "referral_links",
  {
    code: text("code").primaryKey(),
    userId: text("user_id").notNull(),
    targetType: text("target_type", { enum: ["product", "live_session"] }).notNull(),
    targetId: text("target_id").notNull(),
    storeId: text("store_id").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [uniqueIndex("referral_links_owner_idx").on(t.userId, t.targetType, t.targetId)],
);

/** A visit through a referral link, by the visitor's account or browser; the last one in the window wins. */
export const referralClicks = sqliteTable(
  "referral_clicks",
  {
    id: text("id").primaryKey(),
    code: text("code").notNull().references(() => referralLinks.code, { onDelete: "cascade" }),
    visitorUserId: text("visitor_user_id"),
    visitorDevice: text("visitor_device"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [index("referral_clicks_user_idx").on(t.visitorUserId, t.createdAt), index("referral_clicks_device_idx").on(t.visitorDevice, t.createdAt)],
);

/** What a paid order earned its referrer; one per order, reversed when the order is refunded. */
export const referralRewards = sqliteTable(
  "referral_rewards",
  {
    orderId: text("order_id").primaryKey(),
    code: text("code").notNull(),
    referrerId: text("referrer_id").notNull(),
    refereeId: text("referee_id").notNull(),
    storeId: text("store_id").notNull(),
    status: text("status", { enum: ["granted", "reversed", "refused"] }).notNull(),
    /** Why nothing was earned: "self_referral", "same_device", "same_address". */
    refusedReason: text("refused_reason"),
    points: integer("points"),
    couponClaimId: text("coupon_claim_id"),
    createdAt: timestamp("created_at").notNull(),
    reversedAt: timestamp("reversed_at"),
  },
  (t) => [index("referral_rewards_referrer_idx").on(t.referrerId, t.createdAt), index("referral_rewards_store_idx").on(t.storeId, t.createdAt)],
);

/** A merchant's group offer (拼团): a group price for one SKU when `groupSize` shoppers pay within the window. */
export const groupOffers = sqliteTable(
  "group_offers",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull(),
    productId: text("product_id").notNull(),
    skuId: text("sku_id").notNull(),
    titleZh: text("title_zh").notNull(),
    titleEn: text("title_en").notNull(),
    groupPriceFen: integer("group_price_fen").notNull(),
    currency: text("currency").notNull(),
    groupSize: integer("group_size").notNull(),
    windowMinutes: integer("window_minutes").notNull(),
    /** Units the offer may still sell (seats of open groups count as taken). */
    stockLeft: integer("stock_left").notNull(),
    startsAt: timestamp("starts_at").notNull(),
    endsAt: timestamp("ends_at").notNull(),
    /** A live session the offer is featured in, if any. */
    liveSessionId: text("live_session_id"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    index("group_offers_store_idx").on(t.storeId, t.endsAt),
    check("group_offers_valid", sql`${t.groupSize} >= 2 AND ${t.groupPriceFen} > 0 AND ${t.stockLeft} >= 0 AND ${t.windowMinutes} > 0`),
  ],
);

/** One group of an offer: open until it fills or its window closes. */
export const groupBuys = sqliteTable(
  "group_buys",
  {
    id: text("id").primaryKey(),
    offerId: text("offer_id").notNull().references(() => groupOffers.id),
    leaderId: text("leader_id").notNull(),
    status: text("status", { enum: ["open", "filled", "failed"] }).notNull(),
    /** Seats held by members (paid or still paying); never above the offer's group size. */
    seatsTaken: integer("seats_taken").notNull(),
    seatsPaid: integer("seats_paid").notNull().default(0),
    expiresAt: timestamp("expires_at").notNull(),
    createdAt: timestamp("created_at").notNull(),
    closedAt: timestamp("closed_at"),
  },
  (t) => [index("group_buys_offer_idx").on(t.offerId, t.status), index("group_buys_expiry_idx").on(t.status, t.expiresAt)],
);

export const groupMembers = sqliteTable(
  "group_members",
  {
    groupId: text("group_id").notNull().references(() => groupBuys.id),
    userId: text("user_id").notNull(),
    /** The member's order with the orders module. */
    orderId: text("order_id").notNull().unique(),
    status: text("status", { enum: ["paying", "paid", "confirmed", "refunded", "left"] }).notNull(),
    joinedAt: timestamp("joined_at").notNull(),
    paidAt: timestamp("paid_at"),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("group_members_user_idx").on(t.userId)],
);

/** A shopper's membership code, printed or shown at the till so store sales earn points too. */
export const memberCodes = sqliteTable("member_codes", {
  userId: text("user_id").primaryKey(),
  code: text("code").notNull().unique(),
  createdAt: timestamp("created_at").notNull(),
});

/**
 * The append-only points ledger: every earning, spending and reversal is a row; the balance is their
 * sum. `spendFen` carries the paid amount of an earning, for tiers by rolling 12-month spend.
 */
export const pointsLedger = sqliteTable(
  "points_ledger",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id").notNull(),
    delta: integer("delta").notNull(),
    reason: text("reason", { enum: ["order_paid", "order_refunded", "redeemed", "redemption_returned", "referral", "referral_reversed", "tier_bonus", "adjustment"] }).notNull(),
    orderId: text("order_id"),
    /** The store whose order (or referral, or sale) moved the points, for the store's figures. */
    storeId: text("store_id"),
    spendFen: integer("spend_fen").notNull().default(0),
    currency: text("currency"),
    note: text("note"),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [
    index("points_ledger_user_idx").on(t.userId, t.createdAt),
    index("points_ledger_store_idx").on(t.storeId, t.createdAt),
    // One earning, one reversal… per order and reason: order events may be delivered twice.
    uniqueIndex("points_ledger_order_reason_idx").on(t.orderId, t.reason),
  ],
);

/** A store's coupon that members of a tier (and above) receive when they reach it: a tier benefit. */
export const tierCoupons = sqliteTable(
  "tier_coupons",
  {
    storeId: text("store_id").notNull(),
    tier: text("tier", { enum: ["silver", "gold", "diamond"] }).notNull(),
    /** The orders module's coupon a member is given a claim of. */
    couponId: text("coupon_id").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.tier, t.couponId] })],
);

/** Each member gets each tier coupon once. */
export const tierCouponGrants = sqliteTable(
  "tier_coupon_grants",
  {
    userId: text("user_id").notNull(),
    couponId: text("coupon_id").notNull(),
    tier: text("tier").notNull(),
    claimId: text("claim_id"),
    grantedAt: timestamp("granted_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.couponId] })],
);
