import type { ProductSummary } from "../../modules/orders/index.ts";
import type { ViewContext } from "../view-context.ts";

export function ProductCard({ v, product }: { v: ViewContext; product: ProductSummary }) {
  return (
    <li class="product-card">
      <a href={`/products/${product.id}`}>
        <h3>{v.pick(product.titleZh, product.titleEn)}</h3>
        <p class="price">{v.formatMoney(product.fromPrice)}</p>
        <p class={product.stock > 0 ? "muted" : "sold-out"}>{product.stock > 0 ? v.t("product.stock", { count: product.stock }) : v.t("product.sold_out")}</p>
      </a>
    </li>
  );
}
