import type { Order, OrderWithMaskedAddress } from "../../modules/orders/index.ts";
import type { StoreOrderFilter } from "../../modules/orders/index.ts";
import { orderStatuses } from "../../db/schema/orders-checkout.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Field, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { ShippingAddress, type AddressRevealState } from "./address-reveal.tsx";
import { OrderLines, PriceBreakdown, StatusBadge } from "./order-bits.tsx";
import { RiskHoldNotice } from "./risk.tsx";

export function StoreOrdersPage({ v, orders, filter }: { v: ViewContext; orders: Order[]; filter: StoreOrderFilter }) {
  return (
    <article>
      <h1>{v.t("merchant.orders.title")}</h1>
      <form method="get" action="/merchant/orders" class="filters" role="search">
        <label for="filter-status">{v.t("merchant.orders.filter")}</label>
        <select id="filter-status" name="status">
          <option value="">{v.t("merchant.orders.all")}</option>
          {orderStatuses.map((status) => (
            <option value={status} selected={filter.status === status}>
              {v.t(`orders.status.${status}`)}
            </option>
          ))}
          <option value="after_sales" selected={filter.status === "after_sales"}>
            {v.t("merchant.orders.after_sales_open")}
          </option>
        </select>
        <label for="filter-q" class="visually-hidden">
          {v.t("merchant.orders.search")}
        </label>
        <input id="filter-q" name="q" type="search" placeholder={v.t("merchant.orders.search")} value={filter.search ?? ""} />
        <button type="submit" class="button">{v.t("merchant.orders.filter")}</button>
      </form>
      <div class="table-scroll">
        <table class="orders-table">
          <thead>
            <tr>
              <th scope="col">{v.t("merchant.orders.col_order")}</th>
              <th scope="col">{v.t("merchant.orders.col_status")}</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr>
                <td>
                  <a href={`/merchant/orders/${order.id}`}>{order.number}</a>
                  <br />
                  <span class="muted small">{v.formatTime(order.createdAt)}</span>
                </td>
                <td>
                  <StatusBadge v={v} order={order} />
                  <br />
                  <strong>{v.formatMoney(order.total)}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {orders.length === 0 && <p class="muted">{v.t("orders.none")}</p>}
    </article>
  );
}

function StaffButton({ v, action, label, primary = false }: { v: ViewContext; action: string; label: string; primary?: boolean }) {
  return (
    <form method="post" action={action} hx-post={action} hx-target="#store-order" hx-swap="outerHTML" class="inline-form">
      <CsrfField v={v} />
      <button type="submit" class={primary ? "button button--primary" : "button"}>
        {label}
      </button>
    </form>
  );
}

export function StoreOrderPage(props: { v: ViewContext; order: OrderWithMaskedAddress; held?: boolean; problem?: string; shipErrors?: FieldErrors; shipValues?: { carrier?: string; trackingNumber?: string }; addressReveal?: AddressRevealState }) {
  const { v, order, problem, shipErrors = {}, shipValues = {} } = props;
  const base = `/merchant/orders/${order.id}`;
  return (
    <article id="store-order" class="card">
      <h1 class="order-title">{v.t("orders.number", { number: order.number })}</h1>
      {problem && <Notice kind="error">{problem}</Notice>}
      <RiskHoldNotice v={v} held={props.held ?? false} />
      <p>
        <StatusBadge v={v} order={order} /> <span class="muted">{v.t("orders.placed", { time: v.formatTime(order.createdAt) })}</span>
      </p>
      <OrderLines v={v} order={order} />
      <PriceBreakdown v={v} price={order} />
      <h2>{v.t("merchant.orders.ship_to")}</h2>
      <StoreOrderAddress v={v} order={order} state={props.addressReveal} />
      {order.carrier && order.trackingNumber && <p>{v.t("orders.tracking", { carrier: order.carrier, number: order.trackingNumber })}</p>}
      {order.status === "pending_payment" && order.paymentMethod === "offline" && <StaffButton v={v} action={`${base}/confirm-payment`} label={v.t("merchant.orders.confirm_payment")} primary />}
      {order.status === "paid" && (
        <form method="post" action={`${base}/ship`} hx-post={`${base}/ship`} hx-target="#store-order" hx-swap="outerHTML" class="ship-form" novalidate>
          <CsrfField v={v} />
          <Field v={v} name="carrier" label="merchant.orders.carrier" value={shipValues.carrier} error={shipErrors.carrier} required maxlength={40} />
          <Field v={v} name="trackingNumber" label="merchant.orders.tracking_number" value={shipValues.trackingNumber} error={shipErrors.trackingNumber} required maxlength={40} />
          <button type="submit" class="button button--primary">{v.t("merchant.orders.ship")}</button>
        </form>
      )}
      {order.status === "shipped" && <StaffButton v={v} action={`${base}/delivered`} label={v.t("merchant.orders.mark_delivered")} />}
      {order.afterSales.map((request) => (
        <section class="after-sale" aria-label={v.t("after_sales.title")}>
          <h2>
            {v.t("after_sales.title")}: {v.t(`after_sales.${request.kind}`)}
          </h2>
          <p data-testid="after-sale-status">{v.t(`after_sales.status.${request.status}`)}</p>
          <p>
            {v.t("after_sales.reason")}: {request.reason}
          </p>
          {request.status === "requested" && (
            <form method="post" action={`/merchant/after-sales/${request.id}/decide`} hx-post={`/merchant/after-sales/${request.id}/decide`} hx-target="#store-order" hx-swap="outerHTML">
              <CsrfField v={v} />
              <div class="field">
                <label for={`note-${request.id}`}>{v.t("merchant.orders.note")}</label>
                <input id={`note-${request.id}`} name="note" maxlength={500} />
              </div>
              <button type="submit" name="decision" value="approve" class="button button--primary">
                {v.t("merchant.orders.approve")}
              </button>
              <button type="submit" name="decision" value="reject" class="button">
                {v.t("merchant.orders.reject")}
              </button>
            </form>
          )}
          {request.status === "approved" && request.kind === "return_and_refund" && <StaffButton v={v} action={`/merchant/after-sales/${request.id}/returned`} label={v.t("merchant.orders.confirm_return")} primary />}
          {request.status === "approved" && request.kind === "refund_only" && <StaffButton v={v} action={`/merchant/after-sales/${request.id}/refund`} label={v.t("merchant.orders.approve")} primary />}
        </section>
      ))}
    </article>
  );
}

export function StoreOrderAddress({ v, order, state = {} }: { v: ViewContext; order: Pick<OrderWithMaskedAddress, "id" | "maskedAddress">; state?: AddressRevealState }) {
  return <ShippingAddress v={v} orderId={order.id} revealAction={`/merchant/orders/${order.id}/reveal-address`} address={state.revealed ?? order.maskedAddress} revealed={!!state.revealed} errors={state.errors} values={state.values} />;
}
