// Flash sales (秒杀) in a live room: the host puts `units` of one SKU on sale at a lower price for a
// few minutes. The units are a cap on top of the SKU's one stock, not stock of their own: a flash-sale
// order takes from the one stock as every order does, and in the same transaction raises the sale's
// `sold` with a conditional update that only matches while the sale runs and has the units left, so
// a crowd in the room buys exactly `units` and no more. An order that expires or is cancelled unpaid
// gives its units back to the sale (releaseFlashSaleUnits, called beside the stock release).
//
// A sale is "running" from its start until its end time, unless the host stopped it. One session
// runs at most one sale per SKU at a time (a sold-out sale still counts until it ends or is stopped,
// since released units can bring it back).
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lte, sql, type SQL } from "drizzle-orm";
import type { Database, Queryable, Tx } from "../../db/database.ts";
import { flashSales, orderItems } from "../../db/schema/orders-checkout.ts";
import { products, skus, storeStaff } from "../../db/schema/orders.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { Forbidden, NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { money, type Money } from "../../src/platform/money.ts";
import { FlashSaleRefused, FlashSaleSoldOut } from "./errors.ts";
import { LIMITS } from "./pricing.ts";

type FlashSaleRow = typeof flashSales.$inferSelect;

export const FLASH_SALE_LIMITS = { minDurationSeconds: 10, maxDurationSeconds: 2 * 60 * 60 } as const;

export interface NewFlashSale {
  storeId: string;
  liveSessionId: string;
  skuId: string;
  /** The sale price in fen: more than 0, at most the SKU's regular price. */
  priceFen: number;
  /** How many units sell at that price: at least 1, at most the SKU's stock now. */
  units: number;
  /** 10 seconds to 2 hours, from now. */
  durationSeconds: number;
}

export type FlashSaleStatus = "running" | "sold_out" | "stopped" | "ended";

export interface FlashSale {
  id: string;
  storeId: string;
  liveSessionId: string;
  skuId: string;
  productId: string;
  titleZh: string;
  titleEn: string;
  optionZh: string;
  optionEn: string;
  price: Money;
  /** The SKU's regular price now, to show beside the sale price. */
  regularPrice: Money;
  units: number;
  sold: number;
  /** units − sold: what the room may still buy at the sale price. */
  left: number;
  status: FlashSaleStatus;
  startsAt: Date;
  endsAt: Date;
  stoppedAt: Date | null;
  createdBy: string;
}

export interface FlashSalesDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  /** Who may start and stop a store's sales; by default its owner, staff and hosts (store_staff). */
  canRun?: (storeId: string, userId: string) => Promise<boolean>;
  /**
   * The store a live session belongs to (null if there is no such session), from the live module.
   * When given, a sale can only be started in one of the store's own sessions.
   */
  liveSessionStore?: (liveSessionId: string) => Promise<string | null>;
}

/** Owner, staff or host of the store: the people who run its live rooms. */
export async function isStoreTeam(q: Queryable, storeId: string, userId: string): Promise<boolean> {
  const [row] = await q
    .select({ position: storeStaff.position })
    .from(storeStaff)
    .where(and(eq(storeStaff.storeId, storeId), eq(storeStaff.userId, userId), inArray(storeStaff.position, ["owner", "staff", "host"])));
  return !!row;
}

/** Running now: started, not past its end, not stopped. */
function running(now: Date) {
  return and(lte(flashSales.startsAt, now), gt(flashSales.endsAt, now), isNull(flashSales.stoppedAt));
}

/** The running sales of these SKUs in a live session, one per SKU (the latest, should two ever overlap). */
export async function runningFlashSales(q: Queryable, liveSessionId: string, skuIds: readonly string[], now: Date): Promise<Map<string, FlashSaleRow>> {
  if (skuIds.length === 0) return new Map();
  const rows = await q
    .select()
    .from(flashSales)
    .where(and(eq(flashSales.liveSessionId, liveSessionId), inArray(flashSales.skuId, [...skuIds]), running(now)))
    .orderBy(desc(flashSales.startsAt));
  const bySku = new Map<string, FlashSaleRow>();
  for (const row of rows) if (!bySku.has(row.skuId)) bySku.set(row.skuId, row);
  return bySku;
}

/**
 * Inside the order's transaction: takes `quantity` units of a running sale. Throws FlashSaleSoldOut
 * (and the order rolls back) when fewer are left, or the sale ended or was stopped meanwhile.
 */
export async function takeFlashSaleUnits(tx: Tx, saleId: string, quantity: number, now: Date): Promise<void> {
  const taken = await tx
    .update(flashSales)
    .set({ sold: sql`${flashSales.sold} + ${quantity}` })
    .where(and(eq(flashSales.id, saleId), sql`${flashSales.sold} + ${quantity} <= ${flashSales.units}`, isNull(flashSales.stoppedAt), gt(flashSales.endsAt, now)));
  if (taken.rowsAffected !== 1) throw new FlashSaleSoldOut(saleId);
}

/**
 * An unpaid order that expired or was cancelled gives its flash-sale units back (whether or not the
 * sale still runs; a stopped or ended sale sells nothing more either way). Call it once per order,
 * beside the stock release, riding on the same conditional status change.
 */
export async function releaseFlashSaleUnits(tx: Tx, orderId: string): Promise<void> {
  const lines = await tx
    .select({ saleId: orderItems.flashSaleId, quantity: orderItems.quantity })
    .from(orderItems)
    .where(and(eq(orderItems.orderId, orderId), isNotNull(orderItems.flashSaleId)));
  for (const line of lines) {
    await tx
      .update(flashSales)
      .set({ sold: sql`${flashSales.sold} - ${line.quantity}` })
      .where(and(eq(flashSales.id, line.saleId!), sql`${flashSales.sold} >= ${line.quantity}`));
  }
}

function statusOf(row: FlashSaleRow, now: Date): FlashSaleStatus {
  if (row.stoppedAt) return "stopped";
  if (row.endsAt <= now) return "ended";
  return row.sold >= row.units ? "sold_out" : "running";
}

export function createFlashSales({ database, audit, clock, canRun, liveSessionStore }: FlashSalesDeps) {
  const { db } = database;
  const mayRun = canRun ?? ((storeId: string, userId: string) => isStoreTeam(db, storeId, userId));

  async function checkActor(actor: Actor, storeId: string) {
    // System actors (seed, jobs) are trusted; devices never run a live room.
    if (actor.type === "system") return;
    if (actor.type !== "user" || !(await mayRun(storeId, actor.id))) throw new Forbidden();
  }

  async function load(q: Queryable, where: SQL | undefined, now: Date): Promise<FlashSale[]> {
    const rows = await q
      .select({ sale: flashSales, sku: skus, product: products })
      .from(flashSales)
      .innerJoin(skus, eq(skus.id, flashSales.skuId))
      .innerJoin(products, eq(products.id, skus.productId))
      .where(where)
      .orderBy(asc(flashSales.endsAt), asc(flashSales.id));
    return rows.map(({ sale, sku, product }) => ({
      id: sale.id,
      storeId: sale.storeId,
      liveSessionId: sale.liveSessionId,
      skuId: sale.skuId,
      productId: product.id,
      titleZh: product.titleZh,
      titleEn: product.titleEn,
      optionZh: sku.optionZh,
      optionEn: sku.optionEn,
      price: money(sale.priceFen, sku.currency),
      regularPrice: money(sku.priceFen, sku.currency),
      units: sale.units,
      sold: sale.sold,
      left: sale.units - sale.sold,
      status: statusOf(sale, now),
      startsAt: sale.startsAt,
      endsAt: sale.endsAt,
      stoppedAt: sale.stoppedAt,
      createdBy: sale.createdBy,
    }));
  }

  async function get(saleId: string): Promise<FlashSale> {
    const [sale] = await load(db, eq(flashSales.id, saleId), clock.now());
    if (!sale) throw new NotFound("flash_sale_not_found");
    return sale;
  }

  return {
    /** Starts a sale now, for `durationSeconds`. Refuses with FlashSaleRefused naming the first problem. */
    async start(actor: Actor, input: NewFlashSale): Promise<FlashSale> {
      const { storeId, liveSessionId, skuId, priceFen, units, durationSeconds } = input;
      if (!Number.isSafeInteger(priceFen) || priceFen <= 0 || priceFen > LIMITS.maxUnitPriceFen) throw new FlashSaleRefused("bad_price");
      if (!Number.isSafeInteger(units) || units < 1) throw new FlashSaleRefused("bad_units");
      if (!Number.isSafeInteger(durationSeconds) || durationSeconds < FLASH_SALE_LIMITS.minDurationSeconds || durationSeconds > FLASH_SALE_LIMITS.maxDurationSeconds) throw new FlashSaleRefused("bad_duration");
      await checkActor(actor, storeId);
      if (liveSessionStore && (await liveSessionStore(liveSessionId)) !== storeId) throw new FlashSaleRefused("wrong_session");
      const now = clock.now();
      const id = newId("fls", now.getTime());
      const endsAt = new Date(now.getTime() + durationSeconds * 1000);
      await database.write(async (tx) => {
        const [row] = await tx.select({ sku: skus, product: products }).from(skus).innerJoin(products, eq(products.id, skus.productId)).where(eq(skus.id, skuId));
        if (!row || row.product.storeId !== storeId) throw new FlashSaleRefused("wrong_store");
        if (row.product.status !== "published") throw new FlashSaleRefused("unpublished");
        if (priceFen > row.sku.priceFen) throw new FlashSaleRefused("price_above_regular");
        if (units > row.sku.stock) throw new FlashSaleRefused("units_above_stock");
        // Writes are one at a time (database.write; BEGIN IMMEDIATE across instances), so this check
        // and the insert below cannot interleave with another start.
        const [other] = await tx
          .select({ id: flashSales.id })
          .from(flashSales)
          .where(and(eq(flashSales.liveSessionId, liveSessionId), eq(flashSales.skuId, skuId), running(now)))
          .limit(1);
        if (other) throw new FlashSaleRefused("already_running");
        await tx.insert(flashSales).values({ id, storeId, liveSessionId, skuId, priceFen, units, sold: 0, startsAt: now, endsAt, stoppedAt: null, createdBy: actor.id, createdAt: now });
        await audit.record(tx, {
          actor,
          action: "flash_sale.started",
          subject: `flash_sale:${id}`,
          data: { storeId, liveSessionId, skuId, priceFen, regularPriceFen: row.sku.priceFen, units, stockAtStart: row.sku.stock, startsAt: now.toISOString(), endsAt: endsAt.toISOString() },
        });
      });
      return get(id);
    },

    /** Stops a running sale early: nothing more sells at its price. A sale already over refuses (409). */
    async stop(actor: Actor, saleId: string): Promise<FlashSale> {
      const [found] = await db.select({ storeId: flashSales.storeId }).from(flashSales).where(eq(flashSales.id, saleId));
      if (!found) throw new NotFound("flash_sale_not_found");
      await checkActor(actor, found.storeId);
      const now = clock.now();
      await database.write(async (tx) => {
        const stopped = await tx
          .update(flashSales)
          .set({ stoppedAt: now })
          .where(and(eq(flashSales.id, saleId), isNull(flashSales.stoppedAt), gt(flashSales.endsAt, now)))
          .returning({ sold: flashSales.sold, units: flashSales.units });
        if (stopped.length !== 1) throw new FlashSaleRefused("not_running");
        await audit.record(tx, { actor, action: "flash_sale.stopped", subject: `flash_sale:${saleId}`, data: { sold: stopped[0]!.sold, units: stopped[0]!.units } });
      });
      return get(saleId);
    },

    /** The session's running sales that still have units left, soonest ending first: what the room shows. */
    async active(liveSessionId: string): Promise<FlashSale[]> {
      const now = clock.now();
      return load(db, and(eq(flashSales.liveSessionId, liveSessionId), running(now), sql`${flashSales.sold} < ${flashSales.units}`), now);
    },

    get,
  };
}

export type FlashSales = ReturnType<typeof createFlashSales>;
