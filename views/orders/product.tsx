import type { Product, Sku } from "../../modules/orders/index.ts";
import type { ViewContext } from "../view-context.ts";

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
    </div>
  );
}

export function ProductPage({ v, product, chosen }: { v: ViewContext; product: Product; chosen: Sku }) {
  return (
    <article class="product">
      <h1>{v.pick(product.titleZh, product.titleEn)}</h1>
      <p class="muted">{v.t("product.sold_by", { store: v.pick(product.store.nameZh, product.store.nameEn) })}</p>
      <SkuPanel v={v} sku={chosen} />
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
