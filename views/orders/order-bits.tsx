// Pieces shared by the shopper's and the merchant's order pages.
import type { Order } from "../../modules/orders/index.ts";
import type { Quote } from "../../modules/orders/index.ts";
import type { Money } from "../../src/platform/money.ts";
import type { ViewContext } from "../view-context.ts";

export function StatusBadge({ v, order }: { v: ViewContext; order: Order }) {
  return <span class={`badge badge--status badge--${order.status}`}>{v.t(`orders.status.${order.status}`)}</span>;
}

/** An order's `discount` includes what points paid: shown as two lines, the coupon's and the points'. */
export function PriceBreakdown({ v, price }: { v: ViewContext; price: Pick<Quote, "subtotal" | "discount" | "shipping" | "total"> & { pointsDiscount?: Money } }) {
  const points = price.pointsDiscount?.amount ?? 0;
  const discount = { ...price.discount, amount: price.discount.amount - points };
  return (
    <dl class="facts price-breakdown">
      <dt>{v.t("checkout.subtotal")}</dt>
      <dd>{v.formatMoney(price.subtotal)}</dd>
      {discount.amount > 0 && (
        <>
          <dt>{v.t("checkout.discount")}</dt>
          <dd>-{v.formatMoney(discount)}</dd>
        </>
      )}
      {points > 0 && (
        <>
          <dt>{v.t("points.order.discount")}</dt>
          <dd data-testid="points-discount">-{v.formatMoney(price.pointsDiscount!)}</dd>
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
