// What other modules learn about an order's money, told inside the transaction that moved it: a
// listener's writes (points, referral rewards, group seats) commit or roll back with the payment
// itself, so nothing is earned for a payment that did not happen and nothing paid goes unearned.
// A listener that throws fails the transition; listeners must be idempotent per order.
import { eq } from "drizzle-orm";
import type { Tx } from "../../db/database.ts";
import { orderItems } from "../../db/schema/orders-checkout.ts";
import type { OrderRow } from "./order-records.ts";

export interface OrderEventLine {
  productId: string;
  skuId: string;
  quantity: number;
}

export interface OrderEvent {
  orderId: string;
  userId: string;
  storeId: string;
  channel: OrderRow["channel"];
  liveSessionId: string | null;
  /** What the shopper paid (or, for a refund, got back), in minor units. */
  totalFen: number;
  currency: string;
  clientDevice: string | null;
  addressKey: string | null;
  /** A store receipt's member code (from the till), null for online orders. */
  memberCode: string | null;
  lines: OrderEventLine[];
  at: Date;
}

export interface OrderEvents {
  /** The order is paid (card, offline confirmation, or a till's sale receipt). */
  paid?(tx: Tx, event: OrderEvent): Promise<void>;
  /**
   * Money went back: an after-sales refund, risk control cancelling a paid order, a till's refund
   * receipt (then `orderId` is the refund receipt's own order).
   */
  refunded?(tx: Tx, event: OrderEvent): Promise<void>;
  /** An unpaid order closed (cancelled, expired, stopped by risk control): what was set aside for it goes back. */
  closedUnpaid?(tx: Tx, event: OrderEvent): Promise<void>;
}

/** The event of an order; `lines` when the caller has them at hand (it just wrote them), else read back. */
export async function orderEventOf(tx: Tx, order: OrderRow, at: Date, memberCode: string | null = null, knownLines?: OrderEventLine[]): Promise<OrderEvent> {
  const lines = knownLines ?? (await tx.select({ productId: orderItems.productId, skuId: orderItems.skuId, quantity: orderItems.quantity }).from(orderItems).where(eq(orderItems.orderId, order.id)));
  return {
    orderId: order.id,
    userId: order.userId,
    storeId: order.storeId,
    channel: order.channel,
    liveSessionId: order.liveSessionId,
    totalFen: order.totalFen,
    currency: order.currency,
    clientDevice: order.clientDevice,
    addressKey: order.addressKey,
    memberCode,
    lines,
    at,
  };
}

/** Tells every listener, in order, inside `tx`. */
export function combineOrderEvents(listeners: readonly OrderEvents[]): Required<OrderEvents> {
  return {
    async paid(tx, event) {
      for (const listener of listeners) await listener.paid?.(tx, event);
    },
    async refunded(tx, event) {
      for (const listener of listeners) await listener.refunded?.(tx, event);
    },
    async closedUnpaid(tx, event) {
      for (const listener of listeners) await listener.closedUnpaid?.(tx, event);
    },
  };
}
