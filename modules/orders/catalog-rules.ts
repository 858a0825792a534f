// What the catalog accepts from store staff: the limits, the input shapes, the rules that check and
// normalise them (shared with the merchant forms, so a form and the service refuse the same things),
// and the domain errors the catalog throws.
import { DomainError } from "../../src/platform/errors.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";
import { money } from "../../src/platform/money.ts";
import type { ProductStatus } from "./catalog-records.ts";

export const catalogLimits = {
  title: 120,
  description: 5000,
  option: 60,
  skuCode: 40,
  barcode: 48,
  reason: 200,
  stock: 1_000_000,
  skusPerProduct: 50,
  imageBytes: 5 * 1024 * 1024,
  imagesPerProduct: 12,
} as const;

export interface ProductDetails {
  titleZh: string;
  titleEn: string;
  descriptionZh: string;
  descriptionEn: string;
}

/** What staff may change on a SKU. Stock is not here: it changes only through movements. */
export interface SkuDetails {
  code: string;
  barcode?: string | null | undefined;
  optionZh: string;
  optionEn: string;
  priceFen: number;
}

export interface NewSku extends SkuDetails {
  /** The first stock, recorded as the SKU's initial movement. */
  stock: number;
}

export interface NewProduct extends ProductDetails {
  storeId: string;
  status: ProductStatus;
  skus: NewSku[];
}

// ---- domain errors -------------------------------------------------------------------------

/** Input the service refuses; `field` names the form field it belongs to. */
export class CatalogInputInvalid extends DomainError {
  constructor(
    readonly field: string,
    messageKey: MessageKey,
  ) {
    super(422, "catalog_input_invalid", messageKey);
  }
}

export class SkuCodeTaken extends DomainError {
  constructor(readonly skuCode: string) {
    super(422, "sku_code_taken", "validation.sku.code_taken");
  }
}

export class BarcodeTaken extends DomainError {
  constructor(readonly barcode: string) {
    super(422, "barcode_taken", "validation.sku.barcode_taken");
  }
}

export class StockWouldGoNegative extends DomainError {
  constructor(readonly stock: number) {
    super(422, "stock_would_go_negative", "validation.stock.negative");
  }
}

/** A SKU that was sold or whose stock was adjusted stays, so orders and the ledger keep pointing at it. */
export class SkuHasHistory extends DomainError {
  constructor() {
    super(409, "sku_has_history", "merchant.error.sku_has_history");
  }
}

export class LastSku extends DomainError {
  constructor() {
    super(409, "last_sku", "merchant.error.last_sku");
  }
}

export class ImageRejected extends DomainError {
  constructor(messageKey: "validation.image.required" | "validation.image.type" | "validation.image.too_large" | "validation.image.too_many") {
    super(messageKey === "validation.image.too_large" ? 413 : 422, "image_rejected", messageKey);
  }
}

// ---- input rules shared with the merchant forms -----------------------------------------------

export const skuCodePattern = /^[A-Z0-9][A-Z0-9._-]*$/;
const barcodePattern = /^[A-Za-z0-9._-]+$/;

/** SKU codes are compared as the till prints them: trimmed and in capitals. */
export function normalizeSkuCode(text: string): string {
  return text.trim().toUpperCase();
}

/** GS1 check digit of EAN-8, UPC-A (12) and EAN-13: weights 3,1,3… from the right, before the check digit. */
export function hasValidCheckDigit(digits: string): boolean {
  const body = digits.slice(0, -1);
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10 === Number(digits.at(-1));
}

/**
 * Why a barcode is refused, or null. A numeric EAN-8, UPC-A or EAN-13 must carry the right check
 * digit (a mistyped digit would make the POS ring up the wrong item); other store codes are accepted.
 */
export function barcodeProblem(barcode: string): "validation.sku.barcode_invalid" | "validation.sku.barcode_check_digit" | null {
  if (barcode.length > catalogLimits.barcode || !barcodePattern.test(barcode)) return "validation.sku.barcode_invalid";
  if (/^\d+$/.test(barcode) && [8, 12, 13].includes(barcode.length) && !hasValidCheckDigit(barcode)) return "validation.sku.barcode_check_digit";
  return null;
}

/** A bilingual text typed in one language only is shown in both. */
function bilingual(zh: string, en: string): [string, string] {
  const z = zh.trim();
  const e = en.trim();
  return [z || e, e || z];
}

export function checkedDetails(input: ProductDetails): ProductDetails {
  const [titleZh, titleEn] = bilingual(input.titleZh, input.titleEn);
  if (!titleZh) throw new CatalogInputInvalid("titleZh", "validation.product.title_required");
  if (titleZh.length > catalogLimits.title) throw new CatalogInputInvalid("titleZh", "validation.product.title_too_long");
  if (titleEn.length > catalogLimits.title) throw new CatalogInputInvalid("titleEn", "validation.product.title_too_long");
  const [descriptionZh, descriptionEn] = bilingual(input.descriptionZh, input.descriptionEn);
  if (descriptionZh.length > catalogLimits.description) throw new CatalogInputInvalid("descriptionZh", "validation.product.description_too_long");
  if (descriptionEn.length > catalogLimits.description) throw new CatalogInputInvalid("descriptionEn", "validation.product.description_too_long");
  return { titleZh, titleEn, descriptionZh, descriptionEn };
}

/** A SKU's details as they are stored: code in capitals, no barcode as null, both options filled. */
export interface CheckedSku {
  code: string;
  barcode: string | null;
  optionZh: string;
  optionEn: string;
  priceFen: number;
}

export function checkedSku(input: SkuDetails, currency: string): CheckedSku {
  const code = normalizeSkuCode(input.code);
  if (!code) throw new CatalogInputInvalid("code", "validation.sku.code_required");
  if (code.length > catalogLimits.skuCode || !skuCodePattern.test(code)) throw new CatalogInputInvalid("code", "validation.sku.code_invalid");
  const barcode = input.barcode?.trim() || null;
  const problem = barcode === null ? null : barcodeProblem(barcode);
  if (problem) throw new CatalogInputInvalid("barcode", problem);
  const [optionZh, optionEn] = bilingual(input.optionZh, input.optionEn);
  if (!optionZh) throw new CatalogInputInvalid("optionZh", "validation.sku.option_required");
  if (optionZh.length > catalogLimits.option || optionEn.length > catalogLimits.option) throw new CatalogInputInvalid("optionZh", "validation.sku.option_too_long");
  if (!Number.isSafeInteger(input.priceFen) || input.priceFen < 0) throw new CatalogInputInvalid("price", "validation.sku.price_invalid");
  return { code, barcode, optionZh, optionEn, priceFen: money(input.priceFen, currency).amount };
}

export function checkedStock(stock: number): number {
  if (!Number.isSafeInteger(stock) || stock < 0 || stock > catalogLimits.stock) throw new CatalogInputInvalid("stock", "validation.sku.stock_invalid");
  return stock;
}

export function checkedDelta(delta: number, reason: string): { delta: number; note: string } {
  if (!Number.isSafeInteger(delta) || delta === 0 || Math.abs(delta) > catalogLimits.stock) throw new CatalogInputInvalid("delta", "validation.stock.delta_invalid");
  const note = reason.trim();
  if (!note) throw new CatalogInputInvalid("reason", "validation.stock.reason_required");
  if (note.length > catalogLimits.reason) throw new CatalogInputInvalid("reason", "validation.stock.reason_too_long");
  return { delta, note };
}
