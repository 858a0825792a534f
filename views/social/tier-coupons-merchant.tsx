// The merchant's tier coupons page: register one of the store's coupons (by code) for a tier, and the
// store's registrations with a remove button each.
import type { Child } from "hono/jsx";
import type { Coupon } from "../../modules/orders/index.ts";
import type { TierCouponRegistration } from "../../modules/social/tier-coupons.ts";
import { COUPON_TIERS } from "../../modules/social/tier-coupons.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Field, Notice, Section } from "../components.tsx";
import { CouponSummary } from "../orders/merchant-coupons.tsx";
import type { ViewContext } from "../view-context.ts";

export type TierCouponFormValues = Partial<Record<"tier" | "couponCode", string>>;

export function TierCouponForm({ v, values, errors = {}, codes, saved }: { v: ViewContext; values: TierCouponFormValues; errors?: FieldErrors; codes: Coupon[]; saved?: string }) {
  return (
    <form id="tier-coupon-form" method="post" action="/merchant/tier-coupons" class="card form" novalidate>
      <h2>{v.t("points.tier_coupons.register")}</h2>
      {saved && <Notice kind="success">{v.t("points.tier_coupons.registered", { code: saved })}</Notice>}
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <div class={errors.tier ? "field field--invalid" : "field"}>
        <label for="field-tier">{v.t("points.tier")}</label>
        <select id="field-tier" name="tier" aria-invalid={errors.tier ? "true" : undefined}>
          {COUPON_TIERS.map((tier) => (
            <option value={tier} selected={values.tier === tier}>
              {v.t(`points.tier.${tier}`)}
            </option>
          ))}
        </select>
        {errors.tier && (
          <p class="field__error" role="alert">
            {v.t(errors.tier)}
          </p>
        )}
      </div>
      <Field v={v} name="couponCode" label="points.tier_coupons.code" value={values.couponCode} error={errors.couponCode} hint={v.t("points.tier_coupons.code_hint")} maxlength={32} required />
      {codes.length > 0 && (
        <p class="muted small" data-testid="store-coupon-codes">
          {v.t("points.tier_coupons.your_codes", { codes: codes.map((coupon) => coupon.code).join(", ") })}
        </p>
      )}
      <button type="submit" class="button button--primary">
        {v.t("points.tier_coupons.register")}
      </button>
    </form>
  );
}

function RegistrationsTable({ v, registrations, now }: { v: ViewContext; registrations: TierCouponRegistration[]; now: Date }) {
  if (registrations.length === 0) return <p class="muted">{v.t("points.tier_coupons.none")}</p>;
  return (
    <table class="table" data-testid="tier-coupons">
      <thead>
        <tr>
          <th>{v.t("points.tier")}</th>
          <th>{v.t("points.tier_coupons.code")}</th>
          <th>{v.t("points.tier_coupons.coupon")}</th>
          <th>{v.t("points.tier_coupons.claimed")}</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        {registrations.map((row) => (
          <tr data-tier={row.tier} data-coupon={row.coupon.id}>
            <td>{v.t(`points.tier.${row.tier}`)}</td>
            <td>
              <code>{row.coupon.code}</code>
            </td>
            <td>
              {v.pick(row.coupon.nameZh, row.coupon.nameEn)} · <CouponSummary v={v} coupon={row.coupon} />
              {(!row.coupon.active || now >= row.coupon.endsAt) && <span class="muted small"> ({v.t("points.tier_coupons.not_running")})</span>}
            </td>
            <td>
              {row.coupon.claimedCount} / {row.coupon.totalLimit}
            </td>
            <td>
              <form method="post" action="/merchant/tier-coupons/remove">
                <CsrfField v={v} />
                <input type="hidden" name="tier" value={row.tier} />
                <input type="hidden" name="couponId" value={row.coupon.id} />
                <button type="submit" class="button">
                  {v.t("points.tier_coupons.remove")}
                </button>
              </form>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MerchantTierCouponsPage({ v, storeName, form, registrations, removed, now }: { v: ViewContext; storeName: string; form: Child; registrations: TierCouponRegistration[]; removed: boolean; now: Date }) {
  return (
    <>
      <h1>{v.t("points.tier_coupons.title")}</h1>
      <p class="muted">
        {storeName} · {v.t("points.tier_coupons.intro")}
      </p>
      {removed && <Notice kind="success">{v.t("points.tier_coupons.removed")}</Notice>}
      {form}
      <Section title={v.t("points.tier_coupons.list")} id="tier-coupon-list">
        <RegistrationsTable v={v} registrations={registrations} now={now} />
      </Section>
    </>
  );
}
