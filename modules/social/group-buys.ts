// Group buys (拼团): merchants' group offers, shoppers' groups and seats, the window job, and what the
// offer and share-link pages show. Owns group_offers, group_buys and group_members of
// db/schema/social.ts; orders, stores and shows come through the services given here. Checkout takes
// seats through `seats` (bound with orders.extendCheckout) and `events` listens to the orders.
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { groupBuys, groupMembers } from "../../db/schema/social.ts";
import type { AuditTrail } from "../compliance/index.ts";
import { maskDisplayName } from "../../src/platform/masking.ts";
import type { GroupOrders } from "../orders/index.ts";
import type { Notifications } from "../../src/accounts/notifications.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";
import type { Logger } from "../../src/platform/logging.ts";
import { createGroupOffers, type GroupOffer, type GroupOfferCatalog, type GroupOfferShows } from "./group-buy-offers.ts";
import { createGroupSeats } from "./group-buy-seats.ts";
import { createGroupWindow } from "./group-buy-window.ts";

export interface GroupBuyDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  catalog: GroupOfferCatalog;
  live: GroupOfferShows;
  orders: { groupOrders: Pick<GroupOrders, "confirm" | "closeUnfilled"> };
  notifications: Pick<Notifications, "notify">;
  displayNames: (ids: readonly string[]) => Promise<Map<string, string>>;
  log?: Logger;
}

export type GroupStatus = (typeof groupBuys.$inferSelect)["status"];

/** A group as its share link shows it: members by masked name, never by account. */
export interface GroupView {
  id: string;
  offer: GroupOffer;
  status: GroupStatus;
  leaderName: string;
  seatsTaken: number;
  seatsPaid: number;
  seatsLeft: number;
  expiresAt: Date;
  members: { name: string; paid: boolean; leader: boolean }[];
  /** The viewer's own seat, if they hold one. */
  viewerOrderId: string | null;
}

/** An open group of an offer that can still be joined. */
export interface OpenGroup {
  id: string;
  leaderName: string;
  seatsLeft: number;
  expiresAt: Date;
}

export function createGroupBuys(deps: GroupBuyDeps) {
  const { database, clock, displayNames } = deps;
  const { db } = database;
  const offers = createGroupOffers(deps);
  const { seats, events } = createGroupSeats({ ...deps, groupOrders: deps.orders.groupOrders });
  const groupWindow = createGroupWindow({ ...deps, groupOrders: deps.orders.groupOrders });
  const masked = async (ids: string[]) => {
    const names = await displayNames(ids);
    return (id: string) => maskDisplayName(names.get(id) ?? "?");
  };

  return {
    ...offers,
    seats,
    events,
    closeExpiredGroups: groupWindow.closeExpiredGroups,
    /** The service's clock, for the time left the pages show. */
    now: () => clock.now(),

    async openGroups(offerId: string, limit = 20): Promise<OpenGroup[]> {
      const offer = await offers.offerOf(offerId);
      const rows = await db
        .select()
        .from(groupBuys)
        .where(and(eq(groupBuys.offerId, offerId), eq(groupBuys.status, "open"), gt(groupBuys.expiresAt, clock.now())))
        .orderBy(asc(groupBuys.expiresAt), asc(groupBuys.id))
        .limit(limit);
      const open = rows.filter((row) => row.seatsTaken < offer.groupSize);
      const name = await masked(open.map((row) => row.leaderId));
      return open.map((row) => ({ id: row.id, leaderName: name(row.leaderId), seatsLeft: offer.groupSize - row.seatsTaken, expiresAt: row.expiresAt }));
    },

    /** The group a member's order holds a seat in (for the order page's link); null when it is not theirs. */
    async groupOfOrder(userId: string, orderId: string): Promise<string | null> {
      const [row] = await db.select({ groupId: groupMembers.groupId }).from(groupMembers).where(and(eq(groupMembers.orderId, orderId), eq(groupMembers.userId, userId)));
      return row?.groupId ?? null;
    },

    async group(groupId: string, viewerId: string | null): Promise<GroupView> {
      const [row] = await db.select().from(groupBuys).where(eq(groupBuys.id, groupId));
      if (!row) throw new NotFound("group_not_found");
      const offer = await offers.offerOf(row.offerId);
      const members = await db
        .select()
        .from(groupMembers)
        .where(and(eq(groupMembers.groupId, groupId), inArray(groupMembers.status, ["paying", "paid", "confirmed"])))
        .orderBy(asc(groupMembers.joinedAt));
      const name = await masked([row.leaderId, ...members.map((member) => member.userId)]);
      return {
        id: row.id,
        offer,
        status: row.status,
        leaderName: name(row.leaderId),
        seatsTaken: row.seatsTaken,
        seatsPaid: row.seatsPaid,
        seatsLeft: row.status === "open" ? Math.max(offer.groupSize - row.seatsTaken, 0) : 0,
        expiresAt: row.expiresAt,
        members: members.map((member) => ({ name: name(member.userId), paid: member.status !== "paying", leader: member.userId === row.leaderId })),
        viewerOrderId: members.find((member) => member.userId === viewerId)?.orderId ?? null,
      };
    },
  };
}

export type GroupBuys = ReturnType<typeof createGroupBuys>;
