// The product card a room shows: the pinned product with each option's live price (a running flash
// sale's price where there is one) and stock left. The same shape is rendered on the page and sent
// to the room as a data packet when the pin, the stock or a sale changes.
import type { Catalog } from "../orders/index.ts";

export interface RunningSale {
  id: string;
  skuId: string;
  priceFen: number;
  units: number;
  sold: number;
  endsAt: Date;
}

export interface ShowcaseOption {
  skuId: string;
  optionZh: string;
  optionEn: string;
  currency: string;
  priceFen: number;
  /** The regular price, when a flash sale makes `priceFen` lower. */
  regularPriceFen: number | null;
  stock: number;
  sale: { id: string; left: number; endsAt: string } | null;
}

export interface ShowcaseCard {
  productId: string;
  titleZh: string;
  titleEn: string;
  imageUrl: string | null;
  options: ShowcaseOption[];
}

export function createShowcase({ catalog, runningSales }: { catalog: Catalog; runningSales: (sessionId: string) => Promise<RunningSale[]> }) {
  return {
    async card(sessionId: string, productId: string | null): Promise<ShowcaseCard | null> {
      if (!productId) return null;
      const [product, sales] = await Promise.all([catalog.getPublishedProduct(productId).catch(() => null), runningSales(sessionId)]);
      if (!product) return null;
      return {
        productId: product.id,
        titleZh: product.titleZh,
        titleEn: product.titleEn,
        imageUrl: product.images[0]?.url ?? null,
        options: product.skus.map((sku) => {
          const sale = sales.find((s) => s.skuId === sku.id && s.sold < s.units);
          return {
            skuId: sku.id,
            optionZh: sku.optionZh,
            optionEn: sku.optionEn,
            currency: sku.price.currency,
            priceFen: sale ? sale.priceFen : sku.price.amount,
            regularPriceFen: sale ? sku.price.amount : null,
            stock: sku.stock,
            sale: sale ? { id: sale.id, left: Math.min(sale.units - sale.sold, sku.stock), endsAt: sale.endsAt.toISOString() } : null,
          };
        }),
      };
    },
  };
}

export type Showcase = ReturnType<typeof createShowcase>;
