// Input rules for the device endpoints (JSON) and the merchant POS forms.
import * as v from "valibot";
import { isSupportedCurrency } from "../../src/platform/money.ts";

export const MAX_BATCH = 500;
export const MAX_BODY_BYTES = 2_000_000;

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

export const storeTransactionSchema = v.object({
  sequence: int(1, Number.MAX_SAFE_INTEGER),
  kind: v.picklist(["sale", "refund"]),
  receiptNo: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64)),
  at: v.pipe(v.string(), v.maxLength(40), v.check((text) => !Number.isNaN(Date.parse(text)))),
  lines: v.pipe(
    v.array(v.object({ code: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64)), quantity: int(1, 100_000), unitPriceFen: int(0, 1_000_000_000) })),
    v.minLength(1),
    v.maxLength(500),
  ),
  totalFen: int(0, 100_000_000_000),
  currency: v.pipe(v.string(), v.check(isSupportedCurrency)),
  payment: v.nullable(v.pipe(v.string(), v.maxLength(40))),
  // Kept as the till sent it: the membership side reads it; an unknown code earns nothing but the sale still counts.
  memberCode: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(40)))),
});

export const ingestBatchSchema = v.object({
  deviceId: v.pipe(v.string(), v.maxLength(64)),
  transactions: v.pipe(v.array(storeTransactionSchema), v.maxLength(MAX_BATCH)),
});

export const pairRequestSchema = v.object({
  code: v.pipe(v.string(), v.maxLength(20)),
  name: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(60))),
});

export const newDeviceForm = v.object({
  name: v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty("pos.validation.name"), v.maxLength(60, "pos.validation.name")),
});

export const resolveForm = v.object({
  sku: v.pipe(v.optional(v.string(), ""), v.trim(), v.maxLength(64)),
});
