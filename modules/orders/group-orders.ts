// Group-buy orders as the social module settles them: when a group fills, each member's order is
// released to ship; when its window closes unfilled, each order is closed and paid money goes back
// (a card payment through the provider, an offline one recorded as due back by hand).
import { and, eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { payments } from "../../db/schema/orders-checkout.ts";
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
     * the same transaction.
     *
     * A card payment is refunded with the provider first, keyed by the payment, and the order closed
     * only once the provider has said yes: if the provider fails, nothing changes here and the next
     * run of the window job asks again (the key makes sure the shopper is refunded once).
     */
    async closeUnfilled(actor: Actor, orderId: string, inTx: (tx: Tx) => Promise<void>): Promise<{ wasPaid: boolean; refunded: "card" | "offline" | null }> {
      const [card] = await database.db
        .select()
        .from(payments)
        .where(and(eq(payments.orderId, orderId), eq(payments.provider, "stripe"), eq(payments.status, "succeeded")));
      let refundRef: string | null = null;
      if (card?.providerRef) {
        if (!cardPayments) {
          log?.error("group order paid by card but no card provider is configured; it stays open until one is", { orderId });
          return { wasPaid: true, refunded: null };
        }
        try {
          refundRef = (await cardPayments.refund({ providerRef: card.providerRef, amount: { amount: card.amountFen, currency: card.currency }, refundKey: `group-${card.id}` })).refundRef;
        } catch (error) {
          log?.error("refund of an unfilled group order failed; the window job tries again", { orderId, error: (error as Error).message });
          await database.write((tx) => audit.record(tx, { actor, action: "payment.group_refund_failed", subject: `order:${orderId}`, data: { providerRef: card.providerRef, amountFen: card.amountFen, error: (error as Error).message } }));
          return { wasPaid: true, refunded: null };
        }
      }
      const now = clock.now();
      const closed = await database.write(async (tx) => {
        const result = await lifecycle.closeHeld(tx, actor, orderId, now, "group_buy");
        if (refundRef && card) await audit.record(tx, { actor, action: "payment.group_refunded", subject: `order:${orderId}`, data: { providerRef: card.providerRef, refundRef, amountFen: card.amountFen } });
        await inTx(tx);
        return result;
      });
      if (!closed.wasPaid) return { wasPaid: false, refunded: null };
      return { wasPaid: true, refunded: refundRef ? "card" : "offline" };
    },
  };
}

export type GroupOrders = ReturnType<typeof createGroupOrders>;
