// Store sales: what a till sold or took back, relayed by a POS device and recorded as orders of the
// channel "store" against the one stock every channel sells from. The till has already been paid
// (or has already paid out), so a sale is recorded as completed and a refund receipt as refunded.
//
// A physical sale is never refused: the goods have left the shop. If the stock says fewer units are
// left than the till sold (a miscount, a live order that took the last one a moment earlier), the
// sale takes what is there (stock stops at 0, never below) and the missing units are returned as a
// shortfall for staff to look at; the order itself keeps the till's quantities.
// Idempotent by (device, sequence): the order's idempotency key is `pos:<device>:<sequence>` under
// the store's walk-in identity `store:<storeId>` (orders.user_id names who bought; nobody signed in).
import { and, count, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import { orderNumber } from "./checkout.ts";
import type { Database, Queryable, Tx } from "../../db/database.ts";
import { orderItems, orders, saleChannels } from "../../db/schema/orders-checkout.ts";
import { products, skus } from "../../db/schema/orders.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { BadRequest } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { money } from "../../src/platform/money.ts";
import type { Sealer } from "../../src/platform/sealing.ts";
import { normalizeSkuCode } from "./catalog-rules.ts";
import type { Address } from "./order-records.ts";
import { returnStock, takeStock } from "./stock.ts";
import { orderEventOf, type OrderEvents } from "./order-events.ts";

export interface StoreSaleLine {
  skuId: string;
  quantity: number;
  unitPriceFen: number;
}

export interface StoreSaleInput {
  storeId: string;
  deviceId: string;
  sequence: number;
  kind: "sale" | "refund";
  receiptNo: string;
  /** When the till printed the receipt. */
  at: Date;
  lines: readonly StoreSaleLine[];
  totalFen: number;
  currency: string;
  payment: string | null;
  /** The shopper's membership code, when the till scanned one: their points follow the sale. */
  memberCode?: string | null;
  /** Who records it: the device itself, or the staff member who matched an unknown code. */
  actor?: Actor;
}

export interface StoreSaleResult {
  orderId: string;
  /** False when (device, sequence) had been recorded before: nothing moved this time. */
  created: boolean;
  /** Units the till sold that the stock did not hold (sales only). */
  shortfalls: { skuId: string; code: string; quantity: number }[];
}

export interface StoreSku {
  id: string;
  code: string;
  barcode: string | null;
  priceFen: number;
  currency: string;
}

export interface ChannelFigures {
  channel: (typeof saleChannels)[number];
  /** Orders not cancelled, expired or refunded, and their total. */
  orders: number;
  totalFen: number;
  /** Refunded orders (for the store: refund receipts) and their total. */
  refunds: number;
  refundedFen: number;
}

/** Store sales carry no shipping address: the customer took the goods at the till. */
const walkInAddress: Address = { recipient: "", phone: "", region: "", street: "" };

export const walkInUserId = (storeId: string) => `store:${storeId}`;
export const storeSaleKey = (deviceId: string, sequence: number) => `pos:${deviceId}:${sequence}`;

export function createStoreSales({ database, audit, clock, sealer, events }: { database: Database; audit: AuditTrail; clock: Clock; sealer: Sealer; events: Required<OrderEvents> }) {
  const { db } = database;

  async function record(tx: Tx, input: StoreSaleInput, addressSealed: string): Promise<StoreSaleResult> {
    const userId = walkInUserId(input.storeId);
    const idempotencyKey = storeSaleKey(input.deviceId, input.sequence);
    const [earlier] = await tx.select({ id: orders.id }).from(orders).where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, idempotencyKey)));
    if (earlier) return { orderId: earlier.id, created: false, shortfalls: [] };

    const merged = new Map<string, { quantity: number; amountFen: number; unitPriceFen: number }>();
    for (const line of input.lines) {
      if (!Number.isSafeInteger(line.quantity) || line.quantity <= 0 || !Number.isSafeInteger(line.unitPriceFen) || line.unitPriceFen < 0) throw new BadRequest("bad_line");
      const seen = merged.get(line.skuId);
      merged.set(line.skuId, { quantity: (seen?.quantity ?? 0) + line.quantity, amountFen: (seen?.amountFen ?? 0) + line.quantity * line.unitPriceFen, unitPriceFen: seen?.unitPriceFen ?? line.unitPriceFen });
    }
    if (merged.size === 0) throw new BadRequest("no_lines");
    const skuIds = [...merged.keys()];
    const found = await tx.select({ sku: skus, product: products }).from(skus).innerJoin(products, eq(products.id, skus.productId)).where(inArray(skus.id, skuIds));
    if (found.length !== skuIds.length || found.some((row) => row.product.storeId !== input.storeId)) throw new BadRequest("sku_not_in_store");

    const now = input.at;
    const id = newId("ord", now.getTime());
    const actor = input.actor ?? { type: "device" as const, id: input.deviceId };
    const subtotalFen = [...merged.values()].reduce((sum, line) => sum + line.amountFen, 0);
    // The till's total is what changed hands; a total above the lines' sum (a fee the lines do not show) is kept in the audit entry.
    const discountFen = Math.max(0, subtotalFen - Math.max(0, input.totalFen));
    const totalFen = subtotalFen - discountFen;

    const shortfalls: StoreSaleResult["shortfalls"] = [];
    let discountLeft = discountFen;
    const items = found.map(({ sku, product }, index) => {
      const line = merged.get(sku.id)!;
      const share = index === found.length - 1 ? discountLeft : subtotalFen === 0 ? 0 : Math.floor((discountFen * line.amountFen) / subtotalFen);
      discountLeft -= share;
      return { sku, product, line, discountFen: share };
    });

    for (const { sku, line } of items) {
      const move = { skuId: sku.id, quantity: line.quantity, orderId: id, actorId: actor.id, note: `receipt ${input.receiptNo}` };
      if (input.kind === "refund") {
        await returnStock(tx, move, clock.now(), "return");
        continue;
      }
      const [current] = await tx.select({ stock: skus.stock }).from(skus).where(eq(skus.id, sku.id));
      const take = Math.min(line.quantity, current?.stock ?? 0);
      if (take > 0) await takeStock(tx, { ...move, quantity: take }, clock.now(), "store_sale");
      if (take < line.quantity) shortfalls.push({ skuId: sku.id, code: sku.code, quantity: line.quantity - take });
    }

    const [stored] = await tx.insert(orders).values({
      id,
      number: orderNumber(now),
      userId,
      storeId: input.storeId,
      channel: "store",
      liveSessionId: null,
      status: input.kind === "sale" ? "completed" : "refunded",
      paymentMethod: "offline",
      currency: input.currency,
      subtotalFen,
      discountFen,
      shippingFen: 0,
      totalFen,
      couponClaimId: null,
      addressSealed,
      // A shop counter is not a shipping address: till sales stay out of the per-address risk rules.
      addressKey: null,
      idempotencyKey,
      createdAt: now,
      expiresAt: now,
      paidAt: now,
      completedAt: input.kind === "sale" ? now : null,
      closedAt: input.kind === "refund" ? now : null,
    }).returning();
    await tx.insert(orderItems).values(
      items.map(({ sku, product, line, discountFen: share }) => ({
        orderId: id,
        skuId: sku.id,
        productId: product.id,
        titleZh: product.titleZh,
        titleEn: product.titleEn,
        optionZh: sku.optionZh,
        optionEn: sku.optionEn,
        skuCode: sku.code,
        unitPriceFen: line.unitPriceFen,
        quantity: line.quantity,
        discountFen: share,
        flashSaleId: null,
      })),
    );
    await audit.record(tx, {
      actor,
      action: input.kind === "sale" ? "order.store_sale" : "order.store_refund",
      subject: `order:${id}`,
      data: {
        storeId: input.storeId,
        deviceId: input.deviceId,
        sequence: input.sequence,
        receiptNo: input.receiptNo,
        at: input.at.toISOString(),
        payment: input.payment,
        tillTotalFen: input.totalFen,
        totalFen,
        lines: [...merged].map(([skuId, line]) => ({ skuId, quantity: line.quantity, unitPriceFen: line.unitPriceFen })),
        ...(shortfalls.length ? { shortfalls } : {}),
        ...(input.memberCode ? { memberCode: true } : {}),
      },
    });
    const lines = items.map(({ sku, product, line }) => ({ productId: product.id, skuId: sku.id, quantity: line.quantity }));
    const event = await orderEventOf(tx, stored!, now, input.memberCode ?? null, lines);
    if (input.kind === "sale") await events.paid(tx, event);
    else await events.refunded(tx, event);
    return { orderId: id, created: true, shortfalls };
  }

  return {
    /**
     * Records a till's sale or refund receipt once per (device, sequence), inside `tx` when given
     * (the caller's transaction, e.g. the POS ingest), else in a write transaction of its own.
     */
    async recordStoreSale(tx: Tx | undefined, input: StoreSaleInput): Promise<StoreSaleResult> {
      money(input.totalFen, input.currency);
      const addressSealed = await sealer.seal(JSON.stringify(walkInAddress));
      return tx ? record(tx, input, addressSealed) : database.write((own) => record(own, input, addressSealed));
    },

    /** The store's SKUs whose code (as the till prints it, in capitals) or barcode is one of `codes`, by the code asked. */
    async skusByCode(storeId: string, codes: readonly string[], q: Queryable = db): Promise<Map<string, StoreSku>> {
      const asked = [...new Set(codes.map((code) => code.trim()).filter(Boolean))];
      const found = new Map<string, StoreSku>();
      if (asked.length === 0) return found;
      const normalized = asked.map(normalizeSkuCode);
      const rows = await q
        .select({ id: skus.id, code: skus.code, barcode: skus.barcode, priceFen: skus.priceFen, currency: skus.currency })
        .from(skus)
        .innerJoin(products, eq(products.id, skus.productId))
        .where(and(eq(products.storeId, storeId), or(inArray(skus.code, normalized), inArray(skus.barcode, asked))));
      for (const code of asked) {
        const row = rows.find((r) => r.code === normalizeSkuCode(code)) ?? rows.find((r) => r.barcode === code);
        if (row) found.set(code, row);
      }
      return found;
    },

    /** A SKU of the store by id (staff matching an unknown code pick one), or null. */
    async storeSku(storeId: string, skuId: string): Promise<StoreSku | null> {
      const [row] = await db
        .select({ id: skus.id, code: skus.code, barcode: skus.barcode, priceFen: skus.priceFen, currency: skus.currency })
        .from(skus)
        .innerJoin(products, eq(products.id, skus.productId))
        .where(and(eq(products.storeId, storeId), eq(skus.id, skuId)));
      return row ?? null;
    },

    /** Orders of the store per channel created in [from, to): what the live room and the till sold. */
    /** The store's newest till sale, for the customer display between live shows. */
    async lastStoreSale(storeId: string): Promise<{ totalFen: number; currency: string; at: Date } | null> {
      const [row] = await db
        .select({ totalFen: orders.totalFen, currency: orders.currency, at: orders.createdAt })
        .from(orders)
        .where(and(eq(orders.storeId, storeId), eq(orders.channel, "store"), eq(orders.status, "completed")))
        .orderBy(desc(orders.createdAt))
        .limit(1);
      return row ?? null;
    },

    async channelFigures(storeId: string, from: Date, to: Date): Promise<ChannelFigures[]> {
      const rows = await db
        .select({ channel: orders.channel, status: orders.status, n: count(), totalFen: sql<number>`coalesce(sum(${orders.totalFen}), 0)` })
        .from(orders)
        .where(and(eq(orders.storeId, storeId), gte(orders.createdAt, from), lt(orders.createdAt, to)))
        .groupBy(orders.channel, orders.status);
      return saleChannels.map((channel) => {
        const figures: ChannelFigures = { channel, orders: 0, totalFen: 0, refunds: 0, refundedFen: 0 };
        for (const row of rows.filter((r) => r.channel === channel)) {
          if (row.status === "refunded") {
            figures.refunds += row.n;
            figures.refundedFen += Number(row.totalFen);
          } else if (row.status !== "cancelled" && row.status !== "expired") {
            figures.orders += row.n;
            figures.totalFen += Number(row.totalFen);
          }
        }
        return figures;
      });
    },
  };
}

export type StoreSales = ReturnType<typeof createStoreSales>;
