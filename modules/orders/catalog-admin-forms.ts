// The merchant catalog's forms: valibot schemas for product details, SKUs and stock adjustments, and
// reading a posted body back into the values to show again. The limits and the SKU code and barcode
// rules are the catalog's own (catalog-rules.ts), so a form refuses what the service would refuse.
import * as v from "valibot";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { MoneyError, parseMoney } from "../../src/platform/money.ts";
import type { NewProductValues } from "../../views/orders/merchant/new-product.tsx";
import type { SkuValues } from "../../views/orders/merchant/product-fields.tsx";
import type { Store } from "./catalog-records.ts";
import { BarcodeTaken, CatalogInputInvalid, SkuCodeTaken, barcodeProblem, catalogLimits, normalizeSkuCode, skuCodePattern, type NewSku, type ProductDetails } from "./catalog-rules.ts";

const text = (max: number, tooLong: MessageKey) => v.pipe(v.optional(v.string("validation.form"), ""), v.trim(), v.maxLength(max, tooLong));

export const detailsForm = v.pipe(
  v.object({
    titleZh: text(catalogLimits.title, "validation.product.title_too_long"),
    titleEn: text(catalogLimits.title, "validation.product.title_too_long"),
    descriptionZh: text(catalogLimits.description, "validation.product.description_too_long"),
    descriptionEn: text(catalogLimits.description, "validation.product.description_too_long"),
  }),
  v.forward(v.partialCheck([["titleZh"], ["titleEn"]], (input) => !!(input.titleZh || input.titleEn), "validation.product.title_required"), ["titleZh"]),
);

/** Decimal yuan text to fen, never through a float: "12.9" is 1290; "12.345", "-1" and "abc" are refused. */
function priceFen(input: string, currency: string): number | null {
  try {
    const amount = parseMoney(input, currency).amount;
    return amount >= 0 ? Math.abs(amount) : null;
  } catch (error) {
    if (error instanceof MoneyError) return null;
    throw error;
  }
}

function skuFields(currency: string) {
  return {
    optionZh: text(catalogLimits.option, "validation.sku.option_too_long"),
    optionEn: text(catalogLimits.option, "validation.sku.option_too_long"),
    code: v.pipe(
      v.optional(v.string("validation.form"), ""),
      v.transform(normalizeSkuCode),
      v.nonEmpty("validation.sku.code_required"),
      v.maxLength(catalogLimits.skuCode, "validation.sku.code_invalid"),
      v.regex(skuCodePattern, "validation.sku.code_invalid"),
    ),
    barcode: v.pipe(
      v.optional(v.string("validation.form"), ""),
      v.trim(),
      v.check((barcode) => !barcode || barcodeProblem(barcode) !== "validation.sku.barcode_invalid", "validation.sku.barcode_invalid"),
      v.check((barcode) => !barcode || barcodeProblem(barcode) === null, "validation.sku.barcode_check_digit"),
    ),
    price: v.pipe(
      v.optional(v.string("validation.form"), ""),
      v.trim(),
      v.nonEmpty("validation.sku.price_required"),
      v.check((input) => priceFen(input, currency) !== null, "validation.sku.price_invalid"),
      v.transform((input) => priceFen(input, currency)!),
    ),
  };
}

const stockField = v.pipe(
  v.optional(v.string("validation.form"), ""),
  v.trim(),
  v.transform((input) => input || "0"),
  v.regex(/^\d{1,7}$/, "validation.sku.stock_invalid"),
  v.transform(Number),
  v.maxValue(catalogLimits.stock, "validation.sku.stock_invalid"),
);

export const skuDetailsForm = (currency: string) =>
  v.pipe(
    v.object(skuFields(currency)),
    v.forward(v.partialCheck([["optionZh"], ["optionEn"]], (input) => !!(input.optionZh || input.optionEn), "validation.sku.option_required"), ["optionZh"]),
  );
export const newSkuForm = (currency: string) =>
  v.pipe(
    v.object({ ...skuFields(currency), stock: stockField }),
    v.forward(v.partialCheck([["optionZh"], ["optionEn"]], (input) => !!(input.optionZh || input.optionEn), "validation.sku.option_required"), ["optionZh"]),
  );

export const stockForm = v.object({
  delta: v.pipe(
    v.optional(v.string("validation.form"), ""),
    v.trim(),
    v.transform((input) => input.replace(/^[\u2212\u2013]/, "-")), // a typed minus sign or dash
    v.regex(/^[+-]?\d{1,7}$/, "validation.stock.delta_invalid"),
    v.transform(Number),
    v.check((delta) => delta !== 0 && Math.abs(delta) <= catalogLimits.stock, "validation.stock.delta_invalid"),
  ),
  reason: v.pipe(v.optional(v.string("validation.form"), ""), v.trim(), v.nonEmpty("validation.stock.reason_required"), v.maxLength(catalogLimits.reason, "validation.stock.reason_too_long")),
});

/** A parsed SKU form as the service takes it: the price in fen, no barcode as null. */
export function skuInput<T extends { price: number; barcode: string }>({ price, barcode, ...rest }: T): Omit<T, "price" | "barcode"> & { priceFen: number; barcode: string | null } {
  return { ...rest, priceFen: price, barcode: barcode || null };
}

/** A parsed request body: text fields and uploaded files. */
export type FormBody = Record<string, string | File>;
/** A text field of a posted body; a missing field or a file is "". */
export const textField = (body: FormBody, name: string): string => (typeof body[name] === "string" ? (body[name] as string) : "");
export const detailsFieldNames = ["titleZh", "titleEn", "descriptionZh", "descriptionEn"] as const;
const skuFieldNames = ["optionZh", "optionEn", "code", "barcode", "price", "stock"] as const;

export function rawSku(body: FormBody, prefix = ""): SkuValues {
  return Object.fromEntries(skuFieldNames.map((name) => [name, textField(body, prefix + name)]));
}

export function rawValues(body: FormBody, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, textField(body, name)]));
}

/** Where a service refusal belongs on a SKU form, or null when it is not about one field. */
export function skuFieldError(error: unknown): FieldErrors | null {
  if (error instanceof SkuCodeTaken) return { code: error.messageKey };
  if (error instanceof BarcodeTaken) return { barcode: error.messageKey };
  if (error instanceof CatalogInputInvalid) return { [error.field]: error.messageKey };
  return null;
}

interface ParsedNewProduct {
  values: NewProductValues;
  errors: FieldErrors;
  store: Store | undefined;
  details: ProductDetails | undefined;
  skus: NewSku[];
}

/** The new-product form: details, the store, and the non-blank SKU rows (`sku.<i>.<field>`). */
export function parseNewProduct(body: FormBody, stores: Store[]): ParsedNewProduct {
  const rowCount = Math.min(Math.max(Number.parseInt(textField(body, "rows"), 10) || 2, 1), catalogLimits.skusPerProduct);
  const values: NewProductValues = {
    ...rawValues(body, detailsFieldNames),
    storeId: textField(body, "storeId") || (stores.length === 1 ? stores[0]!.id : ""),
    rows: Array.from({ length: rowCount }, (_, i) => rawSku(body, `sku.${i}.`)),
  };
  const store = stores.find((candidate) => candidate.id === values.storeId);
  const details = parseForm(detailsForm, body);
  const errors: FieldErrors = details.ok ? {} : { ...details.errors };
  if (!store) errors.storeId = "validation.product.store";

  const skus: NewSku[] = [];
  const codes = new Set<string>();
  const barcodes = new Set<string>();
  values.rows.forEach((row, i) => {
    const blank = !row.optionZh?.trim() && !row.optionEn?.trim() && !row.code?.trim() && !row.barcode?.trim() && !row.price?.trim();
    if (blank) return;
    const sku = parseForm(newSkuForm(store?.currency ?? "CNY"), row);
    if (!sku.ok) {
      for (const [name, key] of Object.entries(sku.errors)) errors[`sku.${i}.${name}`] = key;
      return;
    }
    if (codes.has(sku.value.code)) errors[`sku.${i}.code`] = "validation.sku.code_repeated";
    if (sku.value.barcode && barcodes.has(sku.value.barcode)) errors[`sku.${i}.barcode`] = "validation.sku.barcode_repeated";
    codes.add(sku.value.code);
    if (sku.value.barcode) barcodes.add(sku.value.barcode);
    skus.push(skuInput(sku.value));
  });
  if (skus.length === 0 && !Object.keys(errors).some((name) => name.startsWith("sku."))) errors["sku.0.code"] = "validation.product.skus_required";
  return { values, errors, store, details: details.ok ? details.value : undefined, skus };
}
