// The merchant's group buys page: create a group offer for one of the store's published options,
// end one, and see how the store's groups went (per offer and per day).
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { MoneyError, parseMoney } from "../../src/platform/money.ts";
import { utcToWallTime, wallTimeToUtc } from "../../src/platform/zoned-time.ts";
import { Notice } from "../../views/components.tsx";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { MerchantGroupBuysPage, OfferForm, type OfferFormValues, type SkuChoice } from "../../views/social/group-buy-merchant.tsx";
import type { Catalog, Store } from "../orders/index.ts";
import type { Live } from "../live/index.ts";
import type { GroupBuys } from "./group-buys.ts";
import { GroupOfferInvalid } from "./group-buy-errors.ts";
import type { NewGroupOffer } from "./group-buy-offers.ts";

const DAY_MS = 86_400_000;
const FIGURE_DAYS = 14;

export function merchantGroupBuyRoutes({ groupBuys, catalog, live }: { groupBuys: GroupBuys; catalog: Pick<Catalog, "getPublishedProduct" | "managedStores" | "listPublishedProducts">; live: Pick<Live, "board"> }) {
  const app = new Hono<AppEnv>();
  type C = Context<AppEnv>;

  const storeOf = async (c: C): Promise<Store | null> => (await catalog.managedStores(c.var.user!.id))[0] ?? null;

  async function skuChoices(c: C, store: Store): Promise<SkuChoice[]> {
    const vc = viewContext(c);
    const own = (await catalog.listPublishedProducts(500)).filter((product) => product.storeId === store.id).slice(0, 100);
    const products = await Promise.all(own.map((product) => catalog.getPublishedProduct(product.id).catch(() => null)));
    return products.flatMap((product) =>
      product ? product.skus.map((sku) => ({ value: `${product.id}:${sku.id}`, label: `${vc.pick(product.titleZh, product.titleEn)} · ${vc.pick(sku.optionZh, sku.optionEn)} (${vc.formatMoney(sku.price)})` })) : [],
    );
  }

  async function sessionChoices(c: C, store: Store): Promise<SkuChoice[]> {
    const vc = viewContext(c);
    const board = await live.board(200);
    return [...board.live, ...board.upcoming].filter((session) => session.store.id === store.id).map((session) => ({ value: session.id, label: `${session.title || vc.t("live.title_neutral")} · ${vc.formatTime(session.scheduledAt)}` }));
  }

  async function page(c: C, store: Store, form: { values: OfferFormValues; errors?: FieldErrors } | null, status: 200 | 422 = 200) {
    const vc = viewContext(c);
    const now = groupBuys.now();
    const values = form?.values ?? { groupSize: "2", windowMinutes: "1440", startsAt: utcToWallTime(now, c.var.timeZone), endsAt: utcToWallTime(new Date(now.getTime() + 7 * DAY_MS), c.var.timeZone) };
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const [skus, sessions, offers, figures] = await Promise.all([
      skuChoices(c, store),
      sessionChoices(c, store),
      groupBuys.offersOfStore(c.var.user!.id, store.id),
      groupBuys.groupFigures(store.id, new Date(today - (FIGURE_DAYS - 1) * DAY_MS), new Date(today + DAY_MS)),
    ]);
    const formView = <OfferForm v={vc} skus={skus} sessions={sessions} values={values} errors={form?.errors} />;
    const body = <MerchantGroupBuysPage v={vc} storeName={vc.pick(store.nameZh, store.nameEn)} form={formView} offers={offers} figures={figures} created={c.req.query("created") === "1"} />;
    return renderPage(c, vc.t("merchant.groups.title"), body, status);
  }

  app.get("/merchant/group-buys", allow.roles("merchant"), async (c) => {
    const store = await storeOf(c);
    if (!store) return renderPage(c, viewContext(c).t("merchant.groups.title"), <Notice kind="info">{viewContext(c).t("merchant.no_store")}</Notice>);
    return page(c, store, null);
  });

  /** The form's text into an offer, or the fields that are wrong. */
  function parseOffer(c: C, store: Store, values: OfferFormValues): { ok: true; value: NewGroupOffer } | { ok: false; errors: FieldErrors } {
    const errors: FieldErrors = {};
    const [productId = "", skuId = ""] = (values.sku ?? "").split(":");
    if (!/^prd_[0-9A-Z]{26}$/.test(productId) || !/^sku_[0-9A-Z]{26}$/.test(skuId)) errors.sku = "groups.form.sku_invalid";
    let groupPriceFen = 0;
    try {
      groupPriceFen = parseMoney(values.groupPrice ?? "", store.currency).amount;
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      errors.groupPrice = "groups.form.price_invalid";
    }
    const whole = (raw: string | undefined, field: keyof OfferFormValues, message: FieldErrors[string]) => {
      if (/^\d{1,6}$/.test(raw?.trim() ?? "")) return Number(raw);
      errors[field] = message;
      return 0;
    };
    const groupSize = whole(values.groupSize, "groupSize", "groups.form.size_invalid");
    const windowMinutes = whole(values.windowMinutes, "windowMinutes", "groups.form.window_invalid");
    const stock = whole(values.stock, "stock", "groups.form.stock_invalid");
    const startsAt = wallTimeToUtc(values.startsAt ?? "", c.var.timeZone);
    const endsAt = wallTimeToUtc(values.endsAt ?? "", c.var.timeZone);
    if (!startsAt) errors.startsAt = "groups.form.time_invalid";
    if (!endsAt) errors.endsAt = "groups.form.time_invalid";
    const liveSessionId = values.liveSessionId?.trim() || null;
    if (liveSessionId && !/^liv_[0-9A-Z]{26}$/.test(liveSessionId)) errors.liveSessionId = "groups.form.session_invalid";
    if (Object.keys(errors).length > 0 || !startsAt || !endsAt) return { ok: false, errors };
    return { ok: true, value: { storeId: store.id, productId, skuId, groupPriceFen, groupSize, windowMinutes, stock, startsAt, endsAt, liveSessionId } };
  }

  app.post("/merchant/group-buys", allow.roles("merchant"), async (c) => {
    const store = await storeOf(c);
    if (!store) return renderPage(c, viewContext(c).t("merchant.groups.title"), <Notice kind="error">{viewContext(c).t("merchant.no_store")}</Notice>, 409);
    const body = await c.req.parseBody();
    const field = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
    const values: OfferFormValues = { sku: field("sku"), groupPrice: field("groupPrice"), groupSize: field("groupSize"), windowMinutes: field("windowMinutes"), stock: field("stock"), startsAt: field("startsAt"), endsAt: field("endsAt"), liveSessionId: field("liveSessionId") };
    const parsed = parseOffer(c, store, values);
    if (!parsed.ok) return page(c, store, { values, errors: parsed.errors }, 422);
    try {
      await groupBuys.createOffer(c.var.user!.id, parsed.value);
    } catch (error) {
      if (error instanceof GroupOfferInvalid) return page(c, store, { values, errors: { [error.field === "skuId" ? "sku" : error.field]: error.messageKey } }, 422);
      throw error;
    }
    return redirectAfterPost(c, "/merchant/group-buys?created=1");
  });

  app.post("/merchant/group-buys/:offerId/deactivate", allow.roles("merchant"), async (c) => {
    await groupBuys.deactivate(c.var.user!.id, c.req.param("offerId"));
    return redirectAfterPost(c, "/merchant/group-buys");
  });

  return app;
}
