// Shopper pages of the orders module: the product page with SKU choice.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { isHtmx, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { ProductPage, SkuPanel } from "../../views/orders/product.tsx";
import type { Catalog } from "./catalog.ts";

export function orderRoutes({ catalog }: { catalog: Catalog }) {
  const app = new Hono<AppEnv>();

  app.get("/products/:id", allow.public(), async (c) => {
    const v = viewContext(c);
    const product = await catalog.getPublishedProduct(c.req.param("id"));
    const wanted = c.req.query("sku");
    const chosen = product.skus.find((sku) => sku.id === wanted) ?? product.skus.find((sku) => sku.stock > 0) ?? product.skus[0]!;
    if (isHtmx(c) && wanted) return c.html(<SkuPanel v={v} sku={chosen} />);
    return renderPage(c, v.pick(product.titleZh, product.titleEn), <ProductPage v={v} product={product} chosen={chosen} />);
  });

  return app;
}
