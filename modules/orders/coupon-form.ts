// The merchant's coupon form: checked with valibot, then amounts read as yuan text into fen and
// wall times into UTC in the shop's zone. Messages are i18n keys shown beside their fields.
import * as v from "valibot";
import type { FieldErrors, FormResult } from "../../src/platform/forms.ts";
import { parseForm } from "../../src/platform/forms.ts";
import { MoneyError, parseMoney } from "../../src/platform/money.ts";
import { wallTimeToUtc } from "../../src/platform/zoned-time.ts";
import type { NewCoupon } from "./coupons.ts";

const text = (max: number, message: string) => v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty(message), v.maxLength(max, message));
const count = (message: string) => v.pipe(v.optional(v.string(), ""), v.regex(/^\d{1,7}$/, message), v.transform(Number), v.minValue(1, message));

const couponShape = v.object({
  code: v.pipe(v.optional(v.string(), ""), v.trim(), v.toUpperCase(), v.regex(/^[A-Z0-9-]{3,32}$/, "validation.coupon_code")),
  nameZh: text(40, "validation.coupon.name"),
  nameEn: text(60, "validation.coupon.name"),
  kind: v.picklist(["amount_off", "percent_off"], "error.bad_request"),
  amount: v.optional(v.string(), ""),
  percent: v.optional(v.string(), ""),
  minSpend: v.optional(v.string(), ""),
  cap: v.optional(v.string(), ""),
  audience: v.picklist(["everyone", "new_shoppers"], "error.bad_request"),
  scope: v.picklist(["store", "products"], "error.bad_request"),
  productIds: v.optional(v.array(v.pipe(v.string(), v.regex(/^prd_[0-9A-Z]{26}$/, "error.bad_request"))), []),
  startsAt: v.string(),
  endsAt: v.string(),
  perShopperLimit: count("validation.coupon.limit"),
  totalLimit: count("validation.coupon.limit"),
});

export type CouponFormValues = Record<string, string | string[]>;

export function parseCouponForm(body: CouponFormValues, storeId: string, currency: string, timeZone: string): FormResult<NewCoupon> {
  const shape = parseForm(couponShape, { ...body, productIds: body.productIds === undefined ? [] : [body.productIds].flat() });
  const errors: FieldErrors = shape.ok ? {} : { ...shape.errors };
  const fen = (field: string, raw: string | undefined, required: boolean): number | null => {
    if (!raw?.trim()) {
      if (required) errors[field] = "validation.coupon.amount";
      return null;
    }
    try {
      const { amount } = parseMoney(raw, currency);
      if (amount <= 0) throw new MoneyError("not positive");
      return amount;
    } catch {
      errors[field] = "validation.coupon.amount";
      return null;
    }
  };
  const input = shape.ok ? shape.value : null;
  const kind = input?.kind ?? "amount_off";
  const amount = kind === "amount_off" ? fen("amount", String(body.amount ?? ""), true) : null;
  const percentText = String(body.percent ?? "");
  const percent = kind === "percent_off" ? (/^\d{1,2}$/.test(percentText) && Number(percentText) >= 1 ? Number(percentText) : (errors.percent = "validation.coupon.percent", null)) : null;
  const minSpend = fen("minSpend", String(body.minSpend ?? ""), false) ?? 0;
  const cap = kind === "percent_off" ? fen("cap", String(body.cap ?? ""), false) : null;
  const startsAt = wallTimeToUtc(String(body.startsAt ?? ""), timeZone);
  const endsAt = wallTimeToUtc(String(body.endsAt ?? ""), timeZone);
  if (!startsAt) errors.startsAt = "validation.coupon.time";
  if (!endsAt) errors.endsAt = "validation.coupon.time";
  if (startsAt && endsAt && endsAt <= startsAt) errors.endsAt = "validation.coupon.ends_before_start";
  if (input && input.scope === "products" && input.productIds.length === 0) errors.productIds = "validation.coupon.products";
  const perShopper = Number(body.perShopperLimit);
  const total = Number(body.totalLimit);
  if (Number.isSafeInteger(perShopper) && Number.isSafeInteger(total) && perShopper > total) errors.perShopperLimit = "validation.coupon.limit";
  if (!input || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      storeId,
      code: input.code,
      nameZh: input.nameZh,
      nameEn: input.nameEn,
      kind,
      value: kind === "amount_off" ? amount! : percent!,
      minSpendFen: minSpend,
      capFen: cap,
      audience: input.audience,
      scope: input.scope,
      productIds: input.scope === "products" ? input.productIds : [],
      startsAt: startsAt!,
      endsAt: endsAt!,
      perShopperLimit: input.perShopperLimit,
      totalLimit: input.totalLimit,
    },
  };
}
