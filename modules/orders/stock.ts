// The one stock: every unit a channel sells or gives back moves through here, inside the caller's
// transaction, as a conditional update plus a ledger row. Stock can never go below zero: the
// update only matches while enough units are left (and the table has a CHECK as a last guard).
import { and, eq, gte, sql } from "drizzle-orm";
import type { Tx } from "../../db/database.ts";
import { skus, stockMovements } from "../../db/schema/orders.ts";
import { newId } from "../../src/platform/ids.ts";
import { OutOfStock } from "./errors.ts";

type Reason = (typeof stockMovements.$inferInsert)["reason"];

export interface StockMove {
  skuId: string;
  quantity: number;
  orderId: string | null;
  actorId: string;
  note?: string;
}

/** Takes units for a sale; throws OutOfStock (and the caller's transaction rolls back) if too few are left. */
export async function takeStock(tx: Tx, move: StockMove, now: Date, reason: Reason = "sale"): Promise<void> {
  const taken = await tx
    .update(skus)
    .set({ stock: sql`${skus.stock} - ${move.quantity}` })
    .where(and(eq(skus.id, move.skuId), gte(skus.stock, move.quantity)));
  if (taken.rowsAffected !== 1) throw new OutOfStock(move.skuId);
  await record(tx, move, -move.quantity, reason, now);
}

/** Puts units back (an expired or cancelled order, a return). The caller guarantees once-only. */
export async function returnStock(tx: Tx, move: StockMove, now: Date, reason: "release" | "return"): Promise<void> {
  await tx.update(skus).set({ stock: sql`${skus.stock} + ${move.quantity}` }).where(eq(skus.id, move.skuId));
  await record(tx, move, move.quantity, reason, now);
}

async function record(tx: Tx, move: StockMove, delta: number, reason: Reason, now: Date) {
  await tx.insert(stockMovements).values({ id: newId("stm", now.getTime()), skuId: move.skuId, delta, reason, note: move.note ?? null, orderId: move.orderId, actorId: move.actorId, createdAt: now });
}
