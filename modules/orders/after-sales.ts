// After-sales: a shopper asks for a refund (refund only) or a return and refund, with a reason;
// merchant staff approve or reject; the money goes back through the way it was paid, and units
// come back to stock exactly once: on a return when the goods are received, on a refund-only
// request when the order had not shipped yet (the units never left the shop).
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { afterSales, orderItems, orders, payments } from "../../db/schema/orders-checkout.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { DomainError, Forbidden, NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { OrderNotFound, OrderStateConflict, PaymentUnavailable } from "./errors.ts";
import { isStoreStaff, type AfterSaleRow, type OrderRow } from "./order-records.ts";
import type { CardPayments } from "./payments/provider.ts";
import { returnStock } from "./stock.ts";
import { orderEventOf, type OrderEvents } from "./order-events.ts";

export class AfterSaleOpen extends DomainError {
  constructor() {
    super(409, "after_sale_open", "after_sales.open_exists");
  }
}

const REFUNDABLE: OrderRow["status"][] = ["paid", "shipped", "delivered", "completed"];
const RETURNABLE: OrderRow["status"][] = ["shipped", "delivered", "completed"];

export function createAfterSales({ database, audit, clock, cardPayments, events }: { database: Database; audit: AuditTrail; clock: Clock; cardPayments: CardPayments | null; events: Required<OrderEvents> }) {
  async function load(tx: Tx, id: string) {
    const [found] = await tx.select().from(afterSales).innerJoin(orders, eq(orders.id, afterSales.orderId)).where(eq(afterSales.id, id));
    if (!found) throw new NotFound("after_sale_not_found");
    return { request: found.after_sales, order: found.orders };
  }

  async function asStaff(tx: Tx, actor: Actor, id: string) {
    const found = await load(tx, id);
    if (!(await isStoreStaff(tx, found.order.storeId, actor.id))) throw new Forbidden();
    return found;
  }

  async function restock(tx: Tx, order: OrderRow, actorId: string, now: Date) {
    const items = await tx.select().from(orderItems).where(eq(orderItems.orderId, order.id));
    for (const item of items) await returnStock(tx, { skuId: item.skuId, quantity: item.quantity, orderId: order.id, actorId }, now, "return");
  }

  /** Sends the money back and closes the request; units return with it when `restockWith` says so. */
  async function refund(actor: Actor, id: string, restockWith: "return" | "unshipped" | "none") {
    const { request, order } = await database.write((tx) => asStaff(tx, actor, id));
    if (request.status !== "approved") throw new OrderStateConflict("after_sale_not_approved");
    const [payment] = await database.db.select().from(payments).where(and(eq(payments.orderId, order.id), eq(payments.status, "succeeded")));
    if (!payment) throw new OrderStateConflict("order_not_paid");
    let refundRef: string | null = null;
    if (payment.provider === "stripe") {
      if (!cardPayments) throw new PaymentUnavailable();
      // The request's id is the provider's idempotency key: a retry after a crash never refunds twice.
      refundRef = (await cardPayments.refund({ providerRef: payment.providerRef!, amount: { amount: request.amountFen, currency: order.currency }, refundKey: request.id })).refundRef;
    }
    const now = clock.now();
    await database.write(async (tx) => {
      const closed = await tx.update(afterSales).set({ status: "refunded", refundedAt: now, providerRefundRef: refundRef }).where(and(eq(afterSales.id, id), eq(afterSales.status, "approved")));
      if (closed.rowsAffected !== 1) return;
      if (restockWith === "unshipped") await restock(tx, order, actor.id, now);
      await tx.update(orders).set({ status: "refunded", closedAt: now }).where(eq(orders.id, order.id));
      await events.refunded(tx, { ...(await orderEventOf(tx, order, now)), totalFen: request.amountFen });
      await audit.record(tx, { actor, action: "order.refunded", subject: `order:${order.id}`, data: { afterSaleId: id, amountFen: request.amountFen, provider: payment.provider, refundRef, restocked: restockWith !== "none" } });
    });
  }

  return {
    async request(userId: string, orderId: string, kind: AfterSaleRow["kind"], reason: string): Promise<string> {
      const now = clock.now();
      const id = newId("afs", now.getTime());
      await database.write(async (tx) => {
        const [order] = await tx.select().from(orders).where(and(eq(orders.id, orderId), eq(orders.userId, userId)));
        if (!order) throw new OrderNotFound();
        if (!(kind === "return_and_refund" ? RETURNABLE : REFUNDABLE).includes(order.status)) throw new OrderStateConflict("not_refundable");
        const open = await tx.select({ id: afterSales.id }).from(afterSales).where(and(eq(afterSales.orderId, orderId), inArray(afterSales.status, ["requested", "approved"])));
        if (open.length) throw new AfterSaleOpen();
        await tx.insert(afterSales).values({ id, orderId, kind, reason, status: "requested", amountFen: order.totalFen, createdAt: now });
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "after_sale.requested", subject: `order:${orderId}`, data: { afterSaleId: id, kind, reason, amountFen: order.totalFen } });
      });
      return id;
    },

    async decide(actor: Actor, id: string, approve: boolean, note: string | null) {
      const now = clock.now();
      const { request, order } = await database.write(async (tx) => {
        const found = await asStaff(tx, actor, id);
        const decided = await tx
          .update(afterSales)
          .set({ status: approve ? "approved" : "rejected", decidedBy: actor.id, decisionNote: note, decidedAt: now })
          .where(and(eq(afterSales.id, id), eq(afterSales.status, "requested")));
        if (decided.rowsAffected !== 1) throw new OrderStateConflict("after_sale_decided");
        await audit.record(tx, { actor, action: approve ? "after_sale.approved" : "after_sale.rejected", subject: `order:${found.order.id}`, data: { afterSaleId: id, note } });
        return found;
      });
      // Refund only: the money goes back now. A return waits until the goods are received.
      if (approve && request.kind === "refund_only") await refund(actor, id, order.status === "paid" ? "unshipped" : "none");
    },

    /** Staff received the returned goods: the units go back to stock (once) and the money back to the shopper. */
    async confirmReturn(actor: Actor, id: string) {
      const now = clock.now();
      await database.write(async (tx) => {
        const { request, order } = await asStaff(tx, actor, id);
        if (request.kind !== "return_and_refund" || request.status !== "approved") throw new OrderStateConflict("after_sale_not_approved");
        // Marked once: a second click (or a retry after the refund failed) finds it marked and restocks nothing.
        const received = await tx.update(afterSales).set({ returnedAt: now }).where(and(eq(afterSales.id, id), isNull(afterSales.returnedAt)));
        if (received.rowsAffected !== 1) return;
        await restock(tx, order, actor.id, now);
        await audit.record(tx, { actor, action: "after_sale.goods_returned", subject: `order:${order.id}`, data: { afterSaleId: id } });
      });
      await refund(actor, id, "none");
    },

    async orderIdOf(id: string): Promise<string> {
      const [found] = await database.db.select({ orderId: afterSales.orderId }).from(afterSales).where(eq(afterSales.id, id));
      if (!found) throw new NotFound("after_sale_not_found");
      return found.orderId;
    },

    /** Retries the refund of an approved request whose provider call failed. */
    retryRefund: (actor: Actor, id: string) => refund(actor, id, "none"),
  };
}

export type AfterSales = ReturnType<typeof createAfterSales>;
