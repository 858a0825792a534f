// The catalog: stores, their staff, products and SKUs with the one stock every channel sells from.
// Owns db/schema/orders.ts. (Carts, orders, coupons and payments join this module later.)
import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { products, skus, storeStaff, stores } from "../../db/schema/orders.ts";
import type { Actor, AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import { money, type Money } from "../../src/platform/money.ts";

export type StaffPosition = (typeof storeStaff.$inferSelect)["position"];

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
  status: "draft" | "published";
  store: Store;
  skus: Sku[];
}

export interface NewProduct {
  storeId: string;
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
  status: "draft" | "published";
  skus: { code: string; barcode?: string; optionZh: string; optionEn: string; priceFen: number; stock: number }[];
}

export interface Catalog {
  createStore(actor: Actor, input: Omit<Store, "id">): Promise<Store>;
  addStaff(actor: Actor, storeId: string, userId: string, position: StaffPosition): Promise<void>;
  createProduct(actor: Actor, input: NewProduct): Promise<Product>;
  getStore(id: string): Promise<Store>;
  storesOf(userId: string): Promise<Store[]>;
  listPublishedProducts(limit: number): Promise<ProductSummary[]>;
  getPublishedProduct(id: string): Promise<Product>;
}

export function createCatalog({ database, audit, clock }: { database: Database; audit: AuditTrail; clock: Clock }): Catalog {
  const { db } = database;

  async function loadProduct(id: string): Promise<Product | null> {
    const [row] = await db.select().from(products).innerJoin(stores, eq(stores.id, products.storeId)).where(eq(products.id, id));
    if (!row) return null;
    const skuRows = await db.select().from(skus).where(eq(skus.productId, id)).orderBy(asc(skus.position));
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
    };
  }

  return {
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

    async createProduct(actor, input) {
      const now = clock.now();
      const id = newId("prd", now.getTime());
      const store = await this.getStore(input.storeId);
      await database.write(async (tx) => {
        await tx.insert(products).values({
          id,
          storeId: input.storeId,
          titleZh: input.titleZh,
          titleEn: input.titleEn,
          descriptionZh: input.descriptionZh,
          descriptionEn: input.descriptionEn,
          status: input.status,
          createdAt: now,
        });
        await tx.insert(skus).values(
          input.skus.map((sku, position) => ({
            id: newId("sku", now.getTime()),
            productId: id,
            code: sku.code,
            barcode: sku.barcode ?? null,
            optionZh: sku.optionZh,
            optionEn: sku.optionEn,
            priceFen: money(sku.priceFen, store.currency).amount,
            currency: store.currency,
            stock: sku.stock,
            position,
          })),
        );
        await audit.record(tx, {
          actor,
          action: "product.created",
          subject: `product:${id}`,
          data: { titleZh: input.titleZh, titleEn: input.titleEn, status: input.status, skus: input.skus.map(({ code, priceFen, stock }) => ({ code, priceFen, stock })) },
        });
      });
      return (await loadProduct(id))!;
    },

    async getStore(id) {
      const [row] = await db.select().from(stores).where(eq(stores.id, id));
      if (!row) throw new NotFound("store_not_found");
      return toStore(row);
    },

    async storesOf(userId) {
      const rows = await db.select({ store: stores }).from(storeStaff).innerJoin(stores, eq(stores.id, storeStaff.storeId)).where(eq(storeStaff.userId, userId));
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
      const product = await loadProduct(id);
      if (!product || product.status !== "published") throw new NotFound("product_not_found");
      return product;
    },
  };
}

function toStore(row: typeof stores.$inferSelect): Store {
  return { id: row.id, nameZh: row.nameZh, nameEn: row.nameEn, currency: row.currency };
}

function toSku(row: typeof skus.$inferSelect): Sku {
  return { id: row.id, code: row.code, barcode: row.barcode, optionZh: row.optionZh, optionEn: row.optionEn, price: money(row.priceFen, row.currency), stock: row.stock };
}
