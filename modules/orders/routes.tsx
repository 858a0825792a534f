// The orders module's pages: the product page with SKU choice here; cart, checkout and orders for
// shoppers, order handling for merchant staff, and payment webhooks in their own files.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { isHtmx, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { ProductPage, SkuPanel } from "../../views/orders/product.tsx";
import type { Catalog } from "./catalog.ts";
import { catalogAdminRoutes, type CatalogAdminDeps } from "./catalog-admin-routes.tsx";
import { merchantCouponRoutes } from "./merchant-coupon-routes.tsx";
import { merchantOrderRoutes } from "./merchant-order-routes.tsx";
import type { Orders } from "./orders.ts";
import { shopRoutes } from "./shop-routes.tsx";
import { webhookRoutes } from "./webhook-routes.ts";

export function orderRoutes({ catalog, orders, displayNames, copyFlags }: { catalog: Catalog; orders: Orders } & Omit<CatalogAdminDeps, "catalog">) {
  const app = new Hono<AppEnv>();
  app.route("/", catalogAdminRoutes({ catalog, displayNames, copyFlags }));
  app.route("/", shopRoutes({ orders }));
  app.route("/", merchantOrderRoutes({ orders }));
  app.route("/", merchantCouponRoutes({ orders, catalog }));
  app.route("/", webhookRoutes({ orders }));

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
