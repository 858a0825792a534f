// What a paid order earns the sharer of the link that led to it, told by the orders service inside the
// transaction that moved the order (modules/orders/order-events.ts), so a reward exists exactly when
// the payment does.
//
// Attribution: the buyer's last click (by account, or by the order's browser id) within the store's
// window (referral_programs.window_days) on a link of the order's store whose target is in the order:
// one of its products, or its live session. Last click wins between sharers. A sharer's own visits of
// their link (recorded when they press "Share") are not clicks that lead anyone to buy: they are only
// considered when the buyer has no other click, so buying through one's own link is still refused
// ("self_referral") and a buyer who shares on what a friend sent them does not cancel the friend's reward.
// Nothing is earned (a "refused" row says why) when the sharer is the buyer ("self_referral"), when
// the order or the click came from a browser the sharer used ("same_device": the sharer's own visits
// of their links, recorded when they share, and their own orders' browsers), or when the order ships
// to an address the sharer's own orders went to ("same_address", by address key). A store with no
// active program writes nothing: there was no reward to grant or refuse.
// One reward row per order (its primary key) makes a redelivered event a no-op.
//
// Refunds: any refund of the rewarded order (after-sales refunds and risk or group-buy closings all
// give back the whole order) reverses the whole reward: points go back through the ledger (even below
// zero), a coupon claim is taken back if unused, and if already used the row says it could not be
// ("coupon_already_used" in its reason).
import { and, desc, eq, gte, inArray, isNotNull, isNull, lte, ne, or, type SQL } from "drizzle-orm";
import type { Tx } from "../../db/database.ts";
import { referralClicks, referralLinks, referralPrograms, referralRewards } from "../../db/schema/social.ts";
import type { OrderEvent, OrderEvents } from "../orders/index.ts";
import type { ReferralsDeps, RefusalReason } from "./referrals.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const system = { type: "system", id: "referrals" } as const;

export function referralRewardsListener({ audit, catalog, orders, points, notifications }: ReferralsDeps): OrderEvents {
  /** The buyer's last click in the window on a link of this store to something in this order, others' links before their own. */
  async function lastClick(tx: Tx, event: OrderEvent, windowDays: number) {
    return (await lastClickWhere(tx, event, windowDays, or(isNull(referralClicks.visitorUserId), ne(referralClicks.visitorUserId, referralLinks.userId))!)) ?? (await lastClickWhere(tx, event, windowDays));
  }

  async function lastClickWhere(tx: Tx, event: OrderEvent, windowDays: number, visits?: SQL) {
    const productIds = [...new Set(event.lines.map((line) => line.productId))];
    const targets: SQL[] = [];
    if (productIds.length) targets.push(and(eq(referralLinks.targetType, "product"), inArray(referralLinks.targetId, productIds))!);
    if (event.liveSessionId) targets.push(and(eq(referralLinks.targetType, "live_session"), eq(referralLinks.targetId, event.liveSessionId))!);
    if (targets.length === 0) return null;
    const visitor = event.clientDevice ? or(eq(referralClicks.visitorUserId, event.userId), eq(referralClicks.visitorDevice, event.clientDevice)) : eq(referralClicks.visitorUserId, event.userId);
    const [found] = await tx
      .select({ click: referralClicks, link: referralLinks })
      .from(referralClicks)
      .innerJoin(referralLinks, eq(referralLinks.code, referralClicks.code))
      .where(and(eq(referralLinks.storeId, event.storeId), visitor, visits, gte(referralClicks.createdAt, new Date(event.at.getTime() - windowDays * DAY_MS)), lte(referralClicks.createdAt, event.at), or(...targets)))
      .orderBy(desc(referralClicks.createdAt))
      .limit(1);
    return found ?? null;
  }

  async function refusalOf(tx: Tx, event: OrderEvent, referrerId: string, clickDevice: string | null): Promise<RefusalReason | null> {
    if (referrerId === event.userId) return "self_referral";
    const traces = await orders.queries.shopperTraces(tx, referrerId);
    const visits = await tx
      .selectDistinct({ device: referralClicks.visitorDevice })
      .from(referralClicks)
      .where(and(eq(referralClicks.visitorUserId, referrerId), isNotNull(referralClicks.visitorDevice)));
    const sharerDevices = new Set([...traces.devices, ...visits.map((row) => row.device!)]);
    if ([event.clientDevice, clickDevice].some((device) => device !== null && sharerDevices.has(device))) return "same_device";
    if (event.addressKey && traces.addressKeys.has(event.addressKey)) return "same_address";
    return null;
  }

  async function storeNames(storeId: string) {
    const store = await catalog.getStore(storeId);
    return { storeZh: store.nameZh, storeEn: store.nameEn };
  }

  return {
    async paid(tx, event) {
      if (event.channel === "store") return; // a till sale: no link was clicked, the buyer is a walk-in
      const [done] = await tx.select({ orderId: referralRewards.orderId }).from(referralRewards).where(eq(referralRewards.orderId, event.orderId));
      if (done) return;
      const [program] = await tx.select().from(referralPrograms).where(and(eq(referralPrograms.storeId, event.storeId), eq(referralPrograms.active, true)));
      if (!program) return;
      const found = await lastClick(tx, event, program.windowDays);
      if (!found) return;
      const referrerId = found.link.userId;
      const row = { orderId: event.orderId, code: found.link.code, referrerId, refereeId: event.userId, storeId: event.storeId, createdAt: event.at };

      let reason = await refusalOf(tx, event, referrerId, found.click.visitorDevice);
      let granted: { points: number | null; couponClaimId: string | null; couponZh: string | null; couponEn: string | null } | null = null;
      if (!reason && program.rewardKind === "points" && program.rewardPoints) {
        await points.post(tx, { userId: referrerId, delta: program.rewardPoints, reason: "referral", orderId: event.orderId, storeId: event.storeId, note: found.link.code, at: event.at });
        granted = { points: program.rewardPoints, couponClaimId: null, couponZh: null, couponEn: null };
      } else if (!reason && program.rewardKind === "coupon" && program.rewardCouponId) {
        const claim = await orders.coupons.grantClaim(tx, system, referrerId, program.rewardCouponId, event.at);
        if (claim) granted = { points: null, couponClaimId: claim.claimId, couponZh: claim.coupon.nameZh, couponEn: claim.coupon.nameEn };
        else reason = "coupon_unavailable";
      }
      if (!granted) {
        await tx.insert(referralRewards).values({ ...row, status: "refused", refusedReason: reason }).onConflictDoNothing();
        await audit.record(tx, { actor: system, action: "referral.refused", subject: `order:${event.orderId}`, data: { code: row.code, referrerId, reason } });
        return;
      }
      await tx.insert(referralRewards).values({ ...row, status: "granted", points: granted.points, couponClaimId: granted.couponClaimId });
      await audit.record(tx, { actor: system, action: "referral.rewarded", subject: `order:${event.orderId}`, data: { code: row.code, referrerId, points: granted.points, couponClaimId: granted.couponClaimId } });
      await notifications.notify(tx, referrerId, "referral.rewarded", { ...(await storeNames(event.storeId)), points: granted.points, couponZh: granted.couponZh, couponEn: granted.couponEn }, "/account/referrals");
    },

    async refunded(tx, event) {
      const [reward] = await tx.select().from(referralRewards).where(and(eq(referralRewards.orderId, event.orderId), eq(referralRewards.status, "granted")));
      if (!reward) return;
      if (reward.points) await points.post(tx, { userId: reward.referrerId, delta: -reward.points, reason: "referral_reversed", orderId: event.orderId, storeId: event.storeId, note: reward.code, at: event.at }, { allowNegative: true });
      const couponTakenBack = reward.couponClaimId ? await orders.coupons.revokeClaim(tx, system, reward.couponClaimId) : null;
      const reason = couponTakenBack === false ? "coupon_already_used" : null;
      const moved = await tx
        .update(referralRewards)
        .set({ status: "reversed", reversedAt: event.at, refusedReason: reason })
        .where(and(eq(referralRewards.orderId, event.orderId), eq(referralRewards.status, "granted")));
      if (moved.rowsAffected !== 1) return;
      await audit.record(tx, { actor: system, action: "referral.reversed", subject: `order:${event.orderId}`, data: { code: reward.code, referrerId: reward.referrerId, points: reward.points, couponTakenBack } });
      await notifications.notify(tx, reward.referrerId, "referral.reversed", { ...(await storeNames(event.storeId)), points: reward.points, coupon: reward.couponClaimId !== null, couponTakenBack }, "/account/referrals");
    },
  };
}
