// The shopper's cart: SKUs and quantities only. Prices and stock are read fresh every time it is
// shown, and checkout prices everything again on the server.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { cartItems } from "../../db/schema/orders-checkout.ts";
import { products, skus } from "../../db/schema/orders.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { money, type Money } from "../../src/platform/money.ts";
import { ProductUnavailable } from "./errors.ts";
import { LIMITS } from "./pricing.ts";

export interface CartLine {
  skuId: string;
  productId: string;
  storeId: string;
  titleZh: string;
  titleEn: string;
  optionZh: string;
  optionEn: string;
  unitPrice: Money;
  quantity: number;
  stock: number;
  available: boolean;
}

export function createCart({ database, clock }: { database: Database; clock: Clock }) {
  const { db } = database;

  return {
    /** A "buy now" line for one SKU, outside the cart. */
    async lineFor(skuId: string, quantity: number): Promise<CartLine> {
      const [row] = await db.select({ sku: skus, product: products }).from(skus).innerJoin(products, eq(products.id, skus.productId)).where(eq(skus.id, skuId));
      if (!row || row.product.status !== "published") throw new ProductUnavailable();
      const { sku, product } = row;
      return { skuId, productId: product.id, storeId: product.storeId, titleZh: product.titleZh, titleEn: product.titleEn, optionZh: sku.optionZh, optionEn: sku.optionEn, unitPrice: money(sku.priceFen, sku.currency), quantity, stock: sku.stock, available: true };
    },

    async lines(userId: string): Promise<CartLine[]> {
      const rows = await db
        .select({ item: cartItems, sku: skus, product: products })
        .from(cartItems)
        .innerJoin(skus, eq(skus.id, cartItems.skuId))
        .innerJoin(products, eq(products.id, skus.productId))
        .where(eq(cartItems.userId, userId))
        .orderBy(asc(cartItems.addedAt));
      return rows.map(({ item, sku, product }) => ({
        skuId: sku.id,
        productId: product.id,
        storeId: product.storeId,
        titleZh: product.titleZh,
        titleEn: product.titleEn,
        optionZh: sku.optionZh,
        optionEn: sku.optionEn,
        unitPrice: money(sku.priceFen, sku.currency),
        quantity: item.quantity,
        stock: sku.stock,
        available: product.status === "published",
      }));
    },

    /** Adds units of a SKU (on top of what is there, up to the per-line limit). */
    async add(userId: string, skuId: string, quantity: number) {
      const [row] = await db.select({ status: products.status }).from(skus).innerJoin(products, eq(products.id, skus.productId)).where(eq(skus.id, skuId));
      if (!row || row.status !== "published") throw new ProductUnavailable();
      await database.write(async (tx) => {
        await tx
          .insert(cartItems)
          .values({ userId, skuId, quantity, addedAt: clock.now() })
          .onConflictDoUpdate({ target: [cartItems.userId, cartItems.skuId], set: { quantity: sql`min(${cartItems.quantity} + ${quantity}, ${LIMITS.maxQuantity})` } });
      });
    },

    async setQuantity(userId: string, skuId: string, quantity: number) {
      await database.write(async (tx) => {
        await tx.update(cartItems).set({ quantity }).where(and(eq(cartItems.userId, userId), eq(cartItems.skuId, skuId)));
      });
    },

    async remove(userId: string, skuId: string) {
      await database.write(async (tx) => {
        await tx.delete(cartItems).where(and(eq(cartItems.userId, userId), eq(cartItems.skuId, skuId)));
      });
    },
  };
}

export type Cart = ReturnType<typeof createCart>;
