import type { Product, Sku } from "../../modules/orders/index.ts";
import type { ViewContext } from "../view-context.ts";
import { CsrfField } from "../components.tsx";
import { orderLimits } from "../../modules/orders/index.ts";
import { ShareSlot } from "../social/referral-share.tsx";

/** Add the chosen SKU to the cart, or buy it now; signing in comes first, and back to this page. */
function BuyForm({ v, sku }: { v: ViewContext; sku: Sku }) {
  if (sku.stock <= 0) return null;
  if (!v.user) {
    return (
      <p>
        <a class="button button--primary" href={`/signin?next=${encodeURIComponent(v.path)}`}>
          {v.t("product.sign_in_to_buy")}
        </a>
      </p>
    );
  }
  return (
    <form method="post" action="/cart" class="buy-form">
      <CsrfField v={v} />
      <input type="hidden" name="sku" value={sku.id} />
      <label for="buy-quantity">{v.t("cart.quantity")}</label>
      <input id="buy-quantity" name="quantity" type="number" inputmode="numeric" min="1" max={String(Math.min(sku.stock, orderLimits.maxQuantity))} value="1" />
      <button type="submit" class="button">{v.t("cart.add")}</button>
      <button type="submit" name="buyNow" value="1" class="button button--primary">
        {v.t("cart.buy_now")}
      </button>
    </form>
  );
}

/** Price and stock of the chosen SKU; swapped in place when the shopper picks another option. */
export function SkuPanel({ v, sku }: { v: ViewContext; sku: Sku }) {
  return (
    <div id="sku-panel" class="sku-panel" aria-live="polite">
      <p class="price" data-testid="price">
        <span class="visually-hidden">{v.t("product.price")}: </span>
        {v.formatMoney(sku.price)}
      </p>
      <p class={sku.stock > 0 ? "stock" : "sold-out"} data-testid="stock">
        {sku.stock > 0 ? v.t("product.stock", { count: sku.stock }) : v.t("product.sold_out")}
      </p>
      <p class="muted">{v.t("product.sku_code", { code: sku.code })}</p>
      <BuyForm v={v} sku={sku} />
    </div>
  );
}

export function ProductPage({ v, product, chosen }: { v: ViewContext; product: Product; chosen: Sku }) {
  return (
    <article class="product">
      <h1>{v.pick(product.titleZh, product.titleEn)}</h1>
      <p class="muted">{v.t("product.sold_by", { store: v.pick(product.store.nameZh, product.store.nameEn) })} · <a href={`/stores/${product.store.id}/community`}>{v.t("community.link")}</a></p>
      {product.images[0] && (
        <img class="product__image" src={product.images[0].url} alt={v.pick(product.titleZh, product.titleEn)} />
      )}
      <SkuPanel v={v} sku={chosen} />
      <div class="share-bar"><ShareSlot v={v} target={{ type: "product", id: product.id }} /></div>
      <form method="get" action={`/products/${product.id}`} hx-get={`/products/${product.id}`} hx-target="#sku-panel" hx-swap="outerHTML" hx-trigger="change" class="sku-choice">
        <fieldset>
          <legend>{v.t("product.choose_sku")}</legend>
          {product.skus.map((sku) => (
            <label class="choice">
              <input type="radio" name="sku" value={sku.id} checked={sku.id === chosen.id} />
              <span>{v.pick(sku.optionZh, sku.optionEn)}</span>
              <span class="muted">{v.formatMoney(sku.price)}</span>
            </label>
          ))}
        </fieldset>
        <noscript>
          <button type="submit" class="button">{v.t("product.show")}</button>
        </noscript>
      </form>
      <p class="description">{v.pick(product.descriptionZh, product.descriptionEn)}</p>
    </article>
  );
}
