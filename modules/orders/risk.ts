// Risk control on orders. The rules run inside placeOrder's transaction after the order row is
// written, so orders placed at the same moment count each other. Any rule that fires holds the order
// (order_holds, status "held"): it cannot be shipped until a compliance officer releases it, or the
// officer cancels it (its units, coupon and flash-sale units go back as when a shopper cancels).
// Thresholds live in risk_settings (set by officers, audited); the defaults below apply otherwise.
//
// Shipping addresses are sealed, so the per-address rules (velocity, new accounts with coupons)
// count by orders.address_key, a keyed fingerprint of the normalised address (address-key.ts),
// and never open a seal inside the write transaction. Till sales have no address key.
// Officers see held orders' addresses masked, and reveal one with a reason (address-reveal.ts).
import { and, countDistinct, desc, eq, gte, inArray, isNotNull, lt, ne, sql, type SQL } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { orderHolds, orders, riskSettings } from "../../db/schema/orders-checkout.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { DomainError } from "../../src/platform/errors.ts";
import type { Logger } from "../../src/platform/logging.ts";
import { money, type Money } from "../../src/platform/money.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import type { Sealer } from "../../src/platform/sealing.ts";
import { OrderStateConflict } from "./errors.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { CardPayments } from "./payments/provider.ts";
import { maskedAddressOf, type Address, type OrderRow } from "./order-records.ts";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Each threshold: its default and the bounds an officer may set it within. */
export const riskRules = {
  /** More than this many orders from one account in an hour. */
  account_orders_per_hour: { default: 10, min: 1, max: 1000 },
  /** More than this many orders from one client IP in an hour. */
  ip_orders_per_hour: { default: 30, min: 1, max: 10_000 },
  /** More than this many orders from one browser (the bc_device cookie) in an hour. */
  device_orders_per_hour: { default: 20, min: 1, max: 10_000 },
  /** More than this many orders to one shipping address (whoever places them) in 24 hours. */
  address_orders_per_day: { default: 10, min: 1, max: 10_000 },
  /** This many new accounts (first order) using coupons from one IP, browser or shipping address within 24 hours. */
  coupon_new_accounts_per_day: { default: 3, min: 2, max: 1000 },
  /** The refund-rate rule applies to accounts with at least this many orders… */
  refund_min_orders: { default: 5, min: 1, max: 1000 },
  /** …whose refunded share is at least this percentage. */
  refund_rate_percent: { default: 50, min: 1, max: 100 },
  /** 1: hold an order a host places in their own live session; 0: off. */
  host_own_room: { default: 1, min: 0, max: 1 },
} as const;

export type RiskRuleName = keyof typeof riskRules;
export type RiskThresholds = Record<RiskRuleName, number>;
export const riskRuleNames = Object.keys(riskRules) as RiskRuleName[];

export type RiskReasonRule = "account_velocity" | "ip_velocity" | "device_velocity" | "address_velocity" | "host_own_room" | "coupon_abuse" | "refund_rate";
export interface RiskReason {
  rule: RiskReasonRule;
  detail: string;
}

/** Shipping a held order: a conflict (409) the merchant's order page shows in place. */
export class OrderHeld extends OrderStateConflict {
  override readonly messageKey: MessageKey = "risk.error.held";
  constructor() {
    super("order_held");
  }
}

export class HoldNotOpen extends DomainError {
  constructor() {
    super(409, "hold_not_open", "risk.error.not_open");
  }
}

export interface HeldOrder {
  orderId: string;
  number: string;
  status: OrderRow["status"];
  total: Money;
  placedAt: Date;
  heldAt: Date;
  reasons: RiskReason[];
  /** Masked (src/platform/masking.ts); officers reveal it with a reason. */
  maskedAddress: Address;
}

export interface RiskCheckInput {
  orderId: string;
  userId: string;
  channel: "storefront" | "live" | "store";
  liveSessionId: string | null;
  clientIp: string | null;
  clientDevice: string | null;
  /** orders.address_key of the order: null for till sales. */
  addressKey: string | null;
  usedCoupon: boolean;
}

export async function thresholdsOf(q: Tx | Database["db"]): Promise<RiskThresholds> {
  const rows = await q.select({ rule: riskSettings.rule, value: riskSettings.value }).from(riskSettings);
  const values = Object.fromEntries(riskRuleNames.map((rule) => [rule, riskRules[rule].default])) as RiskThresholds;
  for (const row of rows) if (row.rule in riskRules) values[row.rule as RiskRuleName] = row.value;
  return values;
}

/** Whether an order is held by risk control now. */
export async function isHeld(q: Tx | Database["db"], orderId: string): Promise<boolean> {
  const [row] = await q.select({ status: orderHolds.status }).from(orderHolds).where(eq(orderHolds.orderId, orderId));
  return row?.status === "held";
}

export interface RiskDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  lifecycle: Lifecycle;
  cardPayments: CardPayments | null;
  /** Opens held orders' addresses to show them masked. */
  sealer: Sealer;
  log?: Logger;
  /** The host of a live session (from the live module), or null when unknown. */
  liveSessionHost?: (liveSessionId: string) => Promise<string | null>;
}

export function createRisk({ database, audit, clock, lifecycle, cardPayments, sealer, log, liveSessionHost }: RiskDeps) {
  const { db } = database;

  /** New accounts (this order is their first) that used a coupon from the same IP, browser or shipping address in 24 hours. */
  async function newCouponAccounts(tx: Tx, column: typeof orders.clientIp | typeof orders.clientDevice | typeof orders.addressKey, value: string, since: Date): Promise<number> {
    const [row] = await tx
      .select({ n: countDistinct(orders.userId) })
      .from(orders)
      .where(
        and(
          eq(column, value),
          gte(orders.createdAt, since),
          isNotNull(orders.couponClaimId),
          sql`NOT EXISTS (SELECT 1 FROM orders earlier WHERE earlier.user_id = ${orders.userId} AND earlier.created_at < ${orders.createdAt})`,
        ),
      );
    return row?.n ?? 0;
  }

  /** Runs every rule for an order just written in `tx`; holds it (and audits) when any fires. */
  async function evaluate(tx: Tx, input: RiskCheckInput, now: Date, hostOfSession: string | null): Promise<RiskReason[]> {
    const limits = await thresholdsOf(tx);
    const hourAgo = new Date(now.getTime() - HOUR_MS);
    const dayAgo = new Date(now.getTime() - DAY_MS);
    const reasons: RiskReason[] = [];

    // Every count the rules need, in one statement: on a libSQL server each statement of the order's
    // transaction is a round trip while the write lock is held.
    const counted = (condition: SQL | undefined) => sql<number>`(SELECT count(*) FROM ${orders} WHERE ${condition})`;
    const none = sql<number>`0`;
    const settled = inArray(orders.status, ["paid", "shipped", "delivered", "completed", "refunded"]);
    const others = and(eq(orders.userId, input.userId), ne(orders.id, input.orderId));
    const c = await tx.get<Record<"byAccount" | "byIp" | "byDevice" | "byAddress" | "earlier" | "settled" | "refunded", number>>(
      sql`SELECT ${counted(and(eq(orders.userId, input.userId), gte(orders.createdAt, hourAgo)))} AS byAccount,
        ${input.clientIp ? counted(and(eq(orders.clientIp, input.clientIp), gte(orders.createdAt, hourAgo))) : none} AS byIp,
        ${input.clientDevice ? counted(and(eq(orders.clientDevice, input.clientDevice), gte(orders.createdAt, hourAgo))) : none} AS byDevice,
        ${input.addressKey ? counted(and(eq(orders.addressKey, input.addressKey), gte(orders.createdAt, dayAgo))) : none} AS byAddress,
        ${counted(and(others, lt(orders.createdAt, now)))} AS earlier,
        ${counted(and(others, settled))} AS settled,
        ${counted(and(others, eq(orders.status, "refunded")))} AS refunded`,
    );
    const byAccount = Number(c!.byAccount);
    if (byAccount > limits.account_orders_per_hour) reasons.push({ rule: "account_velocity", detail: `${byAccount} orders from this account in the last hour (limit ${limits.account_orders_per_hour})` });
    const byIp = Number(c!.byIp);
    if (input.clientIp && byIp > limits.ip_orders_per_hour) reasons.push({ rule: "ip_velocity", detail: `${byIp} orders from IP ${input.clientIp} in the last hour (limit ${limits.ip_orders_per_hour})` });
    const byDevice = Number(c!.byDevice);
    if (input.clientDevice && byDevice > limits.device_orders_per_hour) reasons.push({ rule: "device_velocity", detail: `${byDevice} orders from one browser in the last hour (limit ${limits.device_orders_per_hour})` });
    const byAddress = Number(c!.byAddress);
    if (input.addressKey && byAddress > limits.address_orders_per_day) reasons.push({ rule: "address_velocity", detail: `${byAddress} orders to one shipping address in 24 hours (limit ${limits.address_orders_per_day})` });
    if (limits.host_own_room === 1 && input.channel === "live" && hostOfSession !== null && hostOfSession === input.userId) {
      reasons.push({ rule: "host_own_room", detail: `the buyer hosts live session ${input.liveSessionId}` });
    }
    if (input.usedCoupon) {
      const firstOrder = Number(c!.earlier) === 0;
      if (firstOrder) {
        const sources = [[orders.clientIp, input.clientIp, "IP"], [orders.clientDevice, input.clientDevice, "browser"], [orders.addressKey, input.addressKey, "shipping address"]] as const;
        for (const [column, value, what] of sources) {
          if (!value) continue;
          const accounts = await newCouponAccounts(tx, column, value, dayAgo);
          if (accounts >= limits.coupon_new_accounts_per_day) {
            reasons.push({ rule: "coupon_abuse", detail: `${accounts} new accounts used coupons from one ${what} in 24 hours (limit ${limits.coupon_new_accounts_per_day})` });
            break;
          }
        }
      }
    }
    const total = Number(c!.settled);
    const refunded = Number(c!.refunded);
    if (total >= limits.refund_min_orders && refunded * 100 >= limits.refund_rate_percent * total) {
      reasons.push({ rule: "refund_rate", detail: `${refunded} of ${total} orders refunded (limit ${limits.refund_rate_percent} % of at least ${limits.refund_min_orders})` });
    }

    if (reasons.length > 0) {
      await tx.insert(orderHolds).values({ orderId: input.orderId, reasons: JSON.stringify(reasons), status: "held", createdAt: now });
      await audit.record(tx, { actor: { type: "system", id: "risk" }, action: "order.held", subject: `order:${input.orderId}`, data: { reasons } });
    }
    return reasons;
  }

  return {
    /**
     * For placeOrder: looks up what is needed outside the transaction (the session's host), and
     * returns the check to run inside it.
     */
    async prepare(input: Pick<RiskCheckInput, "channel" | "liveSessionId">) {
      const host = input.channel === "live" && input.liveSessionId && liveSessionHost ? await liveSessionHost(input.liveSessionId).catch(() => null) : null;
      return (tx: Tx, check: RiskCheckInput, now: Date) => evaluate(tx, check, now, host);
    },

    thresholds: () => thresholdsOf(db),

    async setThresholds(actor: Actor, values: RiskThresholds) {
      const now = clock.now();
      await database.write(async (tx) => {
        const before = await thresholdsOf(tx);
        const changed = riskRuleNames.filter((rule) => before[rule] !== values[rule]);
        if (changed.length === 0) return;
        for (const rule of changed) {
          await tx
            .insert(riskSettings)
            .values({ rule, value: values[rule], updatedBy: actor.id, updatedAt: now })
            .onConflictDoUpdate({ target: riskSettings.rule, set: { value: values[rule], updatedBy: actor.id, updatedAt: now } });
        }
        await audit.record(tx, { actor, action: "risk.thresholds_changed", subject: "risk:thresholds", data: Object.fromEntries(changed.map((rule) => [rule, { from: before[rule], to: values[rule] }])) });
      });
    },

    /** Orders held now, oldest first. */
    async held(limit = 200): Promise<HeldOrder[]> {
      const rows = await db
        .select({ hold: orderHolds, order: orders })
        .from(orderHolds)
        .innerJoin(orders, eq(orders.id, orderHolds.orderId))
        .where(eq(orderHolds.status, "held"))
        .orderBy(desc(orderHolds.createdAt))
        .limit(limit);
      return Promise.all(
        rows.map(async ({ hold, order }) => ({
          orderId: order.id,
          number: order.number,
          status: order.status,
          total: money(order.totalFen, order.currency),
          placedAt: order.createdAt,
          heldAt: hold.createdAt,
          reasons: JSON.parse(hold.reasons) as RiskReason[],
          maskedAddress: await maskedAddressOf(order.addressSealed, sealer),
        })),
      );
    },

    /** The hold on an order, if any (for the merchant's order page). */
    async holdOf(orderId: string): Promise<{ status: "held" | "released" | "cancelled"; reasons: RiskReason[] } | null> {
      const [hold] = await db.select().from(orderHolds).where(eq(orderHolds.orderId, orderId));
      return hold ? { status: hold.status, reasons: JSON.parse(hold.reasons) as RiskReason[] } : null;
    },

    /** The officer lets the order go on: it may be shipped now. */
    async release(actor: Actor, orderId: string, note: string) {
      const now = clock.now();
      await database.write(async (tx) => {
        const moved = await tx.update(orderHolds).set({ status: "released", decidedBy: actor.id, decidedAt: now, note }).where(and(eq(orderHolds.orderId, orderId), eq(orderHolds.status, "held")));
        if (moved.rowsAffected !== 1) throw new HoldNotOpen();
        await audit.record(tx, { actor, action: "order.hold_released", subject: `order:${orderId}`, data: { note } });
      });
    },

    /**
     * The officer stops the order: it is cancelled, its units, coupon and flash-sale units go back.
     * A card payment already taken is refunded with the provider after the transaction.
     */
    async cancel(actor: Actor, orderId: string, note: string) {
      const now = clock.now();
      const closed = await database.write(async (tx) => {
        const moved = await tx.update(orderHolds).set({ status: "cancelled", decidedBy: actor.id, decidedAt: now, note }).where(and(eq(orderHolds.orderId, orderId), eq(orderHolds.status, "held")));
        if (moved.rowsAffected !== 1) throw new HoldNotOpen();
        const result = await lifecycle.closeHeld(tx, actor, orderId, now);
        await audit.record(tx, { actor, action: "order.hold_cancelled", subject: `order:${orderId}`, data: { note, wasPaid: result.wasPaid, refundDue: result.refund ? "card" : result.wasPaid ? "offline" : null } });
        return result;
      });
      if (closed.refund && cardPayments) {
        const { providerRef, amountFen, currency, paymentId } = closed.refund;
        try {
          const { refundRef } = await cardPayments.refund({ providerRef, amount: { amount: amountFen, currency }, refundKey: `risk-${paymentId}` });
          await database.write((tx) => audit.record(tx, { actor, action: "payment.risk_refunded", subject: `order:${orderId}`, data: { providerRef, refundRef, amountFen } }));
        } catch (error) {
          log?.error("refund of a cancelled held order failed", { orderId, error: (error as Error).message });
        }
      }
    },
  };
}

export type Risk = ReturnType<typeof createRisk>;
