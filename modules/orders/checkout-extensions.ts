// What other modules add to checkout, inside the order's own transaction: the social module's
// membership points (spent as a discount) and group-buy seats (a group price for one SKU while the
// group fills). They are bound after every module is built, since social also uses the orders service.
import type { Tx } from "../../db/database.ts";

export interface PointsWallet {
  /** For the checkout page: how many points the shopper may spend on goods costing `payableFen`. */
  redeemable(userId: string, payableFen: number, currency: string): Promise<number>;
  /** For the checkout page's total: what `points` would take off now, or 0 when spend() would refuse them. */
  valueOf(userId: string, points: number, payableFen: number, currency: string): Promise<number>;
  /**
   * Takes `points` from the shopper's balance for the order and returns the fen they are worth;
   * refuses (a DomainError) beyond the balance or the redemption cap. Points come back through
   * the order events when the order closes unpaid or is refunded.
   */
  spend(tx: Tx, input: { userId: string; orderId: string; storeId: string; points: number; payableFen: number; currency: string; now: Date }): Promise<number>;
}

export interface GroupSeat {
  /** The group the seat is in (new when the shopper started one). */
  groupId: string | null;
  /** The group price of one unit, in the offer's currency. */
  unitPriceFen: number;
  currency: string;
  skuId: string;
}

export interface GroupSeats {
  /** For the checkout page: what a seat costs now; refuses like take() when none can be had. */
  priceOf(input: { userId: string; offerId: string; groupId: string | null }): Promise<GroupSeat>;
  /**
   * Takes a seat for the order: in the given group, or in a new group the shopper leads when
   * `groupId` is null. Refuses (a DomainError) when the group is full, closed or the offer is over.
   * The returned seat names its group.
   */
  take(tx: Tx, input: { userId: string; orderId: string; offerId: string; groupId: string | null; skuId: string; quantity: number; now: Date }): Promise<GroupSeat>;
}

export interface CheckoutExtensions {
  points?: PointsWallet;
  groupSeats?: GroupSeats;
}
