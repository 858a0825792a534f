// The orders module's domain errors; src/platform/error-handler.ts maps them to HTTP.
import { DomainError } from "../../src/platform/errors.ts";
import type { MessageKey } from "../../src/platform/i18n.ts";

export class OutOfStock extends DomainError {
  constructor(readonly skuId: string) {
    super(409, "out_of_stock", "orders.error.out_of_stock");
  }
}

export class ProductUnavailable extends DomainError {
  constructor() {
    super(409, "product_unavailable", "orders.error.product_unavailable");
  }
}

export type CouponRefusalReason = "not_found" | "not_started" | "ended" | "inactive" | "used" | "claimed_out" | "shopper_limit" | "not_new_shopper" | "wrong_store" | "wrong_session" | "below_min_spend" | "no_eligible_items";

export class CouponRefused extends DomainError {
  constructor(readonly reason: CouponRefusalReason) {
    super(422, `coupon_${reason}`, `coupons.refused.${reason}`);
  }
}

export class OrderNotFound extends DomainError {
  constructor() {
    super(404, "order_not_found", "error.not_found");
  }
}

/** The order is not in a state that allows this step (paid twice, shipped before paid, …). */
export class OrderStateConflict extends DomainError {
  constructor(code = "order_state_conflict") {
    super(409, code, "orders.error.state");
  }
}

/** Shipping a group-buy order before its group filled. */
export class AwaitingGroup extends OrderStateConflict {
  override readonly messageKey: MessageKey = "orders.error.awaiting_group";
  constructor() {
    super("awaiting_group");
  }
}

/** A checkout request that asks for something the order cannot have (points, a group-buy seat). */
export class CheckoutRefused extends DomainError {
  constructor(code: "group_buy_one_unit" | "points_invalid") {
    super(422, code, `orders.error.${code}` as MessageKey);
  }
}

export class EmptyCart extends DomainError {
  constructor() {
    super(422, "empty_cart", "cart.empty");
  }
}

export class PaymentUnavailable extends DomainError {
  constructor() {
    super(409, "payment_unavailable", "orders.error.card_unavailable");
  }
}

/** A merchant account that is not (yet) owner or staff of any store. */
export class NoStore extends DomainError {
  constructor() {
    super(409, "no_store", "merchant.no_store");
  }
}

/** The live room's flash sale has fewer units left than the order asks for (or ended meanwhile). */
export class FlashSaleSoldOut extends DomainError {
  constructor(readonly saleId: string) {
    super(409, "flash_sale_sold_out", "orders.error.flash_sale_sold_out");
  }
}

export type FlashSaleRefusalReason = "bad_price" | "bad_units" | "bad_duration" | "wrong_store" | "wrong_session" | "unpublished" | "price_above_regular" | "units_above_stock" | "already_running" | "not_running";

/** A flash sale that cannot be started or stopped as asked. */
export class FlashSaleRefused extends DomainError {
  constructor(readonly reason: FlashSaleRefusalReason) {
    super(reason === "already_running" || reason === "not_running" ? 409 : 422, `flash_sale_${reason}`, `flash_sales.refused.${reason}`);
  }
}
