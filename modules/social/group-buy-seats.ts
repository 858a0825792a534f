// Seats in groups, taken inside the order's own transaction (checkout calls take()) and settled by
// the order's events. Starting a group holds the offer's units for all its seats at once (a
// conditional update: at least the group's size left), so no more groups start than the units can
// fill; joining takes no unit. The last seat is race-safe: a seat is a conditional update of the
// group's count (open, not full, not expired); a refusal throws, and the whole order rolls back. A
// group fills when its last seat is paid within its window: every member's order is then released
// to ship. A member whose order closes unpaid, or is refunded, while the group is open gives the
// seat back and its unit stays held for the group; a failed group gives its whole hold back once
// (group-buy-window.ts); a member refunded after the group filled gives their unit back.
import { and, eq, gt, gte, inArray, lt, sql } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { groupBuys, groupMembers, groupOffers } from "../../db/schema/social.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { GroupOrders, GroupSeat, GroupSeats, OrderEvent, OrderEvents } from "../orders/index.ts";
import type { Notifications } from "../../src/accounts/notifications.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { BadRequest, NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { AlreadyInGroup, GroupClosed, GroupFull, GroupOfferOver } from "./group-buy-errors.ts";
import type { GroupOffer } from "./group-buy-offers.ts";

export interface GroupSeatDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  groupOrders: Pick<GroupOrders, "confirm">;
  notifications: Pick<Notifications, "notify">;
}

type Q = Database["db"] | Tx;
const HOLDING = ["paying", "paid", "confirmed"] as const;

/** The offer a seat is bought from now, or GroupOfferOver. */
async function runningOffer(q: Q, offerId: string, now: Date): Promise<GroupOffer> {
  const [offer] = await q.select().from(groupOffers).where(eq(groupOffers.id, offerId));
  if (!offer) throw new NotFound("group_offer_not_found");
  // No units check here: joining an open group uses the units it holds; starting one checks its own.
  if (!offer.active || offer.startsAt > now || offer.endsAt <= now) throw new GroupOfferOver();
  return offer;
}

/** Why a seat in this group cannot be had (or nothing, when one can). */
async function refuseJoining(q: Q, offer: GroupOffer, groupId: string, userId: string, now: Date) {
  const [group] = await q.select().from(groupBuys).where(eq(groupBuys.id, groupId));
  if (!group || group.offerId !== offer.id) throw new NotFound("group_not_found");
  const [member] = await q.select({ status: groupMembers.status }).from(groupMembers).where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)));
  if (member && (HOLDING as readonly string[]).includes(member.status)) throw new AlreadyInGroup();
  if (group.status !== "open" || group.expiresAt <= now) throw new GroupClosed();
  if (group.seatsTaken >= offer.groupSize) throw new GroupFull();
}

export function createGroupSeats({ database, audit, clock, groupOrders, notifications }: GroupSeatDeps): { seats: GroupSeats; events: OrderEvents } {
  const { db } = database;
  const system: Actor = { type: "system", id: "group_buys" };
  const seatOf = (offer: GroupOffer, groupId: string | null): GroupSeat => ({ groupId, unitPriceFen: offer.groupPriceFen, currency: offer.currency, skuId: offer.skuId });

  /** Holds the offer's units for every seat of a new group; GroupOfferOver when fewer are left. */
  async function holdGroupUnits(tx: Tx, offer: GroupOffer) {
    const held = await tx.update(groupOffers).set({ stockLeft: sql`${groupOffers.stockLeft} - ${offer.groupSize}` }).where(and(eq(groupOffers.id, offer.id), gte(groupOffers.stockLeft, offer.groupSize)));
    if (held.rowsAffected !== 1) throw new GroupOfferOver();
  }

  async function seatMember(tx: Tx, groupId: string, userId: string, orderId: string, now: Date) {
    const [earlier] = await tx.select({ status: groupMembers.status }).from(groupMembers).where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)));
    if (!earlier) return void (await tx.insert(groupMembers).values({ groupId, userId, orderId, status: "paying", joinedAt: now }));
    // Back after leaving (an order that expired unpaid): the same row takes the new order.
    const back = await tx
      .update(groupMembers)
      .set({ orderId, status: "paying", joinedAt: now, paidAt: null })
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId), inArray(groupMembers.status, ["left", "refunded"])));
    if (back.rowsAffected !== 1) throw new AlreadyInGroup();
  }

  /**
   * A member's seat goes back. While the group is open the seat frees and its unit stays held for the
   * group; after it filled (a confirmed member refunded) the unit goes back to the offer; a failed
   * group already gave its whole hold back when it failed.
   */
  async function releaseSeat(tx: Tx, event: OrderEvent, from: readonly ("paying" | "paid" | "confirmed")[], to: "left" | "refunded") {
    const [member] = await tx.select().from(groupMembers).where(eq(groupMembers.orderId, event.orderId));
    if (!member || !(from as readonly string[]).includes(member.status)) return;
    const moved = await tx.update(groupMembers).set({ status: to }).where(and(eq(groupMembers.orderId, event.orderId), eq(groupMembers.status, member.status)));
    if (moved.rowsAffected !== 1) return;
    const [group] = await tx.select().from(groupBuys).where(eq(groupBuys.id, member.groupId));
    if (!group) return;
    if (group.status === "filled") await tx.update(groupOffers).set({ stockLeft: sql`${groupOffers.stockLeft} + 1` }).where(eq(groupOffers.id, group.offerId));
    if (group.status === "open") {
      const paid = member.status === "paid" ? sql`${groupBuys.seatsPaid} - 1` : groupBuys.seatsPaid;
      await tx.update(groupBuys).set({ seatsTaken: sql`${groupBuys.seatsTaken} - 1`, seatsPaid: paid }).where(and(eq(groupBuys.id, group.id), eq(groupBuys.status, "open")));
    }
    await audit.record(tx, { actor: system, action: "group_buy.seat_released", subject: `group_buy:${group.id}`, data: { orderId: event.orderId, userId: member.userId, was: member.status, now: to, groupStatus: group.status, unitReturned: group.status === "filled" } });
  }

  /** The group's last seat is paid in its window: every member's order may ship. */
  async function fill(tx: Tx, groupId: string, offer: GroupOffer, now: Date) {
    const filled = await tx
      .update(groupBuys)
      .set({ status: "filled", closedAt: now })
      .where(and(eq(groupBuys.id, groupId), eq(groupBuys.status, "open"), sql`${groupBuys.seatsPaid} >= ${offer.groupSize}`, gt(groupBuys.expiresAt, now)));
    if (filled.rowsAffected !== 1) return;
    const members = await tx.select().from(groupMembers).where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.status, "paid")));
    await tx.update(groupMembers).set({ status: "confirmed" }).where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.status, "paid")));
    for (const member of members) {
      await groupOrders.confirm(tx, system, member.orderId);
      await notifications.notify(tx, member.userId, "group.filled", { titleZh: offer.titleZh, titleEn: offer.titleEn, size: offer.groupSize }, `/orders/${member.orderId}`);
    }
    await audit.record(tx, { actor: system, action: "group_buy.filled", subject: `group_buy:${groupId}`, data: { offerId: offer.id, orderIds: members.map((member) => member.orderId) } });
  }

  const seats: GroupSeats = {
    async priceOf({ userId, offerId, groupId }) {
      const now = clock.now();
      const offer = await runningOffer(db, offerId, now);
      if (groupId) await refuseJoining(db, offer, groupId, userId, now);
      else if (offer.stockLeft < offer.groupSize) throw new GroupOfferOver(); // a new group holds units for all its seats
      return seatOf(offer, groupId);
    },

    async take(tx, { userId, orderId, offerId, groupId, skuId, quantity, now }) {
      const offer = await runningOffer(tx, offerId, now);
      if (offer.skuId !== skuId || quantity !== 1) throw new BadRequest("group_offer_mismatch");
      if (!groupId) {
        // A new group holds the units for all its seats: else more groups could start than could ever fill.
        await holdGroupUnits(tx, offer);
        const id = newId("gbu", now.getTime());
        const expiresAt = new Date(Math.min(now.getTime() + offer.windowMinutes * 60_000, offer.endsAt.getTime()));
        await tx.insert(groupBuys).values({ id, offerId, leaderId: userId, status: "open", seatsTaken: 1, seatsPaid: 0, expiresAt, createdAt: now });
        await tx.insert(groupMembers).values({ groupId: id, userId, orderId, status: "paying", joinedAt: now });
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "group_buy.started", subject: `group_buy:${id}`, data: { offerId, orderId, expiresAt: expiresAt.toISOString() } });
        return seatOf(offer, id);
      }
      const seated = await tx
        .update(groupBuys)
        .set({ seatsTaken: sql`${groupBuys.seatsTaken} + 1` })
        .where(and(eq(groupBuys.id, groupId), eq(groupBuys.offerId, offerId), eq(groupBuys.status, "open"), lt(groupBuys.seatsTaken, offer.groupSize), gt(groupBuys.expiresAt, now)));
      if (seated.rowsAffected !== 1) {
        await refuseJoining(tx, offer, groupId, userId, now);
        throw new GroupFull();
      }
      await seatMember(tx, groupId, userId, orderId, now); // its unit was held when the group started
      await audit.record(tx, { actor: { type: "user", id: userId }, action: "group_buy.joined", subject: `group_buy:${groupId}`, data: { offerId, orderId } });
      return seatOf(offer, groupId);
    },
  };

  const events: OrderEvents = {
    async paid(tx, event) {
      const [member] = await tx.select().from(groupMembers).where(eq(groupMembers.orderId, event.orderId));
      if (!member || member.status !== "paying") return;
      await tx.update(groupMembers).set({ status: "paid", paidAt: event.at }).where(and(eq(groupMembers.orderId, event.orderId), eq(groupMembers.status, "paying")));
      await tx.update(groupBuys).set({ seatsPaid: sql`${groupBuys.seatsPaid} + 1` }).where(and(eq(groupBuys.id, member.groupId), eq(groupBuys.status, "open")));
      const [group] = await tx.select().from(groupBuys).innerJoin(groupOffers, eq(groupOffers.id, groupBuys.offerId)).where(eq(groupBuys.id, member.groupId));
      if (group) await fill(tx, member.groupId, group.group_offers, event.at);
    },
    closedUnpaid: (tx, event) => releaseSeat(tx, event, ["paying"], "left"),
    refunded: (tx, event) => releaseSeat(tx, event, ["paid", "confirmed"], "refunded"),
  };

  return { seats, events };
}
