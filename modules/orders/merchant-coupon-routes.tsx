// Merchant staff pages for the store's coupons: the list with claim counts, create, withdraw.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { Forbidden } from "../../src/platform/errors.ts";
import { utcToWallTime } from "../../src/platform/zoned-time.ts";
import { isUniqueViolation } from "../../db/constraints.ts";
import { renderPage, redirectAfterPost } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { Notice } from "../../views/components.tsx";
import { CouponForm, CouponsPage } from "../../views/orders/merchant-coupons.tsx";
import type { Catalog, Store } from "./catalog.ts";
import { parseCouponForm, type CouponFormValues } from "./coupon-form.ts";
import { NoStore } from "./errors.ts";
import type { Orders } from "./orders.ts";

export function merchantCouponRoutes({ orders, catalog }: { orders: Orders; catalog: Catalog }) {
  const app = new Hono<AppEnv>();

  /** The store the signed-in merchant manages (owner or staff). */
  async function storeOf(c: Context<AppEnv>): Promise<Store> {
    const store = await orders.managedStore(c.var.user!.id);
    if (!store) throw new NoStore();
    return store;
  }

  const storeProducts = async (storeId: string) => (await catalog.listPublishedProducts(500)).filter((product) => product.storeId === storeId);

  app.get("/merchant/coupons", allow.roles("merchant"), async (c) => {
    const v = viewContext(c);
    const store = await orders.managedStore(c.var.user!.id);
    if (!store) return renderPage(c, v.t("merchant.coupons.title"), <Notice kind="info">{v.t("merchant.no_store")}</Notice>);
    const now = Date.now();
    const defaults = { startsAt: utcToWallTime(new Date(now), c.var.timeZone), endsAt: utcToWallTime(new Date(now + 7 * 86_400_000), c.var.timeZone) };
    const page = <CouponsPage v={v} coupons={await orders.coupons.listForStore(store.id)} products={await storeProducts(store.id)} timeZone={c.var.timeZone} defaults={defaults} />;
    return renderPage(c, v.t("merchant.coupons.title"), page);
  });

  app.post("/merchant/coupons", allow.roles("merchant"), async (c) => {
    const v = viewContext(c);
    const store = await storeOf(c);
    const body = (await c.req.parseBody({ all: true })) as CouponFormValues;
    const products = await storeProducts(store.id);
    const form = parseCouponForm(body, store.id, store.currency, c.var.timeZone);
    const again = (errors: Parameters<typeof CouponForm>[0]["errors"]) =>
      renderPage(c, v.t("merchant.coupons.title"), <CouponForm v={v} products={products} values={body} errors={errors} timeZone={c.var.timeZone} />, 422);
    if (!form.ok) return again(form.errors);
    if (form.value.productIds?.some((id) => !products.some((product) => product.id === id))) throw new Forbidden();
    try {
      await orders.coupons.create({ type: "user", id: c.var.user!.id }, form.value);
    } catch (error) {
      if (isUniqueViolation(error, "code")) return again({ code: "validation.coupon.code_taken" });
      throw error;
    }
    return redirectAfterPost(c, "/merchant/coupons");
  });

  app.post("/merchant/coupons/:id/active", allow.roles("merchant"), async (c) => {
    const store = await storeOf(c);
    const coupon = (await orders.coupons.listForStore(store.id)).find((candidate) => candidate.id === c.req.param("id"));
    if (!coupon) throw new Forbidden();
    const body = await c.req.parseBody();
    await orders.coupons.setActive({ type: "user", id: c.var.user!.id }, coupon.id, body.active === "true");
    return redirectAfterPost(c, "/merchant/coupons");
  });

  return app;
}
