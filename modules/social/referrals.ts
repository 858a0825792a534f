// Referral links (裂变): any shopper shares a product or a live session with a personal short link;
// a paid order that followed a click on it within the store's window earns its sharer the reward the
// merchant set (referral-rewards.ts). Owns referral_programs, referral_links, referral_clicks and
// referral_rewards of db/schema/social.ts; products come from the catalog, shows from live, and
// orders, coupons and address keys only through the orders service.
import { and, count, desc, eq, inArray, ne, or, isNull } from "drizzle-orm";
import type { Database, Queryable, Tx } from "../../db/database.ts";
import { referralClicks, referralLinks, referralPrograms, referralRewards } from "../../db/schema/social.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { LiveSession } from "../live/index.ts";
import type { Coupon, Product, Store } from "../orders/index.ts";
import type { Notifications } from "../../src/accounts/notifications.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { randomToken } from "../../src/platform/crypto.ts";
import { newId } from "../../src/platform/ids.ts";
import { maskPersonName } from "../../src/platform/masking.ts";
import type { PointsLedger } from "./points-ledger.ts";
import { ReferralLinkNotFound, RewardCouponNotFound } from "./referral-errors.ts";
import { createReferralFigures } from "./referral-figures.ts";
import { referralRewardsListener } from "./referral-rewards.ts";

export type ReferralTarget = { type: "product" | "live_session"; id: string };
export type RefusalReason = "self_referral" | "same_device" | "same_address" | "coupon_unavailable";

/** What the orders module lends referrals: fraud traces, order numbers, and coupon claims granted inside an order event. */
export interface ReferralOrders {
  queries: {
    shopperTraces(q: Queryable, userId: string): Promise<{ addressKeys: Set<string>; devices: Set<string> }>;
    numbersOf(orderIds: readonly string[]): Promise<Map<string, string>>;
  };
  coupons: {
    byCode(code: string): Promise<Coupon>;
    listForStore(storeId: string): Promise<Coupon[]>;
    grantClaim(tx: Tx, actor: Actor, userId: string, couponId: string, now: Date): Promise<{ claimId: string; coupon: Coupon } | null>;
    revokeClaim(tx: Tx, actor: Actor, claimId: string): Promise<boolean>;
  };
}

export interface ReferralsDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  catalog: { getPublishedProduct(id: string): Promise<Product>; getStore(id: string): Promise<Store> };
  live: { getSession(id: string): Promise<LiveSession> };
  orders: ReferralOrders;
  points: Pick<PointsLedger, "post">;
  notifications: Pick<Notifications, "notify">;
  displayNames: (ids: readonly string[]) => Promise<Map<string, string>>;
}

export interface ReferralLink {
  code: string;
  target: ReferralTarget;
  storeId: string;
  createdAt: Date;
}

export interface ReferralProgram {
  storeId: string;
  rewardKind: "points" | "coupon";
  rewardPoints: number | null;
  rewardCoupon: Coupon | null;
  windowDays: number;
  active: boolean;
}

export interface ProgramInput {
  rewardKind: "points" | "coupon";
  rewardPoints: number | null;
  couponCode: string | null;
  windowDays: number;
  active: boolean;
}

export interface RewardRow {
  orderId: string;
  storeId: string;
  status: "granted" | "reversed" | "refused";
  reason: string | null;
  points: number | null;
  coupon: boolean;
  createdAt: Date;
  reversedAt: Date | null;
}

export const DEFAULT_WINDOW_DAYS = 7;
export const WINDOW_DAYS_MAX = 30;

export function createReferrals(deps: ReferralsDeps) {
  const { database, audit, clock, catalog, live, orders } = deps;
  const { db } = database;

  async function storeOfTarget(target: ReferralTarget): Promise<string> {
    if (target.type === "product") return (await catalog.getPublishedProduct(target.id)).storeId;
    return (await live.getSession(target.id)).store.id;
  }

  async function linkOf(q: Queryable, userId: string, target: ReferralTarget) {
    const [row] = await q.select().from(referralLinks).where(and(eq(referralLinks.userId, userId), eq(referralLinks.targetType, target.type), eq(referralLinks.targetId, target.id)));
    return row;
  }

  const toLink = (row: typeof referralLinks.$inferSelect): ReferralLink => ({ code: row.code, target: { type: row.targetType, id: row.targetId }, storeId: row.storeId, createdAt: row.createdAt });

  const toReward = (row: typeof referralRewards.$inferSelect): RewardRow => ({
    orderId: row.orderId,
    storeId: row.storeId,
    status: row.status,
    reason: row.refusedReason,
    points: row.points,
    coupon: row.couponClaimId !== null,
    createdAt: row.createdAt,
    reversedAt: row.reversedAt,
  });

  return {
    /**
     * The user's personal short link to a product or a show (one per user and target; asking again
     * returns it). `device` is the sharer's browser (bc_device): kept as the sharer's own visit of
     * the link, so an order later paid from that browser by another account is recognised as the
     * sharer's own ("same_device") even when the sharer never ordered from it.
     */
    async linkFor(userId: string, target: ReferralTarget, device: string | null): Promise<ReferralLink> {
      const storeId = await storeOfTarget(target);
      const now = clock.now();
      const row = await database.write(async (tx) => {
        let link = await linkOf(tx, userId, target);
        if (!link) {
          const code = randomToken(9); // 12 url-safe characters, 72 random bits: not guessable
          await tx.insert(referralLinks).values({ code, userId, targetType: target.type, targetId: target.id, storeId, createdAt: now });
          await audit.record(tx, { actor: { type: "user", id: userId }, action: "referral.link_created", subject: `referral_link:${code}`, data: { targetType: target.type, targetId: target.id, storeId } });
          link = (await linkOf(tx, userId, target))!;
        }
        if (device) {
          const [seen] = await tx.select({ id: referralClicks.id }).from(referralClicks).where(and(eq(referralClicks.code, link.code), eq(referralClicks.visitorUserId, userId), eq(referralClicks.visitorDevice, device))).limit(1);
          if (!seen) await tx.insert(referralClicks).values({ id: newId("rfc", now.getTime()), code: link.code, visitorUserId: userId, visitorDevice: device, createdAt: now });
        }
        return link;
      });
      return toLink(row);
    },

    /**
     * A visit through a short link, by the visitor's account and browser. Not audited: it is a page
     * view that changes nothing by itself (what it leads to, a reward, is audited).
     */
    async recordClick(code: string, visitor: { userId: string | null; device: string | null }): Promise<ReferralTarget> {
      const [link] = await db.select().from(referralLinks).where(eq(referralLinks.code, code));
      if (!link) throw new ReferralLinkNotFound();
      const now = clock.now();
      await database.write((tx) => tx.insert(referralClicks).values({ id: newId("rfc", now.getTime()), code, visitorUserId: visitor.userId, visitorDevice: visitor.device, createdAt: now }));
      return { type: link.targetType, id: link.targetId };
    },

    async program(storeId: string): Promise<ReferralProgram | null> {
      const [row] = await db.select().from(referralPrograms).where(eq(referralPrograms.storeId, storeId));
      if (!row) return null;
      const coupon = row.rewardCouponId ? ((await orders.coupons.listForStore(storeId)).find((c) => c.id === row.rewardCouponId) ?? null) : null;
      return { storeId, rewardKind: row.rewardKind, rewardPoints: row.rewardPoints, rewardCoupon: coupon, windowDays: row.windowDays, active: row.active };
    },

    /** The store's program, set by its staff (the caller checked the store is theirs); a coupon reward names one of the store's coupons by code. */
    async setProgram(staffId: string, storeId: string, input: ProgramInput): Promise<void> {
      let couponId: string | null = null;
      if (input.rewardKind === "coupon") {
        const coupon = await orders.coupons.byCode(input.couponCode ?? "").catch(() => null);
        if (!coupon || coupon.storeId !== storeId) throw new RewardCouponNotFound();
        couponId = coupon.id;
      }
      const values = {
        rewardKind: input.rewardKind,
        rewardPoints: input.rewardKind === "points" ? input.rewardPoints : null,
        rewardCouponId: couponId,
        windowDays: input.windowDays,
        active: input.active,
        updatedBy: staffId,
        updatedAt: clock.now(),
      };
      await database.write(async (tx) => {
        await tx.insert(referralPrograms).values({ storeId, ...values }).onConflictDoUpdate({ target: referralPrograms.storeId, set: values });
        await audit.record(tx, { actor: { type: "user", id: staffId }, action: "referral.program_set", subject: `store:${storeId}`, data: { ...values, updatedAt: values.updatedAt.toISOString() } });
      });
    },

    /** The store's rewards, newest first: the referrer's name masked, the order by its number. */
    async storeRewards(storeId: string, limit = 100) {
      const rows = await db.select().from(referralRewards).where(eq(referralRewards.storeId, storeId)).orderBy(desc(referralRewards.createdAt)).limit(limit);
      const [names, numbers] = await Promise.all([deps.displayNames([...new Set(rows.map((row) => row.referrerId))]), orders.queries.numbersOf(rows.map((row) => row.orderId))]);
      return rows.map((row) => ({ ...toReward(row), referrer: maskPersonName(names.get(row.referrerId) ?? "—"), orderNumber: numbers.get(row.orderId) ?? "—" }));
    },

    /** The user's links, newest first, with how many visits each brought (the sharer's own visits not counted). */
    async linksOf(userId: string): Promise<(ReferralLink & { clicks: number })[]> {
      const links = await db.select().from(referralLinks).where(eq(referralLinks.userId, userId)).orderBy(desc(referralLinks.createdAt));
      if (links.length === 0) return [];
      const counts = await db
        .select({ code: referralClicks.code, n: count() })
        .from(referralClicks)
        .where(and(inArray(referralClicks.code, links.map((link) => link.code)), or(isNull(referralClicks.visitorUserId), ne(referralClicks.visitorUserId, userId))))
        .groupBy(referralClicks.code);
      const byCode = new Map(counts.map((row) => [row.code, row.n]));
      return links.map((link) => ({ ...toLink(link), clicks: byCode.get(link.code) ?? 0 }));
    },

    /** What the user's links earned (or why not), newest first. */
    async rewardsOf(userId: string, limit = 100): Promise<RewardRow[]> {
      const rows = await db.select().from(referralRewards).where(eq(referralRewards.referrerId, userId)).orderBy(desc(referralRewards.createdAt)).limit(limit);
      return rows.map(toReward);
    },

    /** The orders listener: rewards on payment, reversals on refund (referral-rewards.ts). */
    orderEvents: referralRewardsListener(deps),

    ...createReferralFigures({ database }),

    /**
     * Erasure: the user's visits through anyone's links (their account and browser id) go; their
     * own links stay, as do rewards (financial records, holding ids only).
     */
    async eraseVisitor(userId: string): Promise<number> {
      return database.write(async (tx) => (await tx.delete(referralClicks).where(eq(referralClicks.visitorUserId, userId))).rowsAffected);
    },
  };
}

export type Referrals = ReturnType<typeof createReferrals>;
