import type { Order, OrderWithAddress } from "../../modules/orders/index.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { OrderLines, PriceBreakdown, StatusBadge } from "./order-bits.tsx";

export function MyOrdersPage({ v, orders }: { v: ViewContext; orders: Order[] }) {
  return (
    <article>
      <h1>{v.t("orders.title")}</h1>
      {orders.length === 0 && <p class="muted">{v.t("orders.none")}</p>}
      <ul class="card-list">
        {orders.map((order) => (
          <li class="card">
            <h2 class="card__title">
              <a href={`/orders/${order.id}`}>{v.t("orders.number", { number: order.number })}</a>
            </h2>
            <p>
              <StatusBadge v={v} order={order} /> {v.formatMoney(order.total)}
            </p>
            <p class="muted">{v.t("orders.placed", { time: v.formatTime(order.createdAt) })}</p>
          </li>
        ))}
      </ul>
    </article>
  );
}

function PostButton({ v, action, label, primary = false }: { v: ViewContext; action: string; label: string; primary?: boolean }) {
  return (
    <form method="post" action={action} hx-post={action} hx-target="#order" hx-swap="outerHTML" class="inline-form">
      <CsrfField v={v} />
      <button type="submit" class={primary ? "button button--primary" : "button"}>
        {label}
      </button>
    </form>
  );
}

export function AfterSaleForm({ v, order, errors = {}, values = {} }: { v: ViewContext; order: Order; errors?: FieldErrors; values?: { kind?: string; reason?: string } }) {
  const returnable = order.status !== "paid";
  return (
    <form id="after-sale" method="post" action={`/orders/${order.id}/after-sales`} hx-post={`/orders/${order.id}/after-sales`} hx-target="#order" hx-swap="outerHTML" class="after-sale-form" novalidate>
      <h2>{v.t("after_sales.title")}</h2>
      <CsrfField v={v} />
      <fieldset>
        <legend>{v.t("after_sales.kind")}</legend>
        <label class="choice">
          <input type="radio" name="kind" value="refund_only" checked={values.kind !== "return_and_refund"} /> {v.t("after_sales.refund_only")}
        </label>
        {returnable && (
          <label class="choice">
            <input type="radio" name="kind" value="return_and_refund" checked={values.kind === "return_and_refund"} /> {v.t("after_sales.return_and_refund")}
          </label>
        )}
      </fieldset>
      <div class={errors.reason ? "field field--invalid" : "field"}>
        <label for="field-reason">{v.t("after_sales.reason")}</label>
        <textarea id="field-reason" name="reason" maxlength={500} rows={3} aria-invalid={errors.reason ? "true" : undefined}>
          {values.reason ?? ""}
        </textarea>
        {errors.reason && (
          <p class="field__error" role="alert">
            {v.t(errors.reason)}
          </p>
        )}
      </div>
      <button type="submit" class="button">{v.t("after_sales.submit")}</button>
    </form>
  );
}

/**
 * The card form of Stripe.js (the Payment Element): the card details go from the shopper's browser to
 * Stripe, never through Broadcart. The only JavaScript on the order page, and only here.
 */
function CardForm({ v, order, form }: { v: ViewContext; order: Order; form: { publishableKey: string; clientSecret: string } }) {
  return (
    <form id="card-payment" class="card-payment" data-publishable-key={form.publishableKey} data-client-secret={form.clientSecret} data-locale={v.locale === "zh-CN" ? "zh" : "en"} data-return-url={`/orders/${order.id}`}>
      <div id="payment-element" />
      <p id="card-payment-error" class="field__error" role="alert" hidden />
      <button type="submit" class="button button--primary">
        {v.t("orders.pay_with_card", { total: v.formatMoney(order.total) })}
      </button>
      <script src="https://js.stripe.com/v3/" />
      <script src="/static/stripe-pay.js" defer />
    </form>
  );
}

export function OrderPage(props: { v: ViewContext; order: OrderWithAddress; cardEnabled: boolean; cardTestMode: boolean; cardForm?: { publishableKey: string; clientSecret: string } | null; notice?: string; problem?: string; afterSaleErrors?: FieldErrors; afterSaleValues?: { kind?: string; reason?: string } }) {
  const { v, order, cardEnabled, cardTestMode, cardForm, notice, problem } = props;
  const openRequest = order.afterSales.find((request) => request.status === "requested" || request.status === "approved");
  const canRequest = !openRequest && ["paid", "shipped", "delivered", "completed"].includes(order.status);
  return (
    <article id="order" class="card">
      <h1 class="order-title">{v.t("orders.number", { number: order.number })}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      <p>
        <StatusBadge v={v} order={order} /> <span class="muted">{v.t("orders.placed", { time: v.formatTime(order.createdAt) })}</span>
      </p>
      {order.status === "pending_payment" && <p>{v.t("orders.pay_by", { time: v.formatTime(order.expiresAt) })}</p>}
      {order.awaitingGroup && (order.status === "pending_payment" || order.status === "paid") && (
        <Notice kind="info">
          {v.t("orders.awaiting_group")} <a href={`/groups/for-order/${order.id}`}>{v.t("orders.see_group")}</a>
        </Notice>
      )}
      {order.carrier && order.trackingNumber && <p>{v.t("orders.tracking", { carrier: order.carrier, number: order.trackingNumber })}</p>}
      <h2>{v.t("orders.items")}</h2>
      <OrderLines v={v} order={order} />
      <PriceBreakdown v={v} price={order} />
      <h2>{v.t("checkout.address")}</h2>
      <p>
        {order.address.recipient} · {order.address.phone}
        <br />
        {order.address.region} {order.address.street}
      </p>
      {order.afterSales.map((request) => (
        <p class="after-sale-status" data-testid="after-sale-status">
          {v.t("after_sales.title")}: {v.t(`after_sales.status.${request.status}`)}
          {request.decisionNote && <span class="muted"> — {request.decisionNote}</span>}
        </p>
      ))}
      <div class="actions">
        {order.status === "pending_payment" && order.paymentMethod === "card" && cardForm && <CardForm v={v} order={order} form={cardForm} />}
        {order.status === "pending_payment" && order.paymentMethod === "card" && cardEnabled && !cardForm && cardTestMode && (
          <>
            <PostButton v={v} action={`/orders/${order.id}/pay`} label={v.t("orders.pay_with_card", { total: v.formatMoney(order.total) })} primary />
            {cardTestMode && <p class="muted small">{v.t("orders.card_test_note")}</p>}
          </>
        )}
        {order.status === "pending_payment" && order.paymentMethod === "offline" && <p class="muted">{v.t("orders.pay_offline_note")}</p>}
        {order.status === "pending_payment" && <PostButton v={v} action={`/orders/${order.id}/cancel`} label={v.t("orders.cancel")} />}
        {(order.status === "shipped" || order.status === "delivered") && <PostButton v={v} action={`/orders/${order.id}/receipt`} label={v.t("orders.confirm_receipt")} />}
      </div>
      {canRequest && <AfterSaleForm v={v} order={order} errors={props.afterSaleErrors} values={props.afterSaleValues} />}
    </article>
  );
}
