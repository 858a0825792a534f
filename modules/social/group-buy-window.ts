// The window job: a group still open when its window closes has failed. Each instance may run it;
// a group is claimed with a conditional status update, so only one instance closes it. Then every
// member still holding a seat is settled through the orders service (unpaid → cancelled, paid →
// refunded, a card through the provider; the SKU's units go back through orders), and the order
// events move each member's seat (group-buy-seats.ts) in the same transaction. The offer's units the
// group held since it started (one per seat) go back once, in the transaction that claims it as
// failed. Members left unsettled by a crash are picked up by the next run.
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { groupBuys, groupMembers, groupOffers } from "../../db/schema/social.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { GroupOrders } from "../orders/index.ts";
import type { Notifications } from "../../src/accounts/notifications.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { DomainError } from "../../src/platform/errors.ts";
import type { Logger } from "../../src/platform/logging.ts";

export interface GroupWindowDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  groupOrders: Pick<GroupOrders, "closeUnfilled">;
  notifications: Pick<Notifications, "notify">;
  log?: Logger;
}

export interface WindowRun {
  failed: number;
  refunded: number;
  cancelled: number;
}

export function createGroupWindow({ database, audit, clock, groupOrders, notifications, log }: GroupWindowDeps) {
  const { db } = database;
  const actor: Actor = { type: "system", id: "group_buy_window" };

  async function claimExpired(limit: number): Promise<number> {
    const now = clock.now();
    const due = await db.select({ id: groupBuys.id, offerId: groupBuys.offerId, seatsTaken: groupBuys.seatsTaken, seatsPaid: groupBuys.seatsPaid }).from(groupBuys).where(and(eq(groupBuys.status, "open"), lte(groupBuys.expiresAt, now))).orderBy(asc(groupBuys.expiresAt)).limit(limit);
    let claimed = 0;
    for (const group of due) {
      const won = await database.write(async (tx) => {
        const failed = await tx.update(groupBuys).set({ status: "failed", closedAt: now }).where(and(eq(groupBuys.id, group.id), eq(groupBuys.status, "open"), lte(groupBuys.expiresAt, now)));
        if (failed.rowsAffected !== 1) return false;
        await tx.update(groupOffers).set({ stockLeft: sql`${groupOffers.stockLeft} + ${groupOffers.groupSize}` }).where(eq(groupOffers.id, group.offerId));
        await audit.record(tx, { actor, action: "group_buy.failed", subject: `group_buy:${group.id}`, data: { offerId: group.offerId, seatsTaken: group.seatsTaken, seatsPaid: group.seatsPaid } });
        return true;
      });
      if (won) claimed += 1;
    }
    return claimed;
  }

  /** Members of failed groups who still hold a seat: their orders are closed one by one. */
  async function settleMembers(limit: number, run: WindowRun) {
    const holding = await db
      .select({ orderId: groupMembers.orderId, userId: groupMembers.userId, groupId: groupMembers.groupId, titleZh: groupOffers.titleZh, titleEn: groupOffers.titleEn })
      .from(groupMembers)
      .innerJoin(groupBuys, eq(groupBuys.id, groupMembers.groupId))
      .innerJoin(groupOffers, eq(groupOffers.id, groupBuys.offerId))
      .where(and(eq(groupBuys.status, "failed"), inArray(groupMembers.status, ["paying", "paid"])))
      .limit(limit);
    for (const member of holding) {
      try {
        const closed = await groupOrders.closeUnfilled(actor, member.orderId, async (tx) => {
          // The order's events already moved the member (left / refunded) in this transaction.
          const [now] = await tx.select({ status: groupMembers.status }).from(groupMembers).where(eq(groupMembers.orderId, member.orderId));
          await notifications.notify(tx, member.userId, "group.failed", { titleZh: member.titleZh, titleEn: member.titleEn, refunded: now?.status === "refunded" }, `/orders/${member.orderId}`);
        });
        if (closed.wasPaid) run.refunded += 1;
        else run.cancelled += 1;
      } catch (error) {
        // Another instance closed it first, or the shopper's order closed meanwhile (its event freed the seat).
        if (!(error instanceof DomainError)) throw error;
        log?.info("group member already settled", { orderId: member.orderId, code: error.code });
      }
    }
  }

  return {
    /** Fails the groups whose window has closed and refunds or cancels their members' orders. */
    async closeExpiredGroups(limit = 100): Promise<WindowRun> {
      const run: WindowRun = { failed: await claimExpired(limit), refunded: 0, cancelled: 0 };
      await settleMembers(limit * 5, run);
      return run;
    },
  };
}
