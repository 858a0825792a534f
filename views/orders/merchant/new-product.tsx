// The new-product page: details and the first SKUs in one form. Blank SKU rows are ignored; "more
// rows" posts the form back with one more row, so it works without JavaScript and keeps what was typed.
import type { Store } from "../../../modules/orders/index.ts";
import type { FieldErrors } from "../../../src/platform/forms.ts";
import { CsrfField, Notice } from "../../components.tsx";
import type { ViewContext } from "../../view-context.ts";
import { Select } from "./fields.tsx";
import { DetailsFields, SkuFields, type DetailsValues, type SkuValues } from "./product-fields.tsx";

export interface NewProductValues extends DetailsValues {
  storeId: string;
  rows: SkuValues[];
}

interface Props {
  v: ViewContext;
  stores: Store[];
  values: NewProductValues;
  errors?: FieldErrors;
  /** A message for the whole form, e.g. "add at least one SKU". */
  failure?: string | undefined;
}

export function NewProductForm({ v, stores, values, errors = {}, failure }: Props) {
  const invalid = Object.keys(errors).length > 0;
  const store = stores.find((candidate) => candidate.id === values.storeId) ?? stores[0];
  const currency = store?.currency ?? "CNY";
  return (
    <form id="new-product" method="post" action="/merchant/products" hx-post="/merchant/products" hx-target="this" hx-swap="outerHTML" class="card" novalidate>
      <p>
        <a href="/merchant/products">{v.t("merchant.product.back")}</a>
      </p>
      <h1 class="page-title">{v.t("merchant.products.new")}</h1>
      {invalid && <Notice kind="error">{v.t("validation.form")}</Notice>}
      {failure && <Notice kind="error">{failure}</Notice>}
      <CsrfField v={v} />
      <input type="hidden" name="rows" value={String(values.rows.length)} />
      {stores.length > 1 ? (
        <Select
          v={v}
          id="new-store"
          name="storeId"
          label={v.t("merchant.products.store")}
          value={values.storeId}
          error={errors.storeId}
          options={stores.map((candidate) => ({ value: candidate.id, label: v.pick(candidate.nameZh, candidate.nameEn) }))}
        />
      ) : (
        <input type="hidden" name="storeId" value={values.storeId} />
      )}
      <fieldset>
        <legend>{v.t("merchant.product.details")}</legend>
        <DetailsFields v={v} idPrefix="new" values={values} errors={errors} />
      </fieldset>
      <p class="muted">{v.t("merchant.product.skus_hint")}</p>
      {values.rows.map((row, i) => (
        <fieldset>
          <legend>{v.t("merchant.sku.legend", { n: i + 1 })}</legend>
          <SkuFields v={v} idPrefix={`new-sku-${i}`} namePrefix={`sku.${i}.`} currency={currency} values={row} errors={errors} withStock />
        </fieldset>
      ))}
      <p>
        <button type="submit" class="button button--primary">{v.t("merchant.product.create")}</button>
      </p>
      <p>
        <button type="submit" class="button" name="intent" value="add_row">{v.t("merchant.sku.more_rows")}</button>
      </p>
    </form>
  );
}
