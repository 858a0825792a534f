// Reading the catalog back: the shapes pages and other modules see (stores, products, SKUs, photos,
// stock movements), loading them from their rows, and the store staff check every change makes.
import { asc, eq } from "drizzle-orm";
import type { Queryable } from "../../db/database.ts";
import { productImages, products, skus, stockMovements, storeStaff, stores } from "../../db/schema/orders.ts";
import type { Actor } from "../compliance/index.ts";
import { Forbidden, NotFound } from "../../src/platform/errors.ts";
import { money, type Money } from "../../src/platform/money.ts";
import { isStoreStaff } from "./order-records.ts";

export type StaffPosition = (typeof storeStaff.$inferSelect)["position"];
export type ProductStatus = (typeof products.$inferSelect)["status"];
export type StockMovementReason = (typeof stockMovements.$inferSelect)["reason"];

/** The note of the movement that records a new SKU's first stock; such a movement never blocks removing it. */
export const INITIAL_STOCK_NOTE = "initial stock";

export interface Store {
  id: string;
  nameZh: string;
  nameEn: string;
  currency: string;
}

export interface Sku {
  id: string;
  code: string;
  barcode: string | null;
  optionZh: string;
  optionEn: string;
  price: Money;
  stock: number;
}

export interface ProductImage {
  id: string;
  key: string;
  contentType: string;
  byteSize: number;
  /** Where the photo is served: /media/products/<key>. */
  url: string;
}

export interface ProductSummary {
  id: string;
  storeId: string;
  titleZh: string;
  titleEn: string;
  /** The lowest SKU price, shown as "from". */
  fromPrice: Money;
  stock: number;
}

export interface Product extends Omit<ProductSummary, "fromPrice"> {
  descriptionZh: string;
  descriptionEn: string;
  status: ProductStatus;
  store: Store;
  skus: Sku[];
  images: ProductImage[];
}

/** A row of a merchant's product list. */
export interface StoreProductRow {
  id: string;
  titleZh: string;
  titleEn: string;
  status: ProductStatus;
  stock: number;
  skuCount: number;
  lowestPrice: Money | null;
  highestPrice: Money | null;
  image: ProductImage | null;
}

export interface StockMovement {
  id: string;
  skuId: string;
  delta: number;
  reason: StockMovementReason;
  note: string | null;
  orderId: string | null;
  actorId: string;
  at: Date;
  /** The movement that recorded the SKU's stock when it was created. */
  initial: boolean;
}

export function imageUrl(key: string): string {
  return `/media/products/${key}`;
}

// ---- loading -------------------------------------------------------------------------------

export async function findProduct(q: Queryable, id: string): Promise<Product | null> {
  const [row] = await q.select().from(products).innerJoin(stores, eq(stores.id, products.storeId)).where(eq(products.id, id));
  if (!row) return null;
  // One statement at a time: `q` may be an open transaction, which runs its statements in order.
  const skuRows = await q.select().from(skus).where(eq(skus.productId, id)).orderBy(asc(skus.position), asc(skus.id));
  const imageRows = await q.select().from(productImages).where(eq(productImages.productId, id)).orderBy(asc(productImages.position), asc(productImages.id));
  return {
    id: row.products.id,
    storeId: row.products.storeId,
    titleZh: row.products.titleZh,
    titleEn: row.products.titleEn,
    descriptionZh: row.products.descriptionZh,
    descriptionEn: row.products.descriptionEn,
    status: row.products.status,
    store: toStore(row.stores),
    stock: skuRows.reduce((sum, sku) => sum + sku.stock, 0),
    skus: skuRows.map(toSku),
    images: imageRows.map(toImage),
  };
}

/** A product that must be there (404 otherwise), in whatever status. */
export async function loadProduct(q: Queryable, id: string): Promise<Product> {
  const product = await findProduct(q, id);
  if (!product) throw new NotFound("product_not_found");
  return product;
}

export async function loadStore(q: Queryable, id: string): Promise<Store> {
  const [row] = await q.select().from(stores).where(eq(stores.id, id));
  if (!row) throw new NotFound("store_not_found");
  return toStore(row);
}

// ---- who may change a store's catalog ------------------------------------------------------------

/** System actors (the seed, tests) may act on any store; a person must be its owner or staff. */
export async function authorize(q: Queryable, actor: Actor, storeId: string): Promise<void> {
  if (actor.type === "system") return;
  if (actor.type !== "user" || !(await isStoreStaff(q, storeId, actor.id))) throw new Forbidden();
}

/** Loads a product for a change by `actor`: 404 when there is none, 403 when it is another store's. */
export async function productToChange(q: Queryable, actor: Actor, id: string): Promise<Product> {
  const product = await loadProduct(q, id);
  await authorize(q, actor, product.storeId);
  return product;
}

// ---- rows to shapes --------------------------------------------------------------------------

export function isInitialMovement(row: typeof stockMovements.$inferSelect): boolean {
  return row.reason === "adjustment" && row.orderId === null && row.note === INITIAL_STOCK_NOTE;
}

export function toStore(row: typeof stores.$inferSelect): Store {
  return { id: row.id, nameZh: row.nameZh, nameEn: row.nameEn, currency: row.currency };
}

function toSku(row: typeof skus.$inferSelect): Sku {
  return { id: row.id, code: row.code, barcode: row.barcode, optionZh: row.optionZh, optionEn: row.optionEn, price: money(row.priceFen, row.currency), stock: row.stock };
}

export function toImage(row: typeof productImages.$inferSelect): ProductImage {
  return { id: row.id, key: row.storageKey, contentType: row.contentType, byteSize: row.byteSize, url: imageUrl(row.storageKey) };
}

export function toMovement(row: typeof stockMovements.$inferSelect, first: boolean): StockMovement {
  return { id: row.id, skuId: row.skuId, delta: row.delta, reason: row.reason, note: row.note, orderId: row.orderId, actorId: row.actorId, at: row.createdAt, initial: first && isInitialMovement(row) };
}
