import type { Coupon, ProductSummary } from "../../modules/orders/index.ts";
import { couponValue } from "../../modules/orders/index.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export function CouponSummary({ v, coupon }: { v: ViewContext; coupon: Coupon }) {
  const { off, minSpend, cap } = couponValue(coupon);
  if (typeof off === "number") return <>{cap ? v.t("coupons.percent_off_cap", { percent: off, cap: v.formatMoney(cap) }) : v.t("coupons.percent_off", { percent: off })}</>;
  return <>{minSpend ? v.t("coupons.amount_off_over", { off: v.formatMoney(off), min: v.formatMoney(minSpend) }) : v.t("coupons.amount_off", { off: v.formatMoney(off) })}</>;
}

function Radio({ name, value, checked, label }: { name: string; value: string; checked: boolean; label: string }) {
  return (
    <label class="choice">
      <input type="radio" name={name} value={value} checked={checked} /> {label}
    </label>
  );
}

export function CouponForm(props: { v: ViewContext; products: ProductSummary[]; values?: Record<string, string | string[]>; errors?: FieldErrors; timeZone: string; created?: string }) {
  const { v, products, values = {}, errors = {}, timeZone, created } = props;
  const value = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const chosen = [values.productIds ?? []].flat();
  const zone = { zone: timeZone };
  return (
    <form id="coupon-form" method="post" action="/merchant/coupons" hx-post="/merchant/coupons" hx-target="this" hx-swap="outerHTML" class="card form form--wide" novalidate>
      <h2>{v.t("merchant.coupons.new")}</h2>
      {created && <Notice kind="success">{v.t("merchant.coupons.created", { code: created })}</Notice>}
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <Field v={v} name="code" label="merchant.coupons.code" value={value("code")} error={errors.code} required maxlength={32} />
      <Field v={v} name="nameZh" label="merchant.coupons.name_zh" value={value("nameZh")} error={errors.nameZh} required maxlength={40} />
      <Field v={v} name="nameEn" label="merchant.coupons.name_en" value={value("nameEn")} error={errors.nameEn} required maxlength={60} />
      <fieldset>
        <legend>{v.t("merchant.coupons.kind")}</legend>
        <Radio name="kind" value="amount_off" checked={value("kind") !== "percent_off"} label={v.t("merchant.coupons.amount")} />
        <Radio name="kind" value="percent_off" checked={value("kind") === "percent_off"} label={v.t("merchant.coupons.percent")} />
      </fieldset>
      <Field v={v} name="amount" label="merchant.coupons.amount" value={value("amount")} error={errors.amount} />
      <Field v={v} name="percent" label="merchant.coupons.percent" value={value("percent")} error={errors.percent} />
      <Field v={v} name="minSpend" label="merchant.coupons.min_spend" value={value("minSpend")} error={errors.minSpend} />
      <Field v={v} name="cap" label="merchant.coupons.cap" value={value("cap")} error={errors.cap} />
      <fieldset>
        <legend>{v.t("merchant.coupons.audience")}</legend>
        <Radio name="audience" value="everyone" checked={value("audience") !== "new_shoppers"} label={v.t("merchant.coupons.everyone")} />
        <Radio name="audience" value="new_shoppers" checked={value("audience") === "new_shoppers"} label={v.t("coupons.new_shoppers")} />
      </fieldset>
      <fieldset>
        <legend>{v.t("merchant.coupons.scope")}</legend>
        <Radio name="scope" value="store" checked={value("scope") !== "products"} label={v.t("merchant.coupons.scope_store")} />
        <Radio name="scope" value="products" checked={value("scope") === "products"} label={v.t("merchant.coupons.scope_products")} />
        {products.map((product) => (
          <label class="check">
            <input type="checkbox" name="productIds" value={product.id} checked={chosen.includes(product.id)} /> {v.pick(product.titleZh, product.titleEn)}
          </label>
        ))}
        {errors.productIds && (
          <p class="field__error" role="alert">
            {v.t(errors.productIds)}
          </p>
        )}
      </fieldset>
      <div class={errors.startsAt ? "field field--invalid" : "field"}>
        <label for="field-startsAt">{v.t("merchant.coupons.starts", zone)}</label>
        <input id="field-startsAt" name="startsAt" type="datetime-local" value={value("startsAt")} required />
        {errors.startsAt && <p class="field__error" role="alert">{v.t(errors.startsAt)}</p>}
      </div>
      <div class={errors.endsAt ? "field field--invalid" : "field"}>
        <label for="field-endsAt">{v.t("merchant.coupons.ends", zone)}</label>
        <input id="field-endsAt" name="endsAt" type="datetime-local" value={value("endsAt")} required />
        {errors.endsAt && <p class="field__error" role="alert">{v.t(errors.endsAt)}</p>}
      </div>
      <Field v={v} name="perShopperLimit" type="number" label="merchant.coupons.per_shopper" value={value("perShopperLimit") ?? "1"} error={errors.perShopperLimit} />
      <Field v={v} name="totalLimit" type="number" label="merchant.coupons.total" value={value("totalLimit") ?? "100"} error={errors.totalLimit} />
      <button type="submit" class="button button--primary">{v.t("merchant.coupons.create")}</button>
    </form>
  );
}

export function CouponsPage(props: { v: ViewContext; coupons: Coupon[]; products: ProductSummary[]; timeZone: string; defaults: Record<string, string> }) {
  const { v, coupons, products, timeZone, defaults } = props;
  return (
    <article>
      <h1>{v.t("merchant.coupons.title")}</h1>
      {coupons.length === 0 && <p class="muted">{v.t("merchant.coupons.none")}</p>}
      <ul class="card-list">
        {coupons.map((coupon) => (
          <li class="card">
            <h2 class="card__title">
              {v.pick(coupon.nameZh, coupon.nameEn)} <code>{coupon.code}</code>
            </h2>
            <p>
              <CouponSummary v={v} coupon={coupon} />
              {coupon.audience === "new_shoppers" && <span class="badge"> {v.t("coupons.new_shoppers")}</span>}
            </p>
            <p class="muted">
              {v.t("coupons.valid_until", { time: v.formatTime(coupon.endsAt) })} · {v.t("merchant.coupons.claimed", { claimed: coupon.claimedCount, total: coupon.totalLimit })}
            </p>
            <form method="post" action={`/merchant/coupons/${coupon.id}/active`} class="inline-form">
              <CsrfField v={v} />
              <input type="hidden" name="active" value={coupon.active ? "false" : "true"} />
              {!coupon.active && <span class="sold-out">{v.t("merchant.coupons.withdrawn")} </span>}
              <button type="submit" class="button">{coupon.active ? v.t("merchant.coupons.deactivate") : v.t("merchant.coupons.activate")}</button>
            </form>
          </li>
        ))}
      </ul>
      <CouponForm v={v} products={products} timeZone={timeZone} values={defaults} />
    </article>
  );
}
