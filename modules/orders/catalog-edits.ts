// Store staff's edits of their catalog: new products with their first SKUs, details and publishing,
// SKUs added, changed and removed, and stock adjustments. Each is one transaction with its audit entry;
// a SKU's stock changes only through a movement in the ledger (stock_movements).
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database, Queryable } from "../../db/database.ts";
import { products, skus, stockMovements } from "../../db/schema/orders.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { INITIAL_STOCK_NOTE, authorize, isInitialMovement, loadProduct, loadStore, productToChange, type Product, type ProductStatus, type Sku } from "./catalog-records.ts";
import {
  BarcodeTaken,
  CatalogInputInvalid,
  LastSku,
  SkuCodeTaken,
  SkuHasHistory,
  StockWouldGoNegative,
  catalogLimits,
  checkedDelta,
  checkedDetails,
  checkedSku,
  checkedStock,
  type CheckedSku,
  type NewProduct,
  type NewSku,
  type ProductDetails,
  type SkuDetails,
} from "./catalog-rules.ts";

export interface CatalogEdits {
  createProduct(actor: Actor, input: NewProduct): Promise<Product>;
  updateProduct(actor: Actor, id: string, details: ProductDetails): Promise<Product>;
  setProductStatus(actor: Actor, id: string, status: ProductStatus): Promise<Product>;
  addSku(actor: Actor, productId: string, input: NewSku): Promise<Product>;
  updateSku(actor: Actor, productId: string, skuId: string, input: SkuDetails): Promise<Product>;
  removeSku(actor: Actor, productId: string, skuId: string): Promise<Product>;
  /** Adds `delta` (negative removes) to a SKU's stock, refusing to go below zero, with the reason on record. */
  adjustStock(actor: Actor, productId: string, skuId: string, delta: number, reason: string): Promise<Product>;
}

export function createCatalogEdits({ database, audit, clock }: { database: Database; audit: AuditTrail; clock: Clock }): CatalogEdits {
  const { db } = database;
  return {
    async createProduct(actor, input) {
      const now = clock.now();
      const id = newId("prd", now.getTime());
      const store = await loadStore(db, input.storeId);
      const details = checkedDetails(input);
      if (input.skus.length === 0) throw new CatalogInputInvalid("skus", "validation.product.skus_required");
      if (input.skus.length > catalogLimits.skusPerProduct) throw new CatalogInputInvalid("skus", "validation.product.too_many_skus");
      const newSkus = input.skus.map((sku) => ({ sku: checkedSku(sku, store.currency), stock: checkedStock(sku.stock) }));
      const codes = new Set<string>();
      const barcodes = new Set<string>();
      for (const { sku } of newSkus) {
        if (codes.has(sku.code)) throw new SkuCodeTaken(sku.code);
        if (sku.barcode !== null && barcodes.has(sku.barcode)) throw new BarcodeTaken(sku.barcode);
        codes.add(sku.code);
        if (sku.barcode !== null) barcodes.add(sku.barcode);
      }
      await database.write(async (tx) => {
        await authorize(tx, actor, store.id);
        for (const { sku } of newSkus) await assertSkuUnique(tx, sku);
        await tx.insert(products).values({ id, storeId: store.id, ...details, status: input.status, createdAt: now });
        const skuIds: string[] = [];
        for (const [position, { sku, stock }] of newSkus.entries()) skuIds.push(await insertSku(tx, actor, id, store.currency, sku, stock, position, now));
        await audit.record(tx, {
          actor,
          action: "product.created",
          subject: `product:${id}`,
          data: {
            storeId: store.id,
            titleZh: details.titleZh,
            titleEn: details.titleEn,
            status: input.status,
            skus: newSkus.map(({ sku, stock }, i) => ({ id: skuIds[i], code: sku.code, barcode: sku.barcode, priceFen: sku.priceFen, stock })),
          },
        });
      });
      return loadProduct(db, id);
    },

    async updateProduct(actor, id, input) {
      const details = checkedDetails(input);
      await database.write(async (tx) => {
        const product = await productToChange(tx, actor, id);
        const changes = changedFields(product, details);
        if (Object.keys(changes).length === 0) return;
        await tx.update(products).set(details).where(eq(products.id, id));
        await audit.record(tx, { actor, action: "product.updated", subject: `product:${id}`, data: { changes } });
      });
      return loadProduct(db, id);
    },

    async setProductStatus(actor, id, status) {
      await database.write(async (tx) => {
        const product = await productToChange(tx, actor, id);
        if (product.status === status) return;
        if (status === "published" && product.skus.length === 0) throw new LastSku();
        await tx.update(products).set({ status }).where(eq(products.id, id));
        await audit.record(tx, { actor, action: status === "published" ? "product.published" : "product.unpublished", subject: `product:${id}`, data: { from: product.status, to: status } });
      });
      return loadProduct(db, id);
    },

    async addSku(actor, productId, input) {
      const now = clock.now();
      await database.write(async (tx) => {
        const product = await productToChange(tx, actor, productId);
        if (product.skus.length >= catalogLimits.skusPerProduct) throw new CatalogInputInvalid("code", "validation.product.too_many_skus");
        const sku = checkedSku(input, product.store.currency);
        const stock = checkedStock(input.stock);
        await assertSkuUnique(tx, sku);
        const [last] = await tx.select({ position: skus.position }).from(skus).where(eq(skus.productId, productId)).orderBy(desc(skus.position)).limit(1);
        const skuId = await insertSku(tx, actor, productId, product.store.currency, sku, stock, (last?.position ?? -1) + 1, now);
        await audit.record(tx, { actor, action: "sku.added", subject: `sku:${skuId}`, data: { productId, code: sku.code, barcode: sku.barcode, optionZh: sku.optionZh, optionEn: sku.optionEn, priceFen: sku.priceFen, stock } });
      });
      return loadProduct(db, productId);
    },

    async updateSku(actor, productId, skuId, input) {
      await database.write(async (tx) => {
        const product = await productToChange(tx, actor, productId);
        const before = skuOf(product, skuId);
        const sku = checkedSku(input, before.price.currency);
        await assertSkuUnique(tx, sku, skuId);
        const changes = changedFields({ code: before.code, barcode: before.barcode, optionZh: before.optionZh, optionEn: before.optionEn, priceFen: before.price.amount }, sku);
        if (Object.keys(changes).length === 0) return;
        await tx.update(skus).set(sku).where(eq(skus.id, skuId));
        await audit.record(tx, { actor, action: "sku.updated", subject: `sku:${skuId}`, data: { productId, code: sku.code, changes } });
      });
      return loadProduct(db, productId);
    },

    async removeSku(actor, productId, skuId) {
      try {
        await database.write(async (tx) => {
          const product = await productToChange(tx, actor, productId);
          const sku = skuOf(product, skuId);
          if (product.skus.length === 1) throw new LastSku();
          // Only a SKU whose ledger holds nothing but its initial stock may go: anything else (a sale,
          // a return, an adjustment) is history that orders and the ledger must keep pointing at.
          const movements = await tx.select().from(stockMovements).where(eq(stockMovements.skuId, skuId)).limit(2);
          if (movements.length > 1 || (movements[0] && !isInitialMovement(movements[0]))) throw new SkuHasHistory();
          await tx.delete(skus).where(eq(skus.id, skuId));
          await audit.record(tx, {
            actor,
            action: "sku.removed",
            subject: `sku:${skuId}`,
            data: { productId, code: sku.code, barcode: sku.barcode, optionZh: sku.optionZh, optionEn: sku.optionEn, priceFen: sku.price.amount, stock: sku.stock },
          });
        });
      } catch (error) {
        // order_items reference skus without cascade: an order line found by the foreign key is history too.
        if (error instanceof Error && /FOREIGN KEY constraint failed/i.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`)) throw new SkuHasHistory();
        throw error;
      }
      return loadProduct(db, productId);
    },

    async adjustStock(actor, productId, skuId, delta, reason) {
      const adjustment = checkedDelta(delta, reason);
      const now = clock.now();
      await database.write(async (tx) => {
        const product = await productToChange(tx, actor, productId);
        const sku = skuOf(product, skuId);
        // The same conditional update a sale uses: it never takes stock below zero, whoever wrote last.
        const [updated] = await tx
          .update(skus)
          .set({ stock: sql`${skus.stock} + ${adjustment.delta}` })
          .where(and(eq(skus.id, skuId), sql`${skus.stock} + ${adjustment.delta} >= 0`))
          .returning({ stock: skus.stock });
        if (!updated) {
          const [current] = await tx.select({ stock: skus.stock }).from(skus).where(eq(skus.id, skuId));
          throw new StockWouldGoNegative(current?.stock ?? sku.stock);
        }
        await recordAdjustment(tx, actor, skuId, adjustment.delta, adjustment.note, now);
        await audit.record(tx, { actor, action: "sku.stock_adjusted", subject: `sku:${skuId}`, data: { productId, code: sku.code, delta: adjustment.delta, reason: adjustment.note, stockAfter: updated.stock } });
      });
      return loadProduct(db, productId);
    },
  };
}

/** Codes and barcodes are unique across every store: the POS matches a sale by either. */
async function assertSkuUnique(q: Queryable, sku: CheckedSku, exceptSkuId?: string) {
  const [codeOwner] = await q.select({ id: skus.id }).from(skus).where(eq(skus.code, sku.code));
  if (codeOwner && codeOwner.id !== exceptSkuId) throw new SkuCodeTaken(sku.code);
  if (sku.barcode === null) return;
  const [barcodeOwner] = await q.select({ id: skus.id }).from(skus).where(eq(skus.barcode, sku.barcode));
  if (barcodeOwner && barcodeOwner.id !== exceptSkuId) throw new BarcodeTaken(sku.barcode);
}

async function insertSku(tx: Queryable, actor: Actor, productId: string, currency: string, sku: CheckedSku, stock: number, position: number, now: Date) {
  const id = newId("sku", now.getTime());
  await tx.insert(skus).values({ id, productId, ...sku, currency, stock, position });
  await recordAdjustment(tx, actor, id, stock, INITIAL_STOCK_NOTE, now);
  return id;
}

/** A movement staff made: a new SKU's initial stock or an adjustment, with its note; never an order's. */
async function recordAdjustment(tx: Queryable, actor: Actor, skuId: string, delta: number, note: string, now: Date) {
  await tx.insert(stockMovements).values({ id: newId("stm", now.getTime()), skuId, delta, reason: "adjustment", note, orderId: null, actorId: actor.id, createdAt: now });
}

function skuOf(product: Product, skuId: string): Sku {
  const sku = product.skus.find((candidate) => candidate.id === skuId);
  if (!sku) throw new NotFound("sku_not_found");
  return sku;
}

/** `{ field: [before, after] }` for each field of `after` whose value differs from `before`. */
function changedFields<T extends object>(before: T, after: Partial<T>): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  for (const [field, value] of Object.entries(after)) {
    const old = (before as Record<string, unknown>)[field];
    if (old !== value) changes[field] = [old, value];
  }
  return changes;
}
