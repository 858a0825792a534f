import type { CartLine } from "../../modules/orders/index.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";

export function CartPage({ v, lines }: { v: ViewContext; lines: CartLine[] }) {
  if (lines.length === 0) {
    return (
      <article id="cart" class="card">
        <h1>{v.t("cart.title")}</h1>
        <p>{v.t("cart.empty")}</p>
        <p>
          <a href="/">{v.t("nav.home")}</a>
        </p>
      </article>
    );
  }
  const buyable = lines.filter((line) => line.available && line.stock > 0);
  return (
    <article id="cart" class="card">
      <h1>{v.t("cart.title")}</h1>
      <ul class="cart-lines">
        {lines.map((line) => (
          <li class="cart-line">
            <p>
              <a href={`/products/${line.productId}`}>{v.pick(line.titleZh, line.titleEn)}</a> · {v.pick(line.optionZh, line.optionEn)}
              <br />
              <strong>{v.formatMoney(line.unitPrice)}</strong>
              {!line.available && <span class="sold-out"> {v.t("cart.unavailable")}</span>}
              {line.available && line.stock < line.quantity && <span class="sold-out"> {v.t("cart.only_left", { count: line.stock })}</span>}
            </p>
            <form method="post" action={`/cart/${line.skuId}`} hx-post={`/cart/${line.skuId}`} hx-target="#cart" hx-swap="outerHTML" class="inline-fields">
              <CsrfField v={v} />
              <label for={`qty-${line.skuId}`}>{v.t("cart.quantity")}</label>
              <input id={`qty-${line.skuId}`} name="quantity" type="number" inputmode="numeric" min="1" max="999" value={String(line.quantity)} />
              <button type="submit" class="button">{v.t("cart.update")}</button>
            </form>
            <form method="post" action={`/cart/${line.skuId}/remove`} hx-post={`/cart/${line.skuId}/remove`} hx-target="#cart" hx-swap="outerHTML" class="inline-form">
              <CsrfField v={v} />
              <button type="submit" class="link-button">{v.t("cart.remove")}</button>
            </form>
          </li>
        ))}
      </ul>
      {buyable.length > 0 ? (
        <p>
          <a class="button button--primary" href="/checkout">
            {v.t("cart.checkout")}
          </a>
        </p>
      ) : (
        <Notice kind="info">{v.t("cart.empty")}</Notice>
      )}
    </article>
  );
}
