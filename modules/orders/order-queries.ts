// The order lists and details shoppers and merchant staff see. Addresses are opened only here: in
// full for the order's own shopper, masked for staff of its store (who reveal it through address-reveal.ts).
import { and, count, countDistinct, desc, eq, exists, inArray, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database, Queryable } from "../../db/database.ts";
import { afterSales, orderItems, orders } from "../../db/schema/orders-checkout.ts";
import { Forbidden } from "../../src/platform/errors.ts";
import type { Sealer } from "../../src/platform/sealing.ts";
import { OrderNotFound } from "./errors.ts";
import { isStoreStaff, loadOrders, maskedAddressOf, withAddress, type Address, type Order, type OrderStatus, type OrderWithAddress, type OrderWithMaskedAddress } from "./order-records.ts";

export interface StoreOrderFilter {
  /** A status, or "after_sales" for orders with an open refund or return request. */
  status?: OrderStatus | "after_sales";
  /** Part of an order number, a SKU code or a product title. */
  search?: string;
}

/** `column` contains `text` literally: % and _ typed by staff match themselves. */
function contains(column: SQLiteColumn, text: string): SQL {
  const pattern = `%${text.replace(/[%_\\]/g, (ch) => `\\${ch}`)}%`;
  return sql`${column} LIKE ${pattern} ESCAPE '\\'`;
}

/** Orders read per query by the data export. */
const ORDERS_PAGE = 200;

export function createOrderQueries({ database, sealer }: { database: Database; sealer: Sealer }) {
  const { db } = database;

  return {
    async forShopper(userId: string, limit = 50): Promise<Order[]> {
      return loadOrders(db, await db.select().from(orders).where(eq(orders.userId, userId)).orderBy(desc(orders.createdAt)).limit(limit));
    },

    /** Where the shopper's last order went, to fill in the next checkout (buying in two taps). */
    async lastAddress(userId: string): Promise<Address | null> {
      const [row] = await db.select({ addressSealed: orders.addressSealed }).from(orders).where(eq(orders.userId, userId)).orderBy(desc(orders.createdAt)).limit(1);
      return row ? (JSON.parse(await sealer.open(row.addressSealed)) as Address) : null;
    },

    /**
     * The shopper's orders with their addresses opened, newest first, for their data export: loaded a
     * page of ORDERS_PAGE at a time (a few queries per page, not per order).
     */
    async shopperOrdersWithAddress(userId: string, limit: number): Promise<OrderWithAddress[]> {
      const opened: OrderWithAddress[] = [];
      for (let offset = 0; offset < limit; offset += ORDERS_PAGE) {
        const rows = await db.select().from(orders).where(eq(orders.userId, userId)).orderBy(desc(orders.createdAt), desc(orders.id)).limit(Math.min(ORDERS_PAGE, limit - offset)).offset(offset);
        const loaded = await loadOrders(db, rows);
        for (let i = 0; i < rows.length; i++) opened.push(await withAddress(loaded[i]!, rows[i]!, sealer));
        if (rows.length < ORDERS_PAGE) break;
      }
      return opened;
    },

    async shopperOrder(userId: string, orderId: string): Promise<OrderWithAddress> {
      const [row] = await db.select().from(orders).where(and(eq(orders.id, orderId), eq(orders.userId, userId)));
      if (!row) throw new OrderNotFound();
      return withAddress((await loadOrders(db, [row]))[0]!, row, sealer);
    },

    async forStore(staffId: string, storeId: string, filter: StoreOrderFilter, limit = 100): Promise<Order[]> {
      if (!(await isStoreStaff(db, storeId, staffId))) throw new Forbidden();
      const conditions: SQL[] = [eq(orders.storeId, storeId)];
      if (filter.status === "after_sales") {
        conditions.push(exists(db.select({ id: afterSales.id }).from(afterSales).where(and(eq(afterSales.orderId, orders.id), inArray(afterSales.status, ["requested", "approved"])))));
      } else if (filter.status) {
        conditions.push(eq(orders.status, filter.status));
      }
      if (filter.search) {
        const search = filter.search;
        const matchingItem = db
          .select({ id: orderItems.orderId })
          .from(orderItems)
          .where(and(eq(orderItems.orderId, orders.id), or(contains(orderItems.skuCode, search), contains(orderItems.titleZh, search), contains(orderItems.titleEn, search))));
        conditions.push(or(contains(orders.number, search), exists(matchingItem))!);
      }
      return loadOrders(db, await db.select().from(orders).where(and(...conditions)).orderBy(desc(orders.createdAt)).limit(limit));
    },

    /** A live session's sales so far: orders not cancelled or expired, their total, distinct buyers, products sold. */
    async liveFigures(liveSessionId: string): Promise<{ orders: number; gmvFen: number; buyers: number; productIds: string[] }> {
      const counted = and(eq(orders.liveSessionId, liveSessionId), notInArray(orders.status, ["cancelled", "expired"]));
      const [totals] = await db
        .select({ orders: count(), gmvFen: sql<number>`coalesce(sum(${orders.totalFen}), 0)`, buyers: countDistinct(orders.userId) })
        .from(orders)
        .where(counted);
      const sold = await db.selectDistinct({ productId: orderItems.productId }).from(orderItems).innerJoin(orders, eq(orders.id, orderItems.orderId)).where(counted);
      return { orders: totals!.orders, gmvFen: Number(totals!.gmvFen), buyers: totals!.buyers, productIds: sold.map((row) => row.productId) };
    },

    async storeOrder(staffId: string, orderId: string): Promise<OrderWithMaskedAddress> {
      const [row] = await db.select().from(orders).where(eq(orders.id, orderId));
      if (!row) throw new OrderNotFound();
      if (!(await isStoreStaff(db, row.storeId, staffId))) throw new Forbidden();
      return { ...(await loadOrders(db, [row]))[0]!, maskedAddress: await maskedAddressOf(row.addressSealed, sealer) };
    },

    /** Where the user's orders shipped to (address keys, never addresses) and the browsers they came from: a referral's fraud checks, in `q` (the order event's transaction). */
    async shopperTraces(q: Queryable, userId: string): Promise<{ addressKeys: Set<string>; devices: Set<string> }> {
      const rows = await q.select({ addressKey: orders.addressKey, device: orders.clientDevice }).from(orders).where(eq(orders.userId, userId));
      return { addressKeys: new Set(rows.flatMap((row) => (row.addressKey ? [row.addressKey] : []))), devices: new Set(rows.flatMap((row) => (row.device ? [row.device] : []))) };
    },

    /** Order numbers by id, for lists that name orders kept by another module (referral rewards). */
    async numbersOf(orderIds: readonly string[]): Promise<Map<string, string>> {
      if (orderIds.length === 0) return new Map();
      const rows = await db.select({ id: orders.id, number: orders.number }).from(orders).where(inArray(orders.id, [...orderIds]));
      return new Map(rows.map((row) => [row.id, row.number]));
    },
  };
}

export type OrderQueries = ReturnType<typeof createOrderQueries>;
