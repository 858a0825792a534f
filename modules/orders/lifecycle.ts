// An order's life after checkout: pending payment → paid → shipped → delivered → completed, or
// cancelled / expired before payment. Every step is a conditional update on the status it starts
// from, so a step taken twice (two staff, a redelivered webhook, two expiry jobs) happens once.
import { and, eq, inArray, lte, or } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { orderItems, orders, payments, webhookEvents } from "../../db/schema/orders-checkout.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { Forbidden } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import type { Logger } from "../../src/platform/logging.ts";
import type { Coupons } from "./coupons.ts";
import { AwaitingGroup, OrderNotFound, OrderStateConflict } from "./errors.ts";
import { isStoreStaff, type OrderRow, type OrderStatus } from "./order-records.ts";
import type { CardPayments, PaymentEvent } from "./payments/provider.ts";
import { returnStock } from "./stock.ts";
import { releaseFlashSaleUnits } from "./flash-sales.ts";
import { isHeld, OrderHeld } from "./risk.ts";
import { orderEventOf, type OrderEvents } from "./order-events.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
export const AUTO_COMPLETE_AFTER_DELIVERY_MS = 7 * DAY_MS;
export const AUTO_COMPLETE_AFTER_SHIPPING_MS = 15 * DAY_MS;

export interface LifecycleDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  coupons: Coupons;
  cardPayments: CardPayments | null;
  log?: Logger;
  /** Told inside the transaction when an order is paid, refunded, or closed unpaid. */
  events: Required<OrderEvents>;
}

export function createLifecycle({ database, audit, clock, coupons, cardPayments, log, events }: LifecycleDeps) {
  const { db } = database;

  /** Moves an order from one of `from` to `to`; false if it was not in one of them (someone was first). */
  async function move(tx: Tx, orderId: string, from: readonly OrderStatus[], to: OrderStatus, set: Partial<OrderRow> = {}): Promise<boolean> {
    const moved = await tx.update(orders).set({ ...set, status: to }).where(and(eq(orders.id, orderId), inArray(orders.status, [...from])));
    return moved.rowsAffected === 1;
  }

  async function row(tx: Tx | typeof db, orderId: string): Promise<OrderRow> {
    const [found] = await tx.select().from(orders).where(eq(orders.id, orderId));
    if (!found) throw new OrderNotFound();
    return found;
  }

  /** The units of an unpaid order (or a paid one risk control stops) go back on sale and its coupon back to the shopper. */
  async function releaseUnpaid(tx: Tx, order: OrderRow, actorId: string, now: Date, wasPaid = false) {
    const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, order.id));
    for (const item of items) await returnStock(tx, { skuId: item.skuId, quantity: item.quantity, orderId: order.id, actorId }, now, "release");
    await coupons.releaseClaim(tx, order.id);
    await releaseFlashSaleUnits(tx, order.id);
    if (!wasPaid) await events.closedUnpaid(tx, await orderEventOf(tx, order, now));
  }

  /** Merchant actions: the actor must be staff (owner or staff) of the order's store. */
  async function staffOrder(tx: Tx, actor: Actor, orderId: string): Promise<OrderRow> {
    const order = await row(tx, orderId);
    if (!(await isStoreStaff(tx, order.storeId, actor.id))) throw new Forbidden();
    return order;
  }

  async function markPaid(tx: Tx, order: OrderRow, now: Date): Promise<boolean> {
    if (!(await move(tx, order.id, ["pending_payment"], "paid", { paidAt: now }))) return false;
    await events.paid(tx, await orderEventOf(tx, order, now));
    return true;
  }

  return {
    /** A verified payment event from the card provider. Returns what it did, for the webhook's answer. */
    async applyPaymentEvent(event: PaymentEvent): Promise<"applied" | "duplicate" | "ignored" | "refunding_late_payment"> {
      const now = clock.now();
      const late: { refund?: { providerRef: string; amountFen: number; currency: string; paymentId: string } } = {};
      const outcome = await database.write(async (tx) => {
        const first = await tx.insert(webhookEvents).values({ provider: "stripe", eventId: event.eventId, type: event.providerType, receivedAt: now }).onConflictDoNothing();
        if (first.rowsAffected === 0) return "duplicate" as const;
        if (event.type !== "payment.succeeded" && event.type !== "payment.failed") return "ignored" as const;
        const [payment] = event.providerRef ? await tx.select().from(payments).where(eq(payments.providerRef, event.providerRef)) : [];
        if (!payment) return "ignored" as const;
        // The same payment reported again under another event (the confirm response, then the webhook).
        if (payment.status === "succeeded") return "duplicate" as const;
        const order = await row(tx, payment.orderId);
        const actor: Actor = { type: "system", id: "stripe" };
        if (event.type === "payment.failed") {
          await tx.update(payments).set({ status: "failed", updatedAt: now }).where(eq(payments.id, payment.id));
          await audit.record(tx, { actor, action: "payment.failed", subject: `order:${order.id}`, data: { eventId: event.eventId, providerRef: payment.providerRef } });
          return "applied" as const;
        }
        if (event.amount && (event.amount.amount !== payment.amountFen || event.amount.currency !== payment.currency)) {
          log?.error("payment amount differs from the order", { orderId: order.id, expected: payment.amountFen, got: event.amount.amount });
          await audit.record(tx, { actor, action: "payment.amount_mismatch", subject: `order:${order.id}`, data: { eventId: event.eventId, expectedFen: payment.amountFen, gotFen: event.amount.amount } });
          return "ignored" as const;
        }
        await tx.update(payments).set({ status: "succeeded", updatedAt: now }).where(eq(payments.id, payment.id));
        if (await markPaid(tx, order, now)) {
          await audit.record(tx, { actor, action: "order.paid", subject: `order:${order.id}`, data: { eventId: event.eventId, providerRef: payment.providerRef, amountFen: payment.amountFen } });
          return "applied" as const;
        }
        // Paid after the order expired or was cancelled: its units may be sold again, so the money goes back.
        await audit.record(tx, { actor, action: "payment.late", subject: `order:${order.id}`, data: { eventId: event.eventId, status: order.status } });
        late.refund = { providerRef: payment.providerRef!, amountFen: payment.amountFen, currency: payment.currency, paymentId: payment.id };
        return "refunding_late_payment" as const;
      });
      if (late.refund && cardPayments) {
        const { providerRef, amountFen, currency, paymentId } = late.refund;
        const { refundRef } = await cardPayments.refund({ providerRef, amount: { amount: amountFen, currency }, refundKey: `late-${paymentId}` });
        await database.write(async (tx) => {
          const [payment] = await tx.select({ orderId: payments.orderId }).from(payments).where(eq(payments.id, paymentId));
          await audit.record(tx, { actor: { type: "system", id: "stripe" }, action: "payment.late_refunded", subject: `order:${payment!.orderId}`, data: { providerRef, refundRef, amountFen } });
        });
      }
      return outcome;
    },

    async confirmOfflinePayment(actor: Actor, orderId: string) {
      const now = clock.now();
      await database.write(async (tx) => {
        const order = await staffOrder(tx, actor, orderId);
        if (order.paymentMethod !== "offline" || !(await markPaid(tx, order, now))) throw new OrderStateConflict();
        await tx.insert(payments).values({ id: newId("pay", now.getTime()), orderId, provider: "offline", status: "succeeded", amountFen: order.totalFen, currency: order.currency, confirmedBy: actor.id, createdAt: now, updatedAt: now });
        await audit.record(tx, { actor, action: "order.paid", subject: `order:${orderId}`, data: { provider: "offline", amountFen: order.totalFen } });
      });
    },

    async ship(actor: Actor, orderId: string, carrier: string, trackingNumber: string) {
      const now = clock.now();
      await database.write(async (tx) => {
        const order = await staffOrder(tx, actor, orderId);
        // Held by risk control: not shipped until a compliance officer releases it.
        if (await isHeld(tx, orderId)) throw new OrderHeld();
        if (order.fulfilmentHold === "group_buy") throw new AwaitingGroup();
        if (!(await move(tx, orderId, ["paid"], "shipped", { carrier, trackingNumber, shippedAt: now }))) throw new OrderStateConflict();
        await audit.record(tx, { actor, action: "order.shipped", subject: `order:${orderId}`, data: { carrier, trackingNumber } });
      });
    },

    async markDelivered(actor: Actor, orderId: string) {
      const now = clock.now();
      await database.write(async (tx) => {
        await staffOrder(tx, actor, orderId);
        if (!(await move(tx, orderId, ["shipped"], "delivered", { deliveredAt: now }))) throw new OrderStateConflict();
        await audit.record(tx, { actor, action: "order.delivered", subject: `order:${orderId}`, data: {} });
      });
    },

    async confirmReceipt(userId: string, orderId: string) {
      const now = clock.now();
      await database.write(async (tx) => {
        const order = await row(tx, orderId);
        if (order.userId !== userId) throw new OrderNotFound();
        if (!(await move(tx, orderId, ["shipped", "delivered"], "completed", { completedAt: now }))) throw new OrderStateConflict();
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "order.completed", subject: `order:${orderId}`, data: {} });
      });
    },

    /** The shopper cancels before paying. (After paying, a refund goes through after-sales.) */
    async cancel(userId: string, orderId: string) {
      const now = clock.now();
      await database.write(async (tx) => {
        const order = await row(tx, orderId);
        if (order.userId !== userId) throw new OrderNotFound();
        if (!(await move(tx, orderId, ["pending_payment"], "cancelled", { closedAt: now }))) throw new OrderStateConflict();
        await releaseUnpaid(tx, order, userId, now);
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "order.cancelled", subject: `order:${orderId}`, data: {} });
      });
    },

    /**
     * Risk control (a compliance officer) cancels a held order inside its own transaction: unpaid or
     * paid but unshipped, its units, coupon and flash-sale units go back as when a shopper cancels.
     * Returns the card payment to refund, if one was taken; an offline payment is refunded by hand.
     */
    async closeHeld(tx: Tx, actor: Actor, orderId: string, now: Date, by: "risk_control" | "group_buy" = "risk_control"): Promise<{ wasPaid: boolean; refund: { providerRef: string; amountFen: number; currency: string; paymentId: string } | null }> {
      const order = await row(tx, orderId);
      // A paid order stopped before shipping ends refunded when its group failed (the shopper did nothing wrong), cancelled when risk control stopped it.
      const paidTo = by === "group_buy" ? "refunded" : "cancelled";
      const closed = order.status === "paid" ? await move(tx, orderId, ["paid"], paidTo, { closedAt: now }) : await move(tx, orderId, ["pending_payment"], "cancelled", { closedAt: now });
      if (!closed) throw new OrderStateConflict();
      await releaseUnpaid(tx, order, actor.id, now, order.status === "paid");
      await audit.record(tx, { actor, action: order.status === "paid" && paidTo === "refunded" ? "order.refunded" : "order.cancelled", subject: `order:${orderId}`, data: { by, from: order.status } });
      if (order.status !== "paid") return { wasPaid: false, refund: null };
      await events.refunded(tx, await orderEventOf(tx, order, now));
      const [card] = await tx.select().from(payments).where(and(eq(payments.orderId, orderId), eq(payments.provider, "stripe"), eq(payments.status, "succeeded")));
      return { wasPaid: true, refund: card?.providerRef ? { providerRef: card.providerRef, amountFen: card.amountFen, currency: card.currency, paymentId: card.id } : null };
    },

    /** A group-buy order's group filled: it may ship now. False when it was not waiting (told before). */
    async releaseGroupHold(tx: Tx, actor: Actor, orderId: string): Promise<boolean> {
      const released = await tx.update(orders).set({ fulfilmentHold: null }).where(and(eq(orders.id, orderId), eq(orders.fulfilmentHold, "group_buy")));
      if (released.rowsAffected !== 1) return false;
      await audit.record(tx, { actor, action: "order.group_confirmed", subject: `order:${orderId}`, data: {} });
      return true;
    },

    /**
     * Completes orders the shopper never confirmed: seven days after delivery, or fifteen after
     * shipping when no delivery was recorded (as shopping platforms auto-confirm receipt).
     */
    async completeUnconfirmed(limit = 200): Promise<number> {
      const now = clock.now();
      const due = await db
        .select({ id: orders.id, status: orders.status })
        .from(orders)
        .where(
          or(
            and(eq(orders.status, "delivered"), lte(orders.deliveredAt, new Date(now.getTime() - AUTO_COMPLETE_AFTER_DELIVERY_MS))),
            and(eq(orders.status, "shipped"), lte(orders.shippedAt, new Date(now.getTime() - AUTO_COMPLETE_AFTER_SHIPPING_MS))),
          ),
        )
        .limit(limit);
      let completed = 0;
      for (const { id, status } of due) {
        const done = await database.write(async (tx) => {
          if (!(await move(tx, id, [status], "completed", { completedAt: now }))) return false;
          await audit.record(tx, { actor: { type: "system", id: "auto_complete" }, action: "order.completed", subject: `order:${id}`, data: { after: status } });
          return true;
        });
        if (done) completed += 1;
      }
      return completed;
    },

    /**
     * Expires unpaid orders whose time is up and puts their units back. Safe to run anywhere, any
     * number of times at once: each order's release rides on its own conditional status change.
     */
    async expireUnpaid(limit = 200): Promise<number> {
      const now = clock.now();
      const due = await db.select({ id: orders.id }).from(orders).where(and(eq(orders.status, "pending_payment"), lte(orders.expiresAt, now))).limit(limit);
      let expired = 0;
      for (const { id } of due) {
        const done = await database.write(async (tx) => {
          const order = await row(tx, id);
          if (!(await move(tx, id, ["pending_payment"], "expired", { closedAt: now }))) return false;
          await releaseUnpaid(tx, order, "system:expiry", now);
          await audit.record(tx, { actor: { type: "system", id: "expiry" }, action: "order.expired", subject: `order:${id}`, data: { expiresAt: order.expiresAt.toISOString() } });
          return true;
        });
        if (done) expired += 1;
      }
      return expired;
    },
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
