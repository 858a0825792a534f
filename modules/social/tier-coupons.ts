// Tier coupons, a tier benefit: a store's staff register one of the store's coupons for a tier
// (silver, gold or diamond); a member at that tier or above receives one claim of it, once. Owns
// tier_coupons and tier_coupon_grants of db/schema/social.ts; coupons and their claims belong to the
// orders module and are reached only through its coupons service.
//
// When a member receives them: after a paid order's earning (membership.ts calls `afterEarning` in
// the order's transaction), the member gets every registered coupon of every tier up to the tier
// they are at now that they were not given before. Not on registration: registering writes nothing
// to members (a store may register for thousands of members at once; handing out claims in the
// merchant's request would make one huge write and surprise nobody but the merchant). So a member
// who is already in the tier when a coupon is registered gets it with their next paid order: the
// check is "tier at or above", not only "crossed now", and the grants' primary key (user, coupon)
// keeps it once. A coupon that cannot be given (withdrawn, ended, claimed out) is skipped and logged
// and no grant row is written, so it comes on a later order if a claim frees up; the payment never
// fails for it. When a refund lowers the member's tier (membership.ts calls `afterTierDrop` in the
// refund's transaction), the unused claims of coupons given for the tiers above the new one are
// revoked and their grant rows deleted, so a member cannot pay a big order, collect the coupons and
// refund it; reaching the tier again gives them again. A claim already used on an order stays with
// the member (audited as "tier_coupon.kept_used") and keeps its grant row: it is not given twice.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { tierCouponGrants, tierCoupons } from "../../db/schema/social.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Coupon, Store } from "../orders/index.ts";
import type { Notifications } from "../../src/accounts/notifications.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Logger } from "../../src/platform/logging.ts";
import { TIERS, type Tier, type TierId } from "./membership-rules.ts";
import { TierCouponNotOurs, TierCouponRegistered, TierCouponUnavailable } from "./tier-coupon-errors.ts";

export type CouponTier = Exclude<TierId, "regular">;
export const COUPON_TIERS: readonly CouponTier[] = ["silver", "gold", "diamond"];

/** What tier coupons need of the orders module: the store's coupons, and a claim handed out (or taken back) inside an order event. */
export interface TierCouponOrders {
  byCode(code: string): Promise<Coupon>;
  listForStore(storeId: string): Promise<Coupon[]>;
  grantClaim(tx: Tx, actor: Actor, userId: string, couponId: string, now: Date): Promise<{ claimId: string; coupon: Coupon } | null>;
  /** False when the claim was used on an order (or is gone): only unused claims are revoked. */
  revokeClaim(tx: Tx, actor: Actor, claimId: string): Promise<boolean>;
}

export interface TierCouponsDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  coupons: TierCouponOrders;
  catalog: { getStore(id: string): Promise<Store> };
  notifications: Pick<Notifications, "notify">;
  log?: Logger;
}

export interface TierCouponRegistration {
  storeId: string;
  tier: CouponTier;
  coupon: Coupon;
  createdAt: Date;
}

/** A coupon a member's tier brings, and whether the member holds it yet. */
export interface TierBenefit {
  tier: CouponTier;
  coupon: Coupon;
  store: Store | null;
  granted: boolean;
}

const system = { type: "system", id: "tier-coupons" } as const;
const rank = (tier: string) => TIERS.findIndex((t) => t.id === tier);
/** The coupon tiers a member at `tier` is entitled to: every one up to theirs. */
const tiersUpTo = (tier: TierId): CouponTier[] => COUPON_TIERS.filter((t) => rank(t) <= rank(tier));

export function createTierCoupons({ database, audit, clock, coupons, catalog, notifications, log }: TierCouponsDeps) {
  const { db } = database;

  /** The coupons behind registration rows, by id (one coupons list per store). */
  async function couponsOf(rows: { storeId: string; couponId: string }[]): Promise<Map<string, Coupon>> {
    const found = new Map<string, Coupon>();
    for (const storeId of new Set(rows.map((row) => row.storeId))) for (const coupon of await coupons.listForStore(storeId)) found.set(coupon.id, coupon);
    return found;
  }

  const storeOrNull = (id: string) => catalog.getStore(id).catch(() => null);

  return {
    now: () => clock.now(),

    /** The store's registrations, by tier then age. */
    async registrations(storeId: string): Promise<TierCouponRegistration[]> {
      const rows = await db.select().from(tierCoupons).where(eq(tierCoupons.storeId, storeId)).orderBy(asc(tierCoupons.createdAt));
      const byId = await couponsOf(rows);
      return rows
        .flatMap((row) => (byId.has(row.couponId) ? [{ storeId, tier: row.tier, coupon: byId.get(row.couponId)!, createdAt: row.createdAt }] : []))
        .sort((a, b) => rank(a.tier) - rank(b.tier));
    },

    /** Registers one of the store's running coupons (by code) for a tier; the caller checked the store is the staff member's. */
    async register(staffId: string, storeId: string, tier: CouponTier, code: string): Promise<Coupon> {
      const coupon = await coupons.byCode(code).catch(() => null);
      if (!coupon || coupon.storeId !== storeId) throw new TierCouponNotOurs();
      const now = clock.now();
      if (!coupon.active || now >= coupon.endsAt) throw new TierCouponUnavailable();
      await database.write(async (tx) => {
        const added = await tx.insert(tierCoupons).values({ storeId, tier, couponId: coupon.id, createdBy: staffId, createdAt: now }).onConflictDoNothing();
        if (added.rowsAffected !== 1) throw new TierCouponRegistered();
        await audit.record(tx, { actor: { type: "user", id: staffId }, action: "tier_coupon.registered", subject: `store:${storeId}`, data: { tier, couponId: coupon.id, code: coupon.code } });
      });
      return coupon;
    },

    /** Removes a registration: no member receives it from now on; claims already given stay. False when there was none. */
    async remove(staffId: string, storeId: string, tier: CouponTier, couponId: string): Promise<boolean> {
      return database.write(async (tx) => {
        const removed = await tx.delete(tierCoupons).where(and(eq(tierCoupons.storeId, storeId), eq(tierCoupons.tier, tier), eq(tierCoupons.couponId, couponId)));
        if (removed.rowsAffected !== 1) return false;
        await audit.record(tx, { actor: { type: "user", id: staffId }, action: "tier_coupon.removed", subject: `store:${storeId}`, data: { tier, couponId } });
        return true;
      });
    },

    /** The coupons a member at `tier` is entitled to (every store's, tiers up to theirs) and which they hold; withdrawn or ended ones they never got are left out. */
    async benefitsOf(userId: string, tier: TierId): Promise<TierBenefit[]> {
      const tiers = tiersUpTo(tier);
      if (tiers.length === 0) return [];
      const rows = await db.select().from(tierCoupons).where(inArray(tierCoupons.tier, tiers)).orderBy(asc(tierCoupons.createdAt));
      const grants = await db.select({ couponId: tierCouponGrants.couponId }).from(tierCouponGrants).where(eq(tierCouponGrants.userId, userId));
      const granted = new Set(grants.map((row) => row.couponId));
      const byId = await couponsOf(rows);
      const now = clock.now();
      const stores = new Map<string, Store | null>();
      for (const storeId of new Set(rows.map((row) => row.storeId))) stores.set(storeId, await storeOrNull(storeId));
      const seen = new Set<string>();
      const benefits: TierBenefit[] = [];
      for (const row of rows.sort((a, b) => rank(a.tier) - rank(b.tier))) {
        const coupon = byId.get(row.couponId);
        if (!coupon || seen.has(coupon.id)) continue;
        seen.add(coupon.id);
        const held = granted.has(coupon.id);
        if (!held && (!coupon.active || now >= coupon.endsAt)) continue;
        benefits.push({ tier: row.tier, coupon, store: stores.get(row.storeId) ?? null, granted: held });
      }
      return benefits;
    },

    /**
     * Inside a paid order's transaction, after its earning was posted: hands the member the tier
     * coupons of every tier up to `after` they do not hold yet (see the top comment), and tells them
     * in the inbox when they reached a higher tier or received coupons.
     */
    async afterEarning(tx: Tx, userId: string, before: Tier, after: Tier, at: Date): Promise<void> {
      const crossed = rank(after.id) > rank(before.id);
      const tiers = tiersUpTo(after.id);
      const granted: Coupon[] = [];
      if (tiers.length > 0) {
        const rows = await tx.select().from(tierCoupons).where(inArray(tierCoupons.tier, tiers)).orderBy(asc(tierCoupons.createdAt));
        const held = new Set((await tx.select({ couponId: tierCouponGrants.couponId }).from(tierCouponGrants).where(eq(tierCouponGrants.userId, userId))).map((row) => row.couponId));
        for (const row of rows.sort((a, b) => rank(a.tier) - rank(b.tier))) {
          if (held.has(row.couponId)) continue;
          held.add(row.couponId); // registered for two tiers: given once
          const claim = await coupons.grantClaim(tx, system, userId, row.couponId, at);
          if (!claim) {
            log?.info("tier coupon skipped: it cannot be given now", { userId, couponId: row.couponId, tier: row.tier });
            continue;
          }
          await tx.insert(tierCouponGrants).values({ userId, couponId: row.couponId, tier: row.tier, claimId: claim.claimId, grantedAt: at });
          await audit.record(tx, { actor: system, action: "tier_coupon.granted", subject: `user:${userId}`, data: { couponId: row.couponId, tier: row.tier, claimId: claim.claimId } });
          granted.push(claim.coupon);
        }
      }
      if (!crossed && granted.length === 0) return;
      await notifications.notify(tx, userId, "tier.reached", { tier: after.id, crossed, couponsZh: granted.map((c) => c.nameZh), couponsEn: granted.map((c) => c.nameEn) }, "/member");
    },

    /**
     * Inside a refund's transaction that lowered the member's tier to `after`: takes back the unused
     * claims of coupons given for tiers above it and forgets those grants; used claims stay (see the top comment).
     */
    async afterTierDrop(tx: Tx, userId: string, after: Tier, at: Date): Promise<void> {
      const entitled = new Set<string>(tiersUpTo(after.id));
      const grants = await tx.select().from(tierCouponGrants).where(eq(tierCouponGrants.userId, userId));
      for (const grant of grants) {
        if (entitled.has(grant.tier)) continue;
        const data = { couponId: grant.couponId, tier: grant.tier, claimId: grant.claimId, tierNow: after.id, at: at.toISOString() };
        const revoked = grant.claimId === null || (await coupons.revokeClaim(tx, system, grant.claimId));
        if (!revoked) {
          await audit.record(tx, { actor: system, action: "tier_coupon.kept_used", subject: `user:${userId}`, data });
          continue;
        }
        await tx.delete(tierCouponGrants).where(and(eq(tierCouponGrants.userId, userId), eq(tierCouponGrants.couponId, grant.couponId)));
        await audit.record(tx, { actor: system, action: "tier_coupon.revoked", subject: `user:${userId}`, data });
      }
    },
  };
}

export type TierCoupons = ReturnType<typeof createTierCoupons>;
