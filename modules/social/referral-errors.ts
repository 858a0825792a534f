// Referral links' domain errors; src/platform/error-handler.ts maps them to HTTP.
import { DomainError } from "../../src/platform/errors.ts";

/** A short link nobody made (or mistyped): the 404 page. */
export class ReferralLinkNotFound extends DomainError {
  constructor() {
    super(404, "referral_link_not_found", "referrals.error.link_not_found");
  }
}

/** The merchant named a reward coupon that is not one of the store's. */
export class RewardCouponNotFound extends DomainError {
  constructor() {
    super(422, "reward_coupon_not_found", "referrals.error.coupon_not_found");
  }
}
