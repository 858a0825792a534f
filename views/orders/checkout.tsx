import type { Address, CartLine } from "../../modules/orders/index.ts";
import type { Quote } from "../../modules/orders/index.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { PriceBreakdown } from "./order-bits.tsx";

export interface CheckoutValues extends Partial<Address> {
  couponCode?: string | null;
  paymentMethod?: "card" | "offline";
  idempotencyKey: string;
  /** "Buy now" of one SKU; otherwise the cart's lines. */
  sku?: string;
  quantity?: number;
  liveSession?: string;
  /** Membership points to spend, as typed. */
  points?: string;
}

/** The price, and the coupon's verdict; swapped in place when the shopper applies a code. */
/** The shipping address fields of an order form (checkout, a group-buy seat). */
export function ShippingAddressFields({ v, values, errors }: { v: ViewContext; values: Partial<Record<"recipient" | "phone" | "region" | "street", string>>; errors: FieldErrors }) {
  return (
    <fieldset>
      <legend>{v.t("checkout.address")}</legend>
      <Field v={v} name="recipient" label="checkout.recipient" value={values.recipient} error={errors.recipient} autocomplete="name" required maxlength={40} />
      <Field v={v} name="phone" type="tel" label="checkout.phone" value={values.phone} error={errors.phone} autocomplete="tel" required />
      <Field v={v} name="region" label="checkout.region" value={values.region} error={errors.region} autocomplete="address-level1" required maxlength={80} />
      <Field v={v} name="street" label="checkout.street" value={values.street} error={errors.street} autocomplete="street-address" required maxlength={200} />
    </fieldset>
  );
}

/** How the order is paid: by card where a provider is set up, else in store or on delivery. */
export function PaymentMethodFields({ v, method, cardEnabled }: { v: ViewContext; method: string; cardEnabled: boolean }) {
  return (
    <fieldset>
      <legend>{v.t("checkout.payment")}</legend>
      {cardEnabled && (
        <label class="choice">
          <input type="radio" name="paymentMethod" value="card" checked={method === "card"} /> {v.t("checkout.pay_card")}
        </label>
      )}
      <label class="choice">
        <input type="radio" name="paymentMethod" value="offline" checked={method === "offline"} /> {v.t("checkout.pay_offline")}
      </label>
    </fieldset>
  );
}

export function QuotePanel({ v, quote }: { v: ViewContext; quote: Quote }) {
  const refusal = quote.couponRefusal;
  return (
    <div id="quote" class="quote" aria-live="polite">
      {refusal && (
        <p class="field__error" role="alert" data-testid="coupon-error">
          {v.t(refusal.messageKey, quote.minSpend ? { amount: v.formatMoney(quote.minSpend) } : {})}
        </p>
      )}
      <PriceBreakdown v={v} price={quote} />
      <p class="muted small">{v.t("checkout.rounding")}</p>
      <button type="submit" class="button button--primary">
        {v.t("checkout.place", { total: v.formatMoney(quote.total) })}
      </button>
    </div>
  );
}

/** "Use points": shown when the shopper may spend some on this order (or typed some the order refused). */
function PointsField({ v, max, value, error }: { v: ViewContext; max: number; value?: string; error?: FieldErrors[string] }) {
  if (max === 0 && !value && !error) return null;
  const hint = max > 0 ? v.t("points.checkout.hint", { points: max }) : v.t("points.checkout.none");
  return (
    <div class="field coupon-field">
      <Field v={v} name="points" type="number" label="points.checkout.label" value={value ?? ""} error={error} hint={hint} autocomplete="off" />
      <button type="submit" class="button" formaction="/checkout/quote" hx-post="/checkout/quote" hx-target="#quote" hx-swap="outerHTML">
        {v.t("checkout.apply")}
      </button>
    </div>
  );
}

export function CheckoutPage(props: { v: ViewContext; lines: CartLine[]; quote: Quote; values: CheckoutValues; errors?: FieldErrors; problem?: string; cardEnabled: boolean }) {
  const { v, lines, quote, values, errors = {}, problem, cardEnabled } = props;
  const method = values.paymentMethod ?? (cardEnabled ? "card" : "offline");
  return (
    <form id="checkout" method="post" action="/checkout" hx-post="/checkout" hx-target="this" hx-swap="outerHTML" class="card form form--wide" novalidate>
      <h1>{v.t("checkout.title")}</h1>
      {problem && <Notice kind="error">{problem}</Notice>}
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <input type="hidden" name="idempotencyKey" value={values.idempotencyKey} />
      {values.sku && <input type="hidden" name="sku" value={values.sku} />}
      {values.sku && <input type="hidden" name="quantity" value={String(values.quantity ?? 1)} />}
      {values.liveSession && <input type="hidden" name="liveSession" value={values.liveSession} />}
      <ul class="order-lines">
        {lines.map((line) => (
          <li>
            {v.pick(line.titleZh, line.titleEn)} · {v.pick(line.optionZh, line.optionEn)}
            <span class="muted">
              {" "}
              × {line.quantity} · {v.formatMoney(line.unitPrice)}
            </span>
          </li>
        ))}
      </ul>
      <ShippingAddressFields v={v} values={values} errors={errors} />
      <div class="field coupon-field">
        <Field v={v} name="couponCode" label="checkout.coupon" value={values.couponCode ?? ""} error={errors.couponCode} autocomplete="off" />
        <button type="submit" class="button" formaction="/checkout/quote" hx-post="/checkout/quote" hx-target="#quote" hx-swap="outerHTML">
          {v.t("checkout.apply")}
        </button>
      </div>
      <PointsField v={v} max={quote.redeemablePoints} value={values.points} error={errors.points} />
      <PaymentMethodFields v={v} method={method} cardEnabled={cardEnabled} />
      <QuotePanel v={v} quote={quote} />
    </form>
  );
}
