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
