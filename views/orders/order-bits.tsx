// Pieces shared by the shopper's and the merchant's order pages.
import type { Order } from "../../modules/orders/index.ts";
import type { Quote } from "../../modules/orders/index.ts";
import type { ViewContext } from "../view-context.ts";

export function StatusBadge({ v, order }: { v: ViewContext; order: Order }) {
  return <span class={`badge badge--status badge--${order.status}`}>{v.t(`orders.status.${order.status}`)}</span>;
}

export function PriceBreakdown({ v, price }: { v: ViewContext; price: Pick<Quote, "subtotal" | "discount" | "shipping" | "total"> }) {
  return (
    <dl class="facts price-breakdown">
      <dt>{v.t("checkout.subtotal")}</dt>
      <dd>{v.formatMoney(price.subtotal)}</dd>
      {price.discount.amount > 0 && (
        <>
          <dt>{v.t("checkout.discount")}</dt>
          <dd>-{v.formatMoney(price.discount)}</dd>
        </>
      )}
      <dt>{v.t("checkout.shipping")}</dt>
      <dd>{price.shipping.amount === 0 ? v.t("checkout.shipping_free") : v.formatMoney(price.shipping)}</dd>
      <dt>{v.t("checkout.total")}</dt>
      <dd class="price-breakdown__total" data-testid="total">
        {v.formatMoney(price.total)}
      </dd>
    </dl>
  );
}

export function OrderLines({ v, order }: { v: ViewContext; order: Order }) {
  return (
    <ul class="order-lines">
      {order.lines.map((line) => (
        <li>
          <a href={`/products/${line.productId}`}>{v.pick(line.titleZh, line.titleEn)}</a> · {v.pick(line.optionZh, line.optionEn)}
          <span class="muted">
            {" "}
            × {line.quantity} · {v.formatMoney(line.unitPrice)}
          </span>
        </li>
      ))}
    </ul>
  );
}
