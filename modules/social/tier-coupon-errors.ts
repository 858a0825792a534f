// Tier coupons' domain errors; src/platform/error-handler.ts maps them to HTTP.
import { DomainError } from "../../src/platform/errors.ts";

/** The code names no coupon, or another store's. */
export class TierCouponNotOurs extends DomainError {
  constructor() {
    super(422, "tier_coupon_not_ours", "points.tier_coupons.error.not_ours");
  }
}

/** The store's coupon is withdrawn or has ended: a member could not be given it. */
export class TierCouponUnavailable extends DomainError {
  constructor() {
    super(422, "tier_coupon_unavailable", "points.tier_coupons.error.unavailable");
  }
}

/** The coupon is already registered for that tier. */
export class TierCouponRegistered extends DomainError {
  constructor() {
    super(409, "tier_coupon_registered", "points.tier_coupons.error.registered");
  }
}
