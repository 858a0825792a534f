// Input rules for carts, checkout, orders and after-sales. Messages are i18n keys shown in place.
import * as v from "valibot";
import { LIMITS } from "./pricing.ts";

const text = (max: number, message: string) => v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty(message), v.maxLength(max, message));
const id = (prefix: string) => v.pipe(v.string(), v.regex(new RegExp(`^${prefix}_[0-9A-Z]{26}$`), "error.bad_request"));

export const quantity = v.pipe(
  v.optional(v.string(), "1"),
  v.regex(/^\d{1,4}$/, "validation.quantity"),
  v.transform(Number),
  v.minValue(1, "validation.quantity"),
  v.maxValue(LIMITS.maxQuantity, "validation.quantity"),
);

export const addToCartForm = v.object({ sku: id("sku"), quantity, buyNow: v.optional(v.string()) });

export const cartQuantityForm = v.object({ quantity });

export const couponCode = v.pipe(
  v.optional(v.string(), ""),
  v.trim(),
  v.toUpperCase(),
  v.check((code) => code === "" || /^[A-Z0-9-]{3,32}$/.test(code), "validation.coupon_code"),
  v.transform((code) => (code === "" ? null : code)),
);

export const addressFields = {
  recipient: text(40, "validation.recipient"),
  phone: v.pipe(v.optional(v.string(), ""), v.trim(), v.regex(/^\+?[0-9 -]{6,20}$/, "validation.phone")),
  region: text(80, "validation.region"),
  street: text(200, "validation.street"),
};

/** What the checkout page posts: the lines come from the cart, or from one "buy now" SKU. */
export const checkoutForm = v.object({
  ...addressFields,
  couponCode,
  paymentMethod: v.picklist(["card", "offline"], "error.bad_request"),
  idempotencyKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/, "error.bad_request")),
  sku: v.optional(id("sku")),
  quantity: v.optional(quantity),
  liveSession: v.optional(v.pipe(v.string(), v.regex(/^liv_[0-9A-Z]{26}$/, "error.bad_request"))),
});

export const afterSaleForm = v.object({
  kind: v.picklist(["refund_only", "return_and_refund"], "error.bad_request"),
  reason: text(500, "validation.reason"),
});

export const shipForm = v.object({
  carrier: text(40, "validation.carrier"),
  trackingNumber: v.pipe(v.optional(v.string(), ""), v.trim(), v.regex(/^[A-Za-z0-9]{6,40}$/, "validation.tracking")),
});

export const decisionForm = v.object({
  decision: v.picklist(["approve", "reject"], "error.bad_request"),
  note: v.pipe(v.optional(v.string(), ""), v.trim(), v.maxLength(500, "validation.reason"), v.transform((note) => note || null)),
});
