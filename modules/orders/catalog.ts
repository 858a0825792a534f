// The catalog: stores, their staff, products and SKUs with the one stock every channel sells from,
// product photos, and the stock ledger (stock_movements). Owns db/schema/orders.ts.
// Store staff (owner, staff) manage their store's catalog; every change is audited in its transaction.
// This file composes the service and holds its read side (stores, staff, product lists, stock history);
// the rules live in catalog-rules.ts, the merchant edits in catalog-edits.ts, photos in catalog-images.ts.
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { productImages, products, skus, stockMovements, storeStaff, stores } from "../../db/schema/orders.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { money } from "../../src/platform/money.ts";
import { createCatalogEdits, type CatalogEdits } from "./catalog-edits.ts";
import { createCatalogImages, type CatalogImages } from "./catalog-images.ts";
import { authorize, findProduct, loadStore, productToChange, toImage, toMovement, toStore, type Product, type ProductSummary, type StaffPosition, type StockMovement, type Store, type StoreProductRow } from "./catalog-records.ts";
import type { ImageStore } from "./images/image-store.ts";

export type { CatalogEdits } from "./catalog-edits.ts";
export type { CatalogImages, ServedImage } from "./catalog-images.ts";
export { INITIAL_STOCK_NOTE, imageUrl } from "./catalog-records.ts";
export type { Product, ProductImage, ProductStatus, ProductSummary, Sku, StaffPosition, StockMovement, StockMovementReason, Store, StoreProductRow } from "./catalog-records.ts";
export { BarcodeTaken, CatalogInputInvalid, ImageRejected, LastSku, SkuCodeTaken, SkuHasHistory, StockWouldGoNegative } from "./catalog-rules.ts";
export { barcodeProblem, catalogLimits, hasValidCheckDigit, normalizeSkuCode, skuCodePattern } from "./catalog-rules.ts";
export type { NewProduct, NewSku, ProductDetails, SkuDetails } from "./catalog-rules.ts";

export interface Catalog extends CatalogEdits, CatalogImages {
  createStore(actor: Actor, input: Omit<Store, "id">): Promise<Store>;
  addStaff(actor: Actor, storeId: string, userId: string, position: StaffPosition): Promise<void>;
  getStore(id: string): Promise<Store>;
  storesOf(userId: string): Promise<Store[]>;
  /** The stores whose catalog the user may manage (owner or staff). */
  managedStores(userId: string): Promise<Store[]>;
  listPublishedProducts(limit: number): Promise<ProductSummary[]>;
  getPublishedProduct(id: string): Promise<Product>;

  /** A store's products for its staff, newest first; `query` matches titles, SKU codes and barcodes. */
  storeProducts(actor: Actor, storeId: string, query?: string, limit?: number): Promise<StoreProductRow[]>;
  /** Any product, draft or published, for its store's staff. */
  productForStaff(actor: Actor, id: string): Promise<Product>;
  /** The latest stock movements of each of the product's SKUs, newest first. */
  stockHistory(actor: Actor, productId: string, perSku?: number): Promise<Map<string, StockMovement[]>>;
}

export interface CatalogDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  /**
   * Where photos' bytes live: a folder on Bun (images/folder.ts), an R2 bucket on Workers (images/r2.ts).
   * Required: a store that forgot photos on restart would leave rows pointing at nothing.
   */
  images: ImageStore;
}

export function createCatalog({ database, audit, clock, images }: CatalogDeps): Catalog {
  const { db } = database;
  return {
    ...createCatalogEdits({ database, audit, clock }),
    ...createCatalogImages({ database, audit, clock, images }),

    async createStore(actor, input) {
      const store = { id: newId("sto", clock.now().getTime()), ...input };
      money(0, input.currency);
      await database.write(async (tx) => {
        await tx.insert(stores).values({ ...store, createdAt: clock.now() });
        await audit.record(tx, { actor, action: "store.created", subject: `store:${store.id}`, data: { nameZh: input.nameZh, nameEn: input.nameEn, currency: input.currency } });
      });
      return store;
    },

    async addStaff(actor, storeId, userId, position) {
      await database.write(async (tx) => {
        await tx.insert(storeStaff).values({ storeId, userId, position }).onConflictDoUpdate({ target: [storeStaff.storeId, storeStaff.userId], set: { position } });
        await audit.record(tx, { actor, action: "store.staff_set", subject: `store:${storeId}`, data: { userId, position } });
      });
    },

    getStore: (id) => loadStore(db, id),

    async storesOf(userId) {
      const rows = await db.select({ store: stores }).from(storeStaff).innerJoin(stores, eq(stores.id, storeStaff.storeId)).where(eq(storeStaff.userId, userId));
      return rows.map((row) => toStore(row.store));
    },

    async managedStores(userId) {
      const rows = await db
        .select({ store: stores })
        .from(storeStaff)
        .innerJoin(stores, eq(stores.id, storeStaff.storeId))
        .where(and(eq(storeStaff.userId, userId), inArray(storeStaff.position, ["owner", "staff"])))
        .orderBy(asc(stores.createdAt), asc(stores.id));
      return rows.map((row) => toStore(row.store));
    },

    async listPublishedProducts(limit) {
      const rows = await db.select().from(products).where(eq(products.status, "published")).orderBy(desc(products.createdAt), asc(products.id)).limit(limit);
      if (rows.length === 0) return [];
      const skuRows = await db.select().from(skus).where(inArray(skus.productId, rows.map((row) => row.id)));
      return rows.flatMap((row) => {
        const own = skuRows.filter((sku) => sku.productId === row.id);
        const cheapest = own.reduce<(typeof own)[number] | undefined>((min, sku) => (!min || sku.priceFen < min.priceFen ? sku : min), undefined);
        if (!cheapest) return [];
        return [{ id: row.id, storeId: row.storeId, titleZh: row.titleZh, titleEn: row.titleEn, fromPrice: money(cheapest.priceFen, cheapest.currency), stock: own.reduce((sum, sku) => sum + sku.stock, 0) }];
      });
    },

    async getPublishedProduct(id) {
      const product = await findProduct(db, id);
      if (!product || product.status !== "published" || product.skus.length === 0) throw new NotFound("product_not_found");
      return product;
    },

    async storeProducts(actor, storeId, query = "", limit = 200) {
      await authorize(db, actor, storeId);
      const text = query.trim().slice(0, 100);
      const pattern = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      const matches = text
        ? sql`(${products.titleZh} LIKE ${pattern} ESCAPE '\\' OR ${products.titleEn} LIKE ${pattern} ESCAPE '\\' OR EXISTS (SELECT 1 FROM ${skus} WHERE ${skus.productId} = ${products.id} AND (${skus.code} LIKE ${pattern} ESCAPE '\\' OR ${skus.barcode} LIKE ${pattern} ESCAPE '\\')))`
        : undefined;
      const rows = await db
        .select()
        .from(products)
        .where(and(eq(products.storeId, storeId), matches))
        .orderBy(desc(products.createdAt), desc(products.id))
        .limit(limit);
      if (rows.length === 0) return [];
      const ids = rows.map((row) => row.id);
      const [skuRows, imageRows] = await Promise.all([
        db.select().from(skus).where(inArray(skus.productId, ids)),
        db.select().from(productImages).where(inArray(productImages.productId, ids)).orderBy(asc(productImages.position), asc(productImages.id)),
      ]);
      return rows.map((row) => {
        const own = skuRows.filter((sku) => sku.productId === row.id);
        const prices = own.map((sku) => sku.priceFen);
        const currency = own[0]?.currency;
        const image = imageRows.find((candidate) => candidate.productId === row.id);
        return {
          id: row.id,
          titleZh: row.titleZh,
          titleEn: row.titleEn,
          status: row.status,
          stock: own.reduce((sum, sku) => sum + sku.stock, 0),
          skuCount: own.length,
          lowestPrice: currency ? money(Math.min(...prices), currency) : null,
          highestPrice: currency ? money(Math.max(...prices), currency) : null,
          image: image ? toImage(image) : null,
        };
      });
    },

    async productForStaff(actor, id) {
      return productToChange(db, actor, id);
    },

    async stockHistory(actor, productId, perSku = 20) {
      const product = await productToChange(db, actor, productId);
      const history = new Map<string, StockMovement[]>();
      await Promise.all(
        product.skus.map(async (sku) => {
          const [rows, [first]] = await Promise.all([
            db.select().from(stockMovements).where(eq(stockMovements.skuId, sku.id)).orderBy(desc(stockMovements.createdAt), desc(stockMovements.id)).limit(perSku),
            db.select({ id: stockMovements.id }).from(stockMovements).where(eq(stockMovements.skuId, sku.id)).orderBy(asc(stockMovements.createdAt), asc(stockMovements.id)).limit(1),
          ]);
          history.set(sku.id, rows.map((row) => toMovement(row, row.id === first?.id)));
        }),
      );
      return history;
    },
  };
}
