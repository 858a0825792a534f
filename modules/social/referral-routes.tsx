// Referral pages: the public short link /r/:code (records the visit, then on to the product or the
// show), "Share" (creates or finds the reader's link), the sharer's /account/referrals and the
// merchant's /merchant/referrals (the store's reward and its referred orders).
import { Hono, type Context } from "hono";
import type { Child } from "hono/jsx";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { BadRequest } from "../../src/platform/errors.ts";
import { isHtmx, renderPage } from "../../views/render.tsx";
import { viewContext, type ViewContext } from "../../views/view-context.ts";
import { Notice } from "../../views/components.tsx";
import { ShareLinkBox } from "../../views/social/referral-share.tsx";
import { AccountReferralsPage, MerchantReferralsPage, ProgramForm, type ProgramFormValues } from "../../views/social/referral-pages.tsx";
import type { LiveSession } from "../live/index.ts";
import type { Product, Store } from "../orders/index.ts";
import { ReferralLinkNotFound, RewardCouponNotFound } from "./referral-errors.ts";
import { DEFAULT_WINDOW_DAYS, WINDOW_DAYS_MAX, type ProgramInput, type ReferralProgram, type ReferralTarget, type Referrals } from "./referrals.ts";

export interface ReferralRoutesDeps {
  referrals: Referrals;
  catalog: { getPublishedProduct(id: string): Promise<Product>; getStore(id: string): Promise<Store> };
  live: { getSession(id: string): Promise<LiveSession> };
  /** The store the merchant works at as owner or staff. */
  managedStore(userId: string): Promise<Store | null>;
  /** The browser's bc_device id (set when missing), the one checkout records for the risk rules. */
  browserId(c: Context<AppEnv>): string;
}

const codeShape = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,64}$/));
const targetShape = v.variant("targetType", [
  v.object({ targetType: v.literal("product"), targetId: v.pipe(v.string(), v.regex(/^prd_[0-9A-Z]{26}$/)) }),
  v.object({ targetType: v.literal("live_session"), targetId: v.pipe(v.string(), v.regex(/^liv_[0-9A-Z]{26}$/)) }),
]);
const windowDays = v.pipe(v.optional(v.string(), ""), v.trim(), v.regex(/^\d{1,2}$/, "referrals.validation.window"), v.transform(Number), v.minValue(1, "referrals.validation.window"), v.maxValue(WINDOW_DAYS_MAX, "referrals.validation.window"));
const programShape = v.object({
  rewardKind: v.picklist(["points", "coupon"], "referrals.validation.kind"),
  rewardPoints: v.optional(v.string(), ""),
  couponCode: v.pipe(v.optional(v.string(), ""), v.trim(), v.maxLength(32, "referrals.validation.coupon_code")),
  windowDays,
  active: v.optional(v.string()),
});
const pointsShape = v.pipe(v.string(), v.trim(), v.regex(/^\d{1,6}$/), v.transform(Number), v.minValue(1), v.maxValue(100_000));

/** The program form's fields, checked: points for a points reward, a code for a coupon reward. */
function parseProgram(body: ProgramFormValues): { ok: true; value: ProgramInput } | { ok: false; errors: FieldErrors } {
  const shape = parseForm(programShape, body);
  const errors: FieldErrors = shape.ok ? {} : { ...shape.errors };
  const points = v.safeParse(pointsShape, body.rewardPoints ?? "");
  if (body.rewardKind === "points" && !points.success) errors.rewardPoints = "referrals.validation.points";
  // A multipart post may carry a file under any field name: only a string is a code.
  if (body.rewardKind === "coupon" && (typeof body.couponCode !== "string" || !body.couponCode.trim())) errors.couponCode = "referrals.validation.coupon_code";
  if (!shape.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const value = shape.value;
  return {
    ok: true,
    value: { rewardKind: value.rewardKind, rewardPoints: value.rewardKind === "points" && points.success ? points.output : null, couponCode: value.rewardKind === "coupon" ? value.couponCode : null, windowDays: value.windowDays, active: value.active === "on" },
  };
}

function formValuesOf(program: ReferralProgram | null): ProgramFormValues {
  if (!program) return { rewardKind: "points", rewardPoints: "100", windowDays: String(DEFAULT_WINDOW_DAYS), active: "on" };
  return {
    rewardKind: program.rewardKind,
    rewardPoints: program.rewardPoints ? String(program.rewardPoints) : "",
    couponCode: program.rewardCoupon?.code ?? "",
    windowDays: String(program.windowDays),
    active: program.active ? "on" : "",
  };
}

const targetPath = (target: ReferralTarget) => (target.type === "product" ? `/products/${target.id}` : `/live/${target.id}`);

export function referralRoutes({ referrals, catalog, live, managedStore, browserId }: ReferralRoutesDeps) {
  const app = new Hono<AppEnv>();
  type C = Context<AppEnv>;
  const shortUrl = (c: C, code: string) => new URL(`/r/${code}`, c.req.url).href;

  app.get("/r/:code", allow.public(), async (c) => {
    const code = v.safeParse(codeShape, c.req.param("code"));
    if (!code.success) throw new ReferralLinkNotFound();
    const target = await referrals.recordClick(code.output, { userId: c.var.user?.id ?? null, device: browserId(c) });
    return c.redirect(targetPath(target), 303);
  });

  app.post("/referrals/links", allow.signedIn(), async (c) => {
    const parsed = v.safeParse(targetShape, await c.req.parseBody());
    if (!parsed.success) throw new BadRequest();
    const target = { type: parsed.output.targetType, id: parsed.output.targetId };
    const link = await referrals.linkFor(c.var.user!.id, target, browserId(c));
    const vc = viewContext(c);
    const box = <ShareLinkBox v={vc} url={shortUrl(c, link.code)} />;
    if (isHtmx(c)) return c.html(box);
    const page = (
      <>
        <h1>{vc.t("referrals.share_title")}</h1>
        {box}
        <p>
          <a href={targetPath(target)}>{vc.t("referrals.back")}</a>
        </p>
      </>
    );
    return renderPage(c, vc.t("referrals.share_title"), page);
  });

  app.get("/account/referrals", allow.signedIn(), async (c) => {
    const vc = viewContext(c);
    const userId = c.var.user!.id;
    const [links, rewards] = await Promise.all([referrals.linksOf(userId), referrals.rewardsOf(userId)]);
    const linkViews = await Promise.all(
      links.map(async (link) => ({ url: shortUrl(c, link.code), type: link.target.type, href: targetPath(link.target), clicks: link.clicks, title: await titleOf(vc, link.target) })),
    );
    const storeNames = new Map<string, string>();
    for (const storeId of new Set(rewards.map((reward) => reward.storeId))) storeNames.set(storeId, await catalog.getStore(storeId).then((store) => vc.pick(store.nameZh, store.nameEn), () => "—"));
    const rewardViews = rewards.map((reward) => ({ ...reward, store: storeNames.get(reward.storeId) ?? "—" }));
    return renderPage(c, vc.t("referrals.account_title"), <AccountReferralsPage v={vc} links={linkViews} rewards={rewardViews} />);
  });

  async function titleOf(vc: ViewContext, target: ReferralTarget): Promise<string> {
    if (target.type === "product") return catalog.getPublishedProduct(target.id).then((product) => vc.pick(product.titleZh, product.titleEn), () => "—");
    return live.getSession(target.id).then((session) => session.title || vc.t("live.title_neutral"), () => "—");
  }

  /** The program form alone for HTMX (it swaps itself), else the whole page around it. */
  async function merchantPage(c: C, store: Store, form: Child, status: 200 | 422 = 200) {
    const vc = viewContext(c);
    if (isHtmx(c)) return c.html(<>{form}</>, status);
    return renderPage(c, vc.t("referrals.merchant_title"), <MerchantReferralsPage v={vc} form={form} rewards={await referrals.storeRewards(store.id)} />, status);
  }

  app.get("/merchant/referrals", allow.roles("merchant"), async (c) => {
    const vc = viewContext(c);
    const store = await managedStore(c.var.user!.id);
    if (!store) return renderPage(c, vc.t("referrals.merchant_title"), <Notice kind="info">{vc.t("merchant.no_store")}</Notice>);
    const program = await referrals.program(store.id);
    return merchantPage(c, store, <ProgramForm v={vc} values={formValuesOf(program)} exists={program !== null} />);
  });

  app.post("/merchant/referrals", allow.roles("merchant"), async (c) => {
    const vc = viewContext(c);
    const store = await managedStore(c.var.user!.id);
    if (!store) return renderPage(c, vc.t("referrals.merchant_title"), <Notice kind="error">{vc.t("merchant.no_store")}</Notice>, 409);
    // Text fields only: a file sent under a field's name is neither parsed nor echoed into the form.
    const body = Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, value]) => typeof value === "string")) as ProgramFormValues;
    const again = (errors: FieldErrors) => merchantPage(c, store, <ProgramForm v={vc} values={body} errors={errors} exists />, 422);
    const parsed = parseProgram(body);
    if (!parsed.ok) return again(parsed.errors);
    try {
      await referrals.setProgram(c.var.user!.id, store.id, parsed.value);
    } catch (error) {
      if (error instanceof RewardCouponNotFound) return again({ couponCode: "referrals.error.coupon_not_found" });
      throw error;
    }
    const form = <ProgramForm v={vc} values={formValuesOf(await referrals.program(store.id))} saved exists />;
    return merchantPage(c, store, form);
  });

  return app;
}
