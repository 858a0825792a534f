// The fieldsets the new-product page and the product editor share: titles and descriptions, and one SKU.
import type { FieldErrors } from "../../../src/platform/forms.ts";
import { catalogLimits } from "../../../modules/orders/index.ts";
import type { ViewContext } from "../../view-context.ts";
import { TextArea, TextInput } from "./fields.tsx";

export interface DetailsValues {
  titleZh?: string;
  titleEn?: string;
  descriptionZh?: string;
  descriptionEn?: string;
}

export function DetailsFields({ v, idPrefix, values = {}, errors = {} }: { v: ViewContext; idPrefix: string; values?: DetailsValues; errors?: FieldErrors }) {
  return (
    <>
      <p class="muted">{v.t("merchant.product.bilingual_hint")}</p>
      <TextInput v={v} id={`${idPrefix}-title-zh`} name="titleZh" label={v.t("merchant.product.title_zh")} value={values.titleZh} error={errors.titleZh} maxlength={catalogLimits.title} />
      <TextInput v={v} id={`${idPrefix}-title-en`} name="titleEn" label={v.t("merchant.product.title_en")} value={values.titleEn} error={errors.titleEn} maxlength={catalogLimits.title} />
      <TextArea v={v} id={`${idPrefix}-description-zh`} name="descriptionZh" label={v.t("merchant.product.description_zh")} value={values.descriptionZh} error={errors.descriptionZh} maxlength={catalogLimits.description} />
      <TextArea v={v} id={`${idPrefix}-description-en`} name="descriptionEn" label={v.t("merchant.product.description_en")} value={values.descriptionEn} error={errors.descriptionEn} maxlength={catalogLimits.description} />
    </>
  );
}

export interface SkuValues {
  optionZh?: string;
  optionEn?: string;
  code?: string;
  barcode?: string;
  price?: string;
  stock?: string;
}

interface SkuFieldsProps {
  v: ViewContext;
  idPrefix: string;
  /** Field names are `${namePrefix}code` etc.: "" on a SKU's own form, "sku.0." on the new-product form. */
  namePrefix: string;
  currency: string;
  values?: SkuValues;
  errors?: FieldErrors;
  /** Only a new SKU takes a stock figure; after that, stock changes go through adjustments. */
  withStock: boolean;
}

export function SkuFields({ v, idPrefix, namePrefix, currency, values = {}, errors = {}, withStock }: SkuFieldsProps) {
  /** What an input takes from its field: the id (sku-x-option-zh for optionZh), the name, its value and error. */
  const bound = (field: keyof SkuValues) => ({
    v,
    id: `${idPrefix}-${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
    name: `${namePrefix}${field}`,
    value: values[field],
    error: errors[`${namePrefix}${field}`],
  });
  return (
    <>
      <TextInput {...bound("optionZh")} label={v.t("merchant.sku.option_zh")} maxlength={catalogLimits.option} />
      <TextInput {...bound("optionEn")} label={v.t("merchant.sku.option_en")} maxlength={catalogLimits.option} />
      <TextInput {...bound("code")} label={v.t("merchant.sku.code")} hint={v.t("merchant.sku.code_hint")} maxlength={catalogLimits.skuCode} required />
      <TextInput {...bound("barcode")} label={v.t("merchant.sku.barcode")} hint={v.t("merchant.sku.barcode_hint")} maxlength={catalogLimits.barcode} inputmode="numeric" />
      <TextInput {...bound("price")} label={v.t("merchant.sku.price", { currency })} hint={v.t("merchant.sku.price_hint")} inputmode="decimal" required />
      {withStock && <TextInput {...bound("stock")} value={values.stock ?? "0"} label={v.t("merchant.sku.stock")} hint={v.t("merchant.sku.stock_hint")} inputmode="numeric" />}
    </>
  );
}
