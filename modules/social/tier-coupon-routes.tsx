// The merchant's tier coupons page (/merchant/tier-coupons): register one of the store's coupons for a
// tier, remove a registration. Staff of the store (owner or staff, through the catalog's managed stores).
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { Notice } from "../../views/components.tsx";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { MerchantTierCouponsPage, TierCouponForm, type TierCouponFormValues } from "../../views/social/tier-coupons-merchant.tsx";
import type { Catalog, Coupon, Store } from "../orders/index.ts";
import { TierCouponNotOurs, TierCouponRegistered, TierCouponUnavailable } from "./tier-coupon-errors.ts";
import { COUPON_TIERS, type TierCoupons } from "./tier-coupons.ts";

const tierShape = v.picklist(COUPON_TIERS, "points.tier_coupons.validation.tier");
const registerShape = v.object({
  tier: tierShape,
  couponCode: v.pipe(v.optional(v.string(), ""), v.trim(), v.minLength(1, "points.tier_coupons.validation.code"), v.maxLength(32, "points.tier_coupons.validation.code")),
});
const removeShape = v.object({ tier: tierShape, couponId: v.pipe(v.string(), v.regex(/^cpn_[0-9A-Z]{26}$/, "points.tier_coupons.validation.code")) });

export interface TierCouponRoutesDeps {
  tierCoupons: Pick<TierCoupons, "registrations" | "register" | "remove">;
  catalog: Pick<Catalog, "managedStores">;
  coupons: { listForStore(storeId: string): Promise<Coupon[]> };
  now: () => Date;
}

export function tierCouponRoutes({ tierCoupons, catalog, coupons, now: clockNow }: TierCouponRoutesDeps) {
  const app = new Hono<AppEnv>();
  type C = Context<AppEnv>;

  const storeOf = async (c: C): Promise<Store | null> => (await catalog.managedStores(c.var.user!.id))[0] ?? null;
  const noStore = (c: C, status: 200 | 409) => {
    const vc = viewContext(c);
    return renderPage(c, vc.t("points.tier_coupons.title"), <Notice kind={status === 200 ? "info" : "error"}>{vc.t("merchant.no_store")}</Notice>, status);
  };

  async function page(c: C, store: Store, form: { values: TierCouponFormValues; errors?: FieldErrors; saved?: string }, status: 200 | 409 | 422 = 200) {
    const vc = viewContext(c);
    const now = clockNow();
    const [registrations, storeCoupons] = await Promise.all([tierCoupons.registrations(store.id), coupons.listForStore(store.id)]);
    const running = storeCoupons.filter((coupon) => coupon.active && now < coupon.endsAt);
    const formView = <TierCouponForm v={vc} values={form.values} errors={form.errors} codes={running} saved={form.saved} />;
    const body = <MerchantTierCouponsPage v={vc} storeName={vc.pick(store.nameZh, store.nameEn)} form={formView} registrations={registrations} removed={c.req.query("removed") === "1"} now={now} />;
    return renderPage(c, vc.t("points.tier_coupons.title"), body, status);
  }

  app.get("/merchant/tier-coupons", allow.roles("merchant"), async (c) => {
    const store = await storeOf(c);
    if (!store) return noStore(c, 200);
    return page(c, store, { values: { tier: "silver" } });
  });

  app.post("/merchant/tier-coupons", allow.roles("merchant"), async (c) => {
    const store = await storeOf(c);
    if (!store) return noStore(c, 409);
    const body = (await c.req.parseBody()) as TierCouponFormValues;
    const parsed = parseForm(registerShape, body);
    if (!parsed.ok) return page(c, store, { values: body, errors: parsed.errors }, 422);
    try {
      const coupon = await tierCoupons.register(c.var.user!.id, store.id, parsed.value.tier, parsed.value.couponCode);
      return page(c, store, { values: { tier: parsed.value.tier }, saved: coupon.code });
    } catch (error) {
      if (error instanceof TierCouponNotOurs || error instanceof TierCouponUnavailable || error instanceof TierCouponRegistered) {
        return page(c, store, { values: body, errors: { couponCode: error.messageKey } }, error.status as 409 | 422);
      }
      throw error;
    }
  });

  app.post("/merchant/tier-coupons/remove", allow.roles("merchant"), async (c) => {
    const store = await storeOf(c);
    if (!store) return noStore(c, 409);
    const parsed = parseForm(removeShape, await c.req.parseBody());
    if (!parsed.ok) return page(c, store, { values: { tier: "silver" }, errors: parsed.errors }, 422);
    await tierCoupons.remove(c.var.user!.id, store.id, parsed.value.tier, parsed.value.couponId);
    return redirectAfterPost(c, "/merchant/tier-coupons?removed=1");
  });

  return app;
}
