// Group buys' (拼团) domain errors; src/platform/error-handler.ts maps them to HTTP. A refusal inside
// checkout's transaction rolls the whole order back, so a refused seat leaves no half-written order.
import { DomainError } from "../../src/platform/errors.ts";

/** Every seat of the group is taken (paid or still paying). */
export class GroupFull extends DomainError {
  constructor() {
    super(409, "group_full", "groups.error.full");
  }
}

/** The group filled, failed, or its window has passed. */
export class GroupClosed extends DomainError {
  constructor() {
    super(409, "group_closed", "groups.error.closed");
  }
}

/** The offer was deactivated, has not started, has ended, or has no units left. */
export class GroupOfferOver extends DomainError {
  constructor() {
    super(409, "group_offer_over", "groups.error.offer_over");
  }
}

/** A shopper holds at most one seat per group. */
export class AlreadyInGroup extends DomainError {
  constructor() {
    super(409, "already_in_group", "groups.error.already_member");
  }
}

/** Only the store's owner and staff define and end its group offers. */
export class NotGroupOfferStaff extends DomainError {
  constructor() {
    super(403, "not_group_offer_staff", "groups.error.not_staff");
  }
}

/** An offer that breaks a rule (price not below the SKU's, size, window, stock, times, show). */
export class GroupOfferInvalid extends DomainError {
  constructor(readonly field: GroupOfferField, messageKey: GroupOfferMessage) {
    super(422, "group_offer_invalid", messageKey);
  }
}

export type GroupOfferField = "skuId" | "groupPrice" | "groupSize" | "windowMinutes" | "stock" | "startsAt" | "endsAt" | "liveSessionId";
export type GroupOfferMessage =
  | "groups.form.sku_invalid"
  | "groups.form.price_invalid"
  | "groups.form.size_invalid"
  | "groups.form.window_invalid"
  | "groups.form.stock_invalid"
  | "groups.form.time_invalid"
  | "groups.form.ends_before_start"
  | "groups.form.session_invalid";
