// Stores, staff, products and SKUs with their one stock: owned by modules/orders.
import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, primaryKey, index, check } from "drizzle-orm/sqlite-core";

export const stores = sqliteTable("stores", {
  id: text("id").primaryKey(),
  nameZh: text("name_zh").notNull(),
  nameEn: text("name_en").notNull(),
  currency: text("currency").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

export const storeStaff = sqliteTable(
  "store_staff",
  {
    storeId: text("store_id").notNull().references(() => stores.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    position: text("position", { enum: ["owner", "staff", "host"] }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.storeId, t.userId] }), index("store_staff_user_idx").on(t.userId)],
);

export const products = sqliteTable(
  "products",
  {
    id: text("id").primaryKey(),
    storeId: text("store_id").notNull().references(() => stores.id),
    titleZh: text("title_zh").notNull(),
    titleEn: text("title_en").notNull(),
    descriptionZh: text("description_zh").notNull(),
    descriptionEn: text("description_en").notNull(),
    status: text("status", { enum: ["draft", "published"] }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("products_store_idx").on(t.storeId, t.status)],
);

export const skus = sqliteTable(
  "skus",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    code: text("code").notNull().unique(),
    barcode: text("barcode").unique(),
    optionZh: text("option_zh").notNull(),
    optionEn: text("option_en").notNull(),
    priceFen: integer("price_fen").notNull(),
    currency: text("currency").notNull(),
    stock: integer("stock").notNull(),
    position: integer("position").notNull(),
  },
  (t) => [
    index("skus_product_idx").on(t.productId),
    check("skus_stock_non_negative", sql`${t.stock} >= 0`),
    check("skus_price_non_negative", sql`${t.priceFen} >= 0`),
  ],
);

/** Product photos; the bytes live in the image store (a folder on Bun, R2 on Workers) under `storageKey`. */
export const productImages = sqliteTable(
  "product_images",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    storageKey: text("storage_key").notNull().unique(),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    position: integer("position").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("product_images_product_idx").on(t.productId, t.position)],
);

/**
 * Every change to a SKU's stock, with why: the ledger behind the one stock. `orderId` ties a sale,
 * a release or a return to its order, so the same order never moves the same units twice.
 */
export const stockMovements = sqliteTable(
  "stock_movements",
  {
    id: text("id").primaryKey(),
    skuId: text("sku_id").notNull().references(() => skus.id, { onDelete: "cascade" }),
    delta: integer("delta").notNull(),
    reason: text("reason", { enum: ["sale", "release", "return", "adjustment", "store_sale"] }).notNull(),
    note: text("note"),
    orderId: text("order_id"),
    actorId: text("actor_id").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("stock_movements_sku_idx").on(t.skuId, t.createdAt), index("stock_movements_order_idx").on(t.orderId)],
);
