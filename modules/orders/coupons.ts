// Coupons: 满减 (amount off above a threshold), percent off with a cap, new-shopper coupons; scoped to
// a store, to some products or to one live session. A shopper claims a coupon, then an order uses
// the claim. Both steps are conditional updates inside one write transaction, so two tabs racing
// for the last claim, or for one claim's use, get one success and one clear refusal.
import { and, asc, count, eq, gt, inArray, isNotNull, isNull, notInArray, sql } from "drizzle-orm";
import type { Database, Queryable, Tx } from "../../db/database.ts";
import { couponClaims, couponProducts, coupons, orders } from "../../db/schema/orders-checkout.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { newId } from "../../src/platform/ids.ts";
import { money, type Money } from "../../src/platform/money.ts";
import { CouponRefused } from "./errors.ts";
import type { CouponTerms } from "./pricing.ts";

type CouponRow = typeof coupons.$inferSelect;

export interface NewCoupon {
  storeId: string;
  code: string;
  nameZh: string;
  nameEn: string;
  kind: "amount_off" | "percent_off";
  value: number;
  minSpendFen: number;
  capFen: number | null;
  audience: "everyone" | "new_shoppers";
  scope: "store" | "products" | "live_session";
  productIds?: readonly string[];
  liveSessionId?: string | null;
  startsAt: Date;
  endsAt: Date;
  perShopperLimit: number;
  totalLimit: number;
}

export interface Coupon extends Omit<NewCoupon, "productIds"> {
  id: string;
  productIds: string[];
  claimedCount: number;
  active: boolean;
  currency: string;
}

export interface CouponClaim {
  id: string;
  coupon: Coupon;
  claimedAt: Date;
  usedAt: Date | null;
  orderId: string | null;
}

/** Where an order is placed, which decides the coupons it may use. */
export interface CouponContext {
  storeId: string;
  channel: "storefront" | "live" | "store";
  liveSessionId: string | null;
}

export function couponTerms(coupon: Coupon): CouponTerms {
  return { kind: coupon.kind, value: coupon.value, minSpendFen: coupon.minSpendFen, capFen: coupon.capFen, productIds: coupon.scope === "products" ? coupon.productIds : null };
}

/** "¥30 off orders over ¥299" / "15% off, at most ¥20": the numbers a coupon card shows. */
export function couponValue(coupon: Coupon): { off: Money | number; minSpend: Money | null; cap: Money | null } {
  return {
    off: coupon.kind === "amount_off" ? money(coupon.value, coupon.currency) : coupon.value,
    minSpend: coupon.minSpendFen > 0 ? money(coupon.minSpendFen, coupon.currency) : null,
    cap: coupon.capFen === null ? null : money(coupon.capFen, coupon.currency),
  };
}

export function createCoupons({ database, audit, clock, currencyOf }: { database: Database; audit: AuditTrail; clock: Clock; currencyOf: (storeId: string) => Promise<string> }) {
  const { db } = database;

  async function load(q: Queryable, rows: CouponRow[]): Promise<Coupon[]> {
    if (rows.length === 0) return [];
    const scoped = await q.select().from(couponProducts).where(inArray(couponProducts.couponId, rows.map((row) => row.id)));
    const currencies = new Map<string, string>();
    for (const row of rows) if (!currencies.has(row.storeId)) currencies.set(row.storeId, await currencyOf(row.storeId));
    return rows.map((row) => ({ ...row, productIds: scoped.filter((p) => p.couponId === row.id).map((p) => p.productId), currency: currencies.get(row.storeId)! }));
  }

  async function isNewShopper(tx: Tx, userId: string): Promise<boolean> {
    const [row] = await tx.select({ n: count() }).from(orders).where(and(eq(orders.userId, userId), notInArray(orders.status, ["cancelled", "expired"])));
    return row!.n === 0;
  }

  /** Checks everything but the limits; throws CouponRefused naming the first reason. */
  function checkUsable(coupon: Coupon, at: Date, context: CouponContext | null) {
    if (!coupon.active) throw new CouponRefused("inactive");
    if (at < coupon.startsAt) throw new CouponRefused("not_started");
    if (at >= coupon.endsAt) throw new CouponRefused("ended");
    if (context && context.storeId !== coupon.storeId) throw new CouponRefused("wrong_store");
    if (context && coupon.scope === "live_session" && (context.channel !== "live" || context.liveSessionId !== coupon.liveSessionId)) throw new CouponRefused("wrong_session");
  }

  async function claimIn(tx: Tx, userId: string, coupon: Coupon, now: Date): Promise<string> {
    checkUsable(coupon, now, null);
    if (coupon.audience === "new_shoppers" && !(await isNewShopper(tx, userId))) throw new CouponRefused("not_new_shopper");
    const [mine] = await tx.select({ n: count() }).from(couponClaims).where(and(eq(couponClaims.couponId, coupon.id), eq(couponClaims.userId, userId)));
    if (mine!.n >= coupon.perShopperLimit) throw new CouponRefused("shopper_limit");
    const counted = await tx
      .update(coupons)
      .set({ claimedCount: sql`${coupons.claimedCount} + 1` })
      .where(and(eq(coupons.id, coupon.id), sql`${coupons.claimedCount} < ${coupons.totalLimit}`));
    if (counted.rowsAffected !== 1) throw new CouponRefused("claimed_out");
    const id = newId("ccl", now.getTime());
    await tx.insert(couponClaims).values({ id, couponId: coupon.id, userId, claimedAt: now });
    await audit.record(tx, { actor: { type: "user", id: userId }, action: "coupon.claimed", subject: `coupon:${coupon.id}`, data: { claimId: id } });
    return id;
  }

  async function byCode(q: Queryable, code: string): Promise<Coupon> {
    const rows = await q.select().from(coupons).where(eq(coupons.code, normalizeCode(code)));
    const [coupon] = await load(q, rows);
    if (!coupon) throw new CouponRefused("not_found");
    return coupon;
  }

  async function claimsOf(q: Queryable, userId: string, where = and(eq(couponClaims.userId, userId), isNull(couponClaims.orderId))): Promise<CouponClaim[]> {
    const rows = await q.select().from(couponClaims).innerJoin(coupons, eq(coupons.id, couponClaims.couponId)).where(where).orderBy(asc(coupons.endsAt));
    const loaded = await load(q, rows.map((row) => row.coupons));
    return rows.map((row, i) => ({ id: row.coupon_claims.id, coupon: loaded[i]!, claimedAt: row.coupon_claims.claimedAt, usedAt: row.coupon_claims.usedAt, orderId: row.coupon_claims.orderId }));
  }

  return {
    async create(actor: Actor, input: NewCoupon): Promise<Coupon> {
      const now = clock.now();
      const id = newId("cpn", now.getTime());
      const code = normalizeCode(input.code);
      await database.write(async (tx) => {
        await tx.insert(coupons).values({
          id, storeId: input.storeId, code, nameZh: input.nameZh, nameEn: input.nameEn, kind: input.kind, value: input.value, minSpendFen: input.minSpendFen,
          capFen: input.kind === "percent_off" ? input.capFen : null, audience: input.audience, scope: input.scope,
          liveSessionId: input.scope === "live_session" ? (input.liveSessionId ?? null) : null, startsAt: input.startsAt, endsAt: input.endsAt,
          perShopperLimit: input.perShopperLimit, totalLimit: input.totalLimit, claimedCount: 0, active: true, createdAt: now,
        });
        if (input.scope === "products" && input.productIds?.length) await tx.insert(couponProducts).values(input.productIds.map((productId) => ({ couponId: id, productId })));
        await audit.record(tx, { actor, action: "coupon.created", subject: `coupon:${id}`, data: { ...input, code, productIds: [...(input.productIds ?? [])], startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() } });
      });
      return byCode(db, code);
    },

    async setActive(actor: Actor, couponId: string, active: boolean) {
      await database.write(async (tx) => {
        await tx.update(coupons).set({ active }).where(eq(coupons.id, couponId));
        await audit.record(tx, { actor, action: active ? "coupon.activated" : "coupon.deactivated", subject: `coupon:${couponId}`, data: {} });
      });
    },

    listForStore: async (storeId: string) => load(db, await db.select().from(coupons).where(eq(coupons.storeId, storeId)).orderBy(asc(coupons.createdAt))),

    /** Coupons a shopper may still claim in this store (or this live session), now. */
    async claimable(storeId: string, liveSessionId: string | null = null): Promise<Coupon[]> {
      const now = clock.now();
      const rows = await db
        .select()
        .from(coupons)
        .where(and(eq(coupons.storeId, storeId), eq(coupons.active, true), gt(coupons.endsAt, now), sql`${coupons.claimedCount} < ${coupons.totalLimit}`));
      return (await load(db, rows)).filter((c) => c.startsAt <= now && (c.scope !== "live_session" || c.liveSessionId === liveSessionId));
    },

    byCode: (code: string) => byCode(db, code),

    checkUsable,

    async claim(userId: string, code: string): Promise<CouponClaim> {
      const now = clock.now();
      const id = await database.write(async (tx) => claimIn(tx, userId, await byCode(tx, code), now));
      const [claim] = await claimsOf(db, userId, eq(couponClaims.id, id));
      return claim!;
    },

    /** The shopper's unused claims. */
    unusedClaims: (userId: string) => claimsOf(db, userId),

    /** The shopper's claims already used on an order, with that order's id. */
    usedClaims: (userId: string) => claimsOf(db, userId, and(eq(couponClaims.userId, userId), isNotNull(couponClaims.orderId))),

    /**
     * Inside checkout's transaction: the shopper's unused claim of the coupon with this code (claiming
     * it first if they hold none), checked against the order's context.
     */
    async claimForOrder(tx: Tx, userId: string, code: string, context: CouponContext, now: Date): Promise<{ claimId: string; coupon: Coupon }> {
      const coupon = await byCode(tx, code);
      checkUsable(coupon, now, context);
      const [unused] = await tx
        .select({ id: couponClaims.id })
        .from(couponClaims)
        .where(and(eq(couponClaims.couponId, coupon.id), eq(couponClaims.userId, userId), isNull(couponClaims.orderId)))
        .limit(1);
      return { claimId: unused?.id ?? (await claimIn(tx, userId, coupon, now)), coupon };
    },

    /** Marks a claim used by an order; a claim already used (another tab won) refuses. */
    async useClaim(tx: Tx, claimId: string, orderId: string, now: Date) {
      const used = await tx.update(couponClaims).set({ orderId, usedAt: now }).where(and(eq(couponClaims.id, claimId), isNull(couponClaims.orderId)));
      if (used.rowsAffected !== 1) throw new CouponRefused("used");
    },

    /** An order that never got paid gives its coupon back to the shopper. */
    async releaseClaim(tx: Tx, orderId: string) {
      await tx.update(couponClaims).set({ orderId: null, usedAt: null }).where(eq(couponClaims.orderId, orderId));
    },

    /**
     * Inside another module's transaction (a referral reward): hands the user a claim of the coupon,
     * counted against its total but not its per-shopper limit or audience, which govern claiming by
     * hand. Null when the coupon cannot be given now (withdrawn, not running, claimed out).
     */
    async grantClaim(tx: Tx, actor: Actor, userId: string, couponId: string, now: Date): Promise<{ claimId: string; coupon: Coupon } | null> {
      const [coupon] = await load(tx, await tx.select().from(coupons).where(eq(coupons.id, couponId)));
      if (!coupon || !coupon.active || now < coupon.startsAt || now >= coupon.endsAt) return null;
      const counted = await tx
        .update(coupons)
        .set({ claimedCount: sql`${coupons.claimedCount} + 1` })
        .where(and(eq(coupons.id, coupon.id), sql`${coupons.claimedCount} < ${coupons.totalLimit}`));
      if (counted.rowsAffected !== 1) return null;
      const claimId = newId("ccl", now.getTime());
      await tx.insert(couponClaims).values({ id: claimId, couponId: coupon.id, userId, claimedAt: now });
      await audit.record(tx, { actor, action: "coupon.claim_granted", subject: `coupon:${coupon.id}`, data: { claimId, userId } });
      return { claimId, coupon };
    },

    /** Takes back a granted claim the user has not used (its count returns); false when it was used or is gone. */
    async revokeClaim(tx: Tx, actor: Actor, claimId: string): Promise<boolean> {
      const [removed] = await tx.delete(couponClaims).where(and(eq(couponClaims.id, claimId), isNull(couponClaims.orderId))).returning({ couponId: couponClaims.couponId });
      if (!removed) return false;
      await tx.update(coupons).set({ claimedCount: sql`max(${coupons.claimedCount} - 1, 0)` }).where(eq(coupons.id, removed.couponId));
      await audit.record(tx, { actor, action: "coupon.claim_revoked", subject: `coupon:${removed.couponId}`, data: { claimId } });
      return true;
    },
  };
}

export type Coupons = ReturnType<typeof createCoupons>;

export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}
