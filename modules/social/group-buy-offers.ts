// Group offers (拼团): a store's staff set a group price for one SKU of their store, the group size,
// the window a group has to fill, the units the offer may sell and when it runs, and may feature it
// in one of the store's live shows. Reading side: active offers of a store or a show, a store's
// offers with their groups' outcome, and the daily figures. Owns group_offers; reads group_buys.
import { and, asc, desc, eq, gt, lte, sql } from "drizzle-orm";
import type { Database, Queryable } from "../../db/database.ts";
import { groupBuys, groupOffers } from "../../db/schema/social.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Live } from "../live/index.ts";
import type { Catalog } from "../orders/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { GroupOfferInvalid, NotGroupOfferStaff } from "./group-buy-errors.ts";
import { utcDayOf } from "./chart-scale.ts";

export const GROUP_SIZE = { min: 2, max: 50 } as const;
export const WINDOW_MINUTES = { min: 10, max: 72 * 60 } as const;

export type GroupOffer = typeof groupOffers.$inferSelect;

export interface NewGroupOffer {
  storeId: string;
  productId: string;
  skuId: string;
  groupPriceFen: number;
  groupSize: number;
  windowMinutes: number;
  stock: number;
  startsAt: Date;
  endsAt: Date;
  liveSessionId: string | null;
}

/** A store's offer with how its groups went. */
export interface GroupOfferRecord extends GroupOffer {
  groupsOpen: number;
  groupsFilled: number;
  groupsFailed: number;
}

/** One UTC day of a store's groups, by the day they started. */
export interface GroupDay {
  day: string;
  started: number;
  filled: number;
  failed: number;
  /** Filled of those that closed (filled + failed), 0–1; null while none closed. */
  successRate: number | null;
}

export type GroupOfferCatalog = Pick<Catalog, "managedStores" | "productForStaff">;
export type GroupOfferShows = Pick<Live, "getSession">;

export function createGroupOffers({ database, audit, clock, catalog, live }: { database: Database; audit: AuditTrail; clock: Clock; catalog: GroupOfferCatalog; live: GroupOfferShows }) {
  const { db } = database;

  async function requireStaff(storeId: string, userId: string) {
    if (!(await catalog.managedStores(userId)).some((store) => store.id === storeId)) throw new NotGroupOfferStaff();
  }

  /** The rules an offer must meet, checked against the catalog and the store's shows. */
  async function checkedOffer(actor: Actor, input: NewGroupOffer, now: Date) {
    const product = await catalog.productForStaff(actor, input.productId);
    const sku = product.skus.find((candidate) => candidate.id === input.skuId);
    if (product.storeId !== input.storeId || product.status !== "published" || !sku) throw new GroupOfferInvalid("skuId", "groups.form.sku_invalid");
    if (!Number.isSafeInteger(input.groupPriceFen) || input.groupPriceFen <= 0 || input.groupPriceFen >= sku.price.amount) throw new GroupOfferInvalid("groupPrice", "groups.form.price_invalid");
    if (!Number.isInteger(input.groupSize) || input.groupSize < GROUP_SIZE.min || input.groupSize > GROUP_SIZE.max) throw new GroupOfferInvalid("groupSize", "groups.form.size_invalid");
    if (!Number.isInteger(input.windowMinutes) || input.windowMinutes < WINDOW_MINUTES.min || input.windowMinutes > WINDOW_MINUTES.max) throw new GroupOfferInvalid("windowMinutes", "groups.form.window_invalid");
    if (!Number.isSafeInteger(input.stock) || input.stock < input.groupSize) throw new GroupOfferInvalid("stock", "groups.form.stock_invalid");
    if (input.endsAt <= input.startsAt) throw new GroupOfferInvalid("endsAt", "groups.form.ends_before_start");
    if (input.endsAt <= now) throw new GroupOfferInvalid("endsAt", "groups.form.time_invalid");
    if (input.liveSessionId) {
      const session = await live.getSession(input.liveSessionId).catch(() => null);
      if (session?.store.id !== input.storeId || session.status === "ended") throw new GroupOfferInvalid("liveSessionId", "groups.form.session_invalid");
    }
    return { product, sku };
  }

  async function offerOf(q: Queryable, offerId: string): Promise<GroupOffer> {
    const [offer] = await q.select().from(groupOffers).where(eq(groupOffers.id, offerId));
    if (!offer) throw new NotFound("group_offer_not_found");
    return offer;
  }

  const running = (now: Date) => and(eq(groupOffers.active, true), lte(groupOffers.startsAt, now), gt(groupOffers.endsAt, now));

  return {
    offerOf: (offerId: string) => offerOf(db, offerId),
    requireStaff,

    async createOffer(userId: string, input: NewGroupOffer): Promise<GroupOffer> {
      const actor: Actor = { type: "user", id: userId };
      await requireStaff(input.storeId, userId);
      const now = clock.now();
      const { product, sku } = await checkedOffer(actor, input, now);
      const offer: GroupOffer = {
        id: newId("grp", now.getTime()),
        storeId: input.storeId,
        productId: product.id,
        skuId: sku.id,
        titleZh: `${product.titleZh} · ${sku.optionZh}`,
        titleEn: `${product.titleEn} · ${sku.optionEn}`,
        groupPriceFen: input.groupPriceFen,
        currency: sku.price.currency,
        groupSize: input.groupSize,
        windowMinutes: input.windowMinutes,
        stockLeft: input.stock,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        liveSessionId: input.liveSessionId,
        active: true,
        createdBy: userId,
        createdAt: now,
      };
      await database.write(async (tx) => {
        await tx.insert(groupOffers).values(offer);
        const { id: _id, createdAt: _at, createdBy: _by, ...data } = offer;
        await audit.record(tx, { actor, action: "group_offer.created", subject: `group_offer:${offer.id}`, data: { ...data, startsAt: offer.startsAt.toISOString(), endsAt: offer.endsAt.toISOString(), regularPriceFen: sku.price.amount } });
      });
      return offer;
    },

    /** Ends an offer early: no new groups or seats; groups already open still fill or fail in their window. */
    async deactivate(userId: string, offerId: string): Promise<void> {
      const offer = await offerOf(db, offerId);
      await requireStaff(offer.storeId, userId);
      await database.write(async (tx) => {
        const changed = await tx.update(groupOffers).set({ active: false }).where(and(eq(groupOffers.id, offerId), eq(groupOffers.active, true)));
        if (changed.rowsAffected === 1) await audit.record(tx, { actor: { type: "user", id: userId }, action: "group_offer.deactivated", subject: `group_offer:${offerId}`, data: {} });
      });
    },

    async activeOffersOfStore(storeId: string): Promise<GroupOffer[]> {
      return db.select().from(groupOffers).where(and(eq(groupOffers.storeId, storeId), running(clock.now()))).orderBy(asc(groupOffers.endsAt), asc(groupOffers.id));
    },

    /** The offers featured in a live show that shoppers can join now. */
    async activeOffersOfSession(liveSessionId: string): Promise<GroupOffer[]> {
      return db.select().from(groupOffers).where(and(eq(groupOffers.liveSessionId, liveSessionId), running(clock.now()))).orderBy(asc(groupOffers.endsAt), asc(groupOffers.id));
    },

    /** For the merchant page: the store's offers, newest first, with their groups' outcome. */
    async offersOfStore(userId: string, storeId: string, limit = 100): Promise<GroupOfferRecord[]> {
      await requireStaff(storeId, userId);
      const counted = (status: "open" | "filled" | "failed") => sql<number>`coalesce(sum(case when ${groupBuys.status} = ${status} then 1 else 0 end), 0)`;
      const rows = await db
        .select({ offer: groupOffers, open: counted("open"), filled: counted("filled"), failed: counted("failed") })
        .from(groupOffers)
        .leftJoin(groupBuys, eq(groupBuys.offerId, groupOffers.id))
        .where(eq(groupOffers.storeId, storeId))
        .groupBy(groupOffers.id)
        .orderBy(desc(groupOffers.createdAt), desc(groupOffers.id))
        .limit(limit);
      return rows.map((row) => ({ ...row.offer, groupsOpen: Number(row.open), groupsFilled: Number(row.filled), groupsFailed: Number(row.failed) }));
    },

    /** Groups started, filled and failed per UTC day in [from, to), by the day each group started. */
    async groupFigures(storeId: string, from: Date, to: Date): Promise<GroupDay[]> {
      const day = utcDayOf(groupBuys.createdAt);
      const counted = (status: "filled" | "failed") => sql<number>`sum(case when ${groupBuys.status} = ${status} then 1 else 0 end)`;
      const rows = await db
        .select({ day, started: sql<number>`count(*)`, filled: counted("filled"), failed: counted("failed") })
        .from(groupBuys)
        .innerJoin(groupOffers, eq(groupOffers.id, groupBuys.offerId))
        .where(and(eq(groupOffers.storeId, storeId), sql`${groupBuys.createdAt} >= ${from.getTime()}`, sql`${groupBuys.createdAt} < ${to.getTime()}`))
        .groupBy(day)
        .orderBy(day);
      return rows.map((row) => {
        const filled = Number(row.filled);
        const failed = Number(row.failed);
        return { day: row.day, started: Number(row.started), filled, failed, successRate: filled + failed > 0 ? filled / (filled + failed) : null };
      });
    },
  };
}

export type GroupOffers = ReturnType<typeof createGroupOffers>;
