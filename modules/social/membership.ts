// The membership program: points earned on paid orders from every channel (storefront, live room,
// store till when the receipt carries a member code), spent as a discount at checkout, reversed on
// refund and returned when an unpaid order closes; tiers by rolling 12-month spend.
// Earnings and spendings are rows of the append-only ledger (points-ledger.ts), written inside the
// orders module's transaction through its order events and checkout extension, so points move
// exactly when the money does; the ledger's unique (order, reason) makes a redelivered event a no-op.
import type { Database, Tx } from "../../db/database.ts";
import type { AuditTrail } from "../compliance/index.ts";
import type { OrderEvent, OrderEvents, PointsWallet } from "../orders/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { DomainError } from "../../src/platform/errors.ts";
import type { Logger } from "../../src/platform/logging.ts";
import type { MemberCodes } from "./member-codes.ts";
import { MEMBERSHIP_CURRENCY, maxRedeemablePoints, pointsEarned, pointsValueFen, TIERS, tierFor, tierProgress, type Tier, type TierProgress } from "./membership-rules.ts";
import { NotEnoughPoints, type PointsEntry, type PointsLedger } from "./points-ledger.ts";

/** More points than the order may take (at most REDEEM_MAX_PERCENT of what its goods cost). */
export class PointsOverCap extends DomainError {
  constructor() {
    super(422, "points_over_cap", "points.error.over_cap");
  }
}

export interface MembershipSummary {
  balance: number;
  /** Paid minus refunded over the last 12 months, in fen of the membership currency. */
  spendFen: number;
  progress: TierProgress;
  memberCode: string;
}

export interface MembershipDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  ledger: PointsLedger;
  memberCodes: MemberCodes;
  log?: Logger;
  /** Tier benefits handed out after an earning and taken back when a refund lowers the tier, in the order's transaction (tier-coupons.ts). */
  tierBenefits?: {
    afterEarning(tx: Tx, userId: string, before: Tier, after: Tier, at: Date): Promise<void>;
    afterTierDrop(tx: Tx, userId: string, after: Tier, at: Date): Promise<void>;
  };
}

export function createMembership({ database, audit, clock, ledger, memberCodes, log, tierBenefits }: MembershipDeps) {
  /** Who the order's points belong to: the buyer online; at the till, the owner of the receipt's member code (else nobody). */
  async function memberOf(tx: Tx, event: OrderEvent): Promise<string | null> {
    if (event.channel !== "store") return event.userId;
    if (!event.memberCode) return null;
    const owner = await memberCodes.ownerOf(tx, event.memberCode);
    if (!owner) log?.info("store receipt with an unknown member code earns nothing", { orderId: event.orderId });
    return owner;
  }

  const record = (tx: Tx, userId: string, action: string, data: Record<string, unknown>) => audit.record(tx, { actor: { type: "system", id: "membership" }, action, subject: `user:${userId}`, data });

  /** What this order's amount earns at the member's tier now (before the order itself counts). */
  async function earningAtTier(tx: Tx, userId: string, totalFen: number, currency: string, now: Date) {
    const tier = tierFor(await ledger.spendSince(tx, userId, now));
    return { tier, points: pointsEarned(totalFen, currency, tier) };
  }

  /** Gives back (a share of) the points an order spent; `share` is the refunded part of what was paid. */
  async function returnRedemption(tx: Tx, event: OrderEvent, share = 1) {
    const spent = await ledger.entryOf(tx, event.orderId, "redeemed");
    if (!spent) return;
    const points = Math.floor(-spent.delta * share);
    if (await ledger.post(tx, { userId: event.userId, delta: points, reason: "redemption_returned", orderId: event.orderId, storeId: event.storeId, at: event.at })) {
      await record(tx, event.userId, "points.redemption_returned", { orderId: event.orderId, points });
    }
  }

  const orderEvents: OrderEvents = {
    async paid(tx, event) {
      const userId = await memberOf(tx, event);
      if (!userId || event.currency !== MEMBERSHIP_CURRENCY) return;
      if (await ledger.entryOf(tx, event.orderId, "order_paid")) return;
      const { tier, points } = await earningAtTier(tx, userId, event.totalFen, event.currency, event.at);
      // Posted even when it earns 0 points: the spend still counts towards the tier.
      const posted = await ledger.post(tx, { userId, delta: points, reason: "order_paid", orderId: event.orderId, storeId: event.storeId, spendFen: event.totalFen, note: event.channel === "store" ? "store" : null, at: event.at });
      if (!posted) return;
      await record(tx, userId, "points.earned", { orderId: event.orderId, points, tier: tier.id, spendFen: event.totalFen, channel: event.channel });
      await tierBenefits?.afterEarning(tx, userId, tier, tierFor(await ledger.spendSince(tx, userId, event.at)), event.at);
    },

    async refunded(tx, event) {
      const userId = await memberOf(tx, event);
      if (!userId) return;
      const before = tierFor(await ledger.spendSince(tx, userId, event.at));
      if (event.channel === "store") {
        await deductStoreRefund(tx, event, userId);
      } else {
        const earned = await ledger.entryOf(tx, event.orderId, "order_paid");
        // A partial refund takes back its share of what was earned (and returns its share of points spent).
        const share = earned && earned.spendFen > 0 ? Math.min(1, Math.max(0, event.totalFen) / earned.spendFen) : 1;
        if (earned) await reverseEarning(tx, event, earned, share);
        await returnRedemption(tx, event, share);
      }
      // The refund took the spend below the tier: benefits of the tiers above go back (pay, collect, refund).
      const after = tierFor(await ledger.spendSince(tx, userId, event.at));
      if (TIERS.indexOf(after) < TIERS.indexOf(before)) await tierBenefits?.afterTierDrop(tx, userId, after, event.at);
    },

    async closedUnpaid(tx, event) {
      await returnRedemption(tx, event);
    },
  };

  async function reverseEarning(tx: Tx, event: OrderEvent, earned: PointsEntry, share: number) {
    const userId = event.userId;
    const points = share === 1 ? earned.delta : Math.floor(earned.delta * share);
    const spendFen = share === 1 ? earned.spendFen : Math.min(earned.spendFen, event.totalFen);
    // Points already spent elsewhere may leave the member owing points: the balance may go below zero.
    const posted = await ledger.post(tx, { userId, delta: -points, reason: "order_refunded", orderId: event.orderId, storeId: event.storeId, spendFen: -spendFen, at: event.at }, { allowNegative: true });
    if (posted) await record(tx, userId, "points.reversed", { orderId: event.orderId, points, spendFen });
  }

  /**
   * A till's refund receipt is an order of its own, not linked to the sale it refunds: it takes back
   * what its amount earned at the tier before that amount counted (the spend includes the refunded
   * sale, which may itself have lifted the tier), and never more than the member's till sales earned
   * over the tier window, so a full refund of the only sale returns the balance to what it was.
   */
  async function deductStoreRefund(tx: Tx, event: OrderEvent, userId: string) {
    if (event.currency !== MEMBERSHIP_CURRENCY) return;
    const tier = tierFor(Math.max(0, (await ledger.spendSince(tx, userId, event.at)) - event.totalFen));
    const points = Math.min(pointsEarned(event.totalFen, event.currency, tier), await ledger.storeEarnedSince(tx, userId, event.at));
    const posted = await ledger.post(tx, { userId, delta: -points, reason: "order_refunded", orderId: event.orderId, storeId: event.storeId, spendFen: -event.totalFen, note: "store", at: event.at }, { allowNegative: true });
    if (posted) await record(tx, userId, "points.reversed", { orderId: event.orderId, points, spendFen: event.totalFen, channel: "store" });
  }

  const wallet: PointsWallet = {
    async redeemable(userId, payableFen, currency) {
      return maxRedeemablePoints(await ledger.balance(userId), payableFen, currency);
    },

    async valueOf(userId, points, payableFen, currency) {
      if (!Number.isSafeInteger(points) || points <= 0) return 0;
      return points <= maxRedeemablePoints(await ledger.balance(userId), payableFen, currency) ? pointsValueFen(points) : 0;
    },

    async spend(tx, { userId, orderId, storeId, points, payableFen, currency, now }) {
      if (points <= 0) return 0;
      if (points > maxRedeemablePoints(Number.MAX_SAFE_INTEGER, payableFen, currency)) throw new PointsOverCap();
      if (points > (await ledger.balanceIn(tx, userId))) throw new NotEnoughPoints();
      await ledger.post(tx, { userId, delta: -points, reason: "redeemed", orderId, storeId, at: now });
      await audit.record(tx, { actor: { type: "user", id: userId }, action: "points.redeemed", subject: `user:${userId}`, data: { orderId, points } });
      return pointsValueFen(points);
    },
  };

  return {
    orderEvents,
    wallet,

    /** The member page's figures; issues the member code on the first visit. */
    async summary(userId: string): Promise<MembershipSummary> {
      const [balance, spendFen, memberCode] = [await ledger.balance(userId), await ledger.spendSince(database.db, userId, clock.now()), await memberCodes.codeOf(userId)];
      return { balance, spendFen, progress: tierProgress(spendFen), memberCode };
    },

    history: (userId: string, limit?: number) => ledger.history(userId, limit),

    /** Erasure: the member code goes; the ledger rows stay (see member-codes.ts). */
    eraseMemberCode: (userId: string) => memberCodes.erase(userId),
  };
}

export type Membership = ReturnType<typeof createMembership>;
