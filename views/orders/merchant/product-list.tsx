// The merchant's product list: status, stock and price range of each product, searchable.
import type { Store, StoreProductRow } from "../../../modules/orders/index.ts";
import { Notice } from "../../components.tsx";
import type { ViewContext } from "../../view-context.ts";

export function NoStoreNotice({ v }: { v: ViewContext }) {
  return (
    <article class="card">
      <h1 class="page-title">{v.t("merchant.products.title")}</h1>
      <Notice kind="info">{v.t("merchant.products.no_store")}</Notice>
    </article>
  );
}

export function StatusBadge({ v, status }: { v: ViewContext; status: StoreProductRow["status"] }) {
  return <span class={status === "published" ? "badge badge--live" : "badge badge--draft"}>{v.t(`merchant.status.${status}`)}</span>;
}

function priceRange(v: ViewContext, row: StoreProductRow): string {
  if (!row.lowestPrice || !row.highestPrice) return "—";
  const low = v.formatMoney(row.lowestPrice);
  const high = v.formatMoney(row.highestPrice);
  return low === high ? low : v.t("merchant.products.price_range", { from: low, to: high });
}

export function ProductResults({ v, rows, query }: { v: ViewContext; rows: StoreProductRow[]; query: string }) {
  return (
    <div id="product-results" aria-live="polite">
      {rows.length === 0 ? (
        <p class="muted">{query ? v.t("merchant.products.no_match", { query }) : v.t("merchant.products.none")}</p>
      ) : (
        <ul class="card-list">
          {rows.map((row) => (
            <li class="session-card" data-product-id={row.id}>
              <StatusBadge v={v} status={row.status} />
              <h3>
                <a href={`/merchant/products/${row.id}`}>{v.pick(row.titleZh, row.titleEn)}</a>
              </h3>
              {row.image && <img src={row.image.url} alt="" width="64" height="64" class="product-thumb product-thumb--aside" loading="lazy" />}
              <p class="price price--compact">{priceRange(v, row)}</p>
              <p class={row.stock > 0 ? "muted" : "sold-out"}>
                {row.stock > 0 ? v.t("product.stock", { count: row.stock }) : v.t("product.sold_out")} · {v.t("merchant.products.sku_count", { count: row.skuCount })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface PageProps {
  v: ViewContext;
  stores: Store[];
  store: Store;
  query: string;
  rows: StoreProductRow[];
}

export function MerchantProductsPage({ v, stores, store, query, rows }: PageProps) {
  return (
    <article>
      <h1 class="page-title">{v.t("merchant.products.title")}</h1>
      {stores.length > 1 ? (
        <form method="get" action="/merchant/products" class="inline-form">
          <label for="store-switch">{v.t("merchant.products.store")}</label>{" "}
          <select id="store-switch" name="store">
            {stores.map((candidate) => (
              <option value={candidate.id} selected={candidate.id === store.id}>
                {v.pick(candidate.nameZh, candidate.nameEn)}
              </option>
            ))}
          </select>{" "}
          <button type="submit" class="button">{v.t("merchant.products.switch_store")}</button>
        </form>
      ) : (
        <p class="muted">{v.pick(store.nameZh, store.nameEn)}</p>
      )}
      <p>
        <a class="button" href={`/merchant/products/new?store=${store.id}`}>
          {v.t("merchant.products.new")}
        </a>
      </p>
      <form role="search" method="get" action="/merchant/products" hx-get="/merchant/products" hx-target="#product-results" hx-swap="outerHTML" class="card">
        <input type="hidden" name="store" value={store.id} />
        <div class="field">
          <label for="product-search">{v.t("merchant.products.search_label")}</label>
          <input id="product-search" type="search" name="q" value={query} maxlength={100} />
        </div>
        <button type="submit" class="button">{v.t("merchant.products.search")}</button>
      </form>
      <ProductResults v={v} rows={rows} query={query} />
    </article>
  );
}
