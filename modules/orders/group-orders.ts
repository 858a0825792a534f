// Group-buy orders as the social module settles them: when a group fills, each member's order is
// released to ship; when its window closes unfilled, each order is closed and paid money goes back
// (a card payment through the provider, an offline one recorded as due back by hand).
import type { Database, Tx } from "../../db/database.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import type { Logger } from "../../src/platform/logging.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { CardPayments } from "./payments/provider.ts";

export function createGroupOrders({ database, audit, clock, lifecycle, cardPayments, log }: { database: Database; audit: AuditTrail; clock: Clock; lifecycle: Lifecycle; cardPayments: CardPayments | null; log?: Logger }) {
  return {
    /** Inside the social module's transaction: the group filled, the order may ship. */
    confirm: (tx: Tx, actor: Actor, orderId: string) => lifecycle.releaseGroupHold(tx, actor, orderId),

    /**
     * Closes a member's order of a group that did not fill: unpaid → cancelled, paid → refunded;
     * units, coupon and points go back. `inTx` runs the caller's own writes (the member's status) in
     * the same transaction. The card refund follows the transaction, keyed so a retry never pays twice.
     */
    async closeUnfilled(actor: Actor, orderId: string, inTx: (tx: Tx) => Promise<void>): Promise<{ wasPaid: boolean; refunded: "card" | "offline" | null }> {
      const now = clock.now();
      const closed = await database.write(async (tx) => {
        const result = await lifecycle.closeHeld(tx, actor, orderId, now, "group_buy");
        await inTx(tx);
        return result;
      });
      if (!closed.wasPaid) return { wasPaid: false, refunded: null };
      if (!closed.refund) return { wasPaid: true, refunded: "offline" };
      if (!cardPayments) {
        log?.error("group order paid by card but no card provider is configured", { orderId });
        return { wasPaid: true, refunded: null };
      }
      const { providerRef, amountFen, currency, paymentId } = closed.refund;
      try {
        const { refundRef } = await cardPayments.refund({ providerRef, amount: { amount: amountFen, currency }, refundKey: `group-${paymentId}` });
        await database.write((tx) => audit.record(tx, { actor, action: "payment.group_refunded", subject: `order:${orderId}`, data: { providerRef, refundRef, amountFen } }));
        return { wasPaid: true, refunded: "card" };
      } catch (error) {
        log?.error("refund of an unfilled group order failed", { orderId, error: (error as Error).message });
        await database.write((tx) => audit.record(tx, { actor, action: "payment.group_refund_failed", subject: `order:${orderId}`, data: { providerRef, amountFen, error: (error as Error).message } }));
        return { wasPaid: true, refunded: null };
      }
    },
  };
}

export type GroupOrders = ReturnType<typeof createGroupOrders>;
