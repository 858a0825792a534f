// The price of an order, in integer fen, recomputed on the server from the catalog and the coupon.
//
// The rounding rule:
// - A percent-off discount is rounded DOWN to the whole fen (15 % of ¥0.99 is 14 fen, not 15), then
//   held to the coupon's cap and to the eligible amount. Nobody gets more off than the coupon says.
// - The order's discount is shared out over the eligible lines in proportion to their amounts, by the
//   largest-remainder method: each line first gets its share rounded down, then the fen left over go
//   one each to the lines with the largest remainders (earlier lines first on a tie). The line shares
//   add up to the discount exactly, and a refund of one line gives back exactly what that line paid.
//
// Flash sales (and group-buy prices, the same way) and coupons do not stack: a line sold at a live room's flash-sale price is already
// discounted, so no coupon (store, product or live-session scope) takes anything off it. It is left
// out of the coupon's eligible amount, so it counts neither towards a 满减 threshold nor towards a
// percent discount, and gets no share of the discount. An order of flash-sale lines only refuses a
// coupon as "no_eligible_items"; the other lines of a mixed order still get it as usual.

export interface PricedLine {
  skuId: string;
  productId: string;
  unitPriceFen: number;
  quantity: number;
  /** Set when the line is priced by a flash sale: then no coupon applies to it. */
  flashSaleId?: string | null;
  /** Set when the line is priced by a group buy (拼团): no coupon applies to it either. */
  groupPriced?: boolean;
}

export interface CouponTerms {
  kind: "amount_off" | "percent_off";
  /** amount_off: fen; percent_off: whole percent, 1..99. */
  value: number;
  minSpendFen: number;
  capFen: number | null;
  /** Product ids the coupon is limited to, or null for every line of the order. */
  productIds: readonly string[] | null;
}

export interface OrderPrice {
  subtotalFen: number;
  discountFen: number;
  shippingFen: number;
  totalFen: number;
  /** Per line, in the order of the input. */
  lineDiscountsFen: number[];
  /** Why a coupon that was offered took nothing off, if it did not apply. */
  couponRefusal: "below_min_spend" | "no_eligible_items" | null;
}

/** Upper bounds that keep every sum a safe integer, far above any real basket. */
export const LIMITS = { maxQuantity: 999, maxLines: 50, maxUnitPriceFen: 100_000_000 } as const;

export function lineAmount(line: PricedLine): number {
  return line.unitPriceFen * line.quantity;
}

/** Whether a coupon may take something off this line (flash-sale lines: never). */
export function couponApplies(coupon: CouponTerms, line: PricedLine): boolean {
  if (line.flashSaleId || line.groupPriced) return false;
  return coupon.productIds === null || coupon.productIds.includes(line.productId);
}

export function couponDiscount(coupon: CouponTerms, eligibleFen: number): number {
  const raw = coupon.kind === "amount_off" ? coupon.value : Math.floor((eligibleFen * coupon.value) / 100);
  const capped = coupon.capFen === null ? raw : Math.min(raw, coupon.capFen);
  return Math.max(0, Math.min(capped, eligibleFen));
}

/** Shares `total` out over `weights` (non-negative integers) by the largest-remainder method. */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total === 0 || sum === 0) return weights.map(() => 0);
  const shares = weights.map((weight) => Math.floor((total * weight) / sum));
  let left = total - shares.reduce((a, b) => a + b, 0);
  const byRemainder = weights
    .map((weight, index) => ({ index, remainder: (total * weight) % sum }))
    .filter(({ index }) => weights[index]! > 0)
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (left === 0) break;
    shares[index]! += 1;
    left -= 1;
  }
  return shares;
}

export function priceOrder(lines: readonly PricedLine[], coupon: CouponTerms | null, shippingFen = 0): OrderPrice {
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.quantity > LIMITS.maxQuantity) throw new RangeError(`bad quantity ${line.quantity}`);
    if (!Number.isSafeInteger(line.unitPriceFen) || line.unitPriceFen < 0 || line.unitPriceFen > LIMITS.maxUnitPriceFen) throw new RangeError(`bad price ${line.unitPriceFen}`);
  }
  if (lines.length > LIMITS.maxLines) throw new RangeError(`too many lines: ${lines.length}`);
  const amounts = lines.map(lineAmount);
  const subtotalFen = amounts.reduce((a, b) => a + b, 0);
  let discountFen = 0;
  let lineDiscountsFen = lines.map(() => 0);
  let couponRefusal: OrderPrice["couponRefusal"] = null;
  if (coupon) {
    const eligible = amounts.map((amount, i) => (couponApplies(coupon, lines[i]!) ? amount : 0));
    const eligibleFen = eligible.reduce((a, b) => a + b, 0);
    if (eligibleFen === 0) couponRefusal = "no_eligible_items";
    else if (eligibleFen < coupon.minSpendFen) couponRefusal = "below_min_spend";
    else {
      discountFen = couponDiscount(coupon, eligibleFen);
      lineDiscountsFen = allocate(discountFen, eligible);
    }
  }
  return { subtotalFen, discountFen, shippingFen, totalFen: subtotalFen - discountFen + shippingFen, lineDiscountsFen, couponRefusal };
}

/**
 * Membership points spent on an order: taken off after the coupon, shared over the lines by what
 * each still costs (largest remainder), so a refund of one line gives back its share of points too.
 * The caller has already checked the amount against the shopper's balance and the redemption cap.
 */
export function withPointsDiscount(price: OrderPrice, lines: readonly PricedLine[], pointsFen: number): OrderPrice & { pointsFen: number } {
  const remaining = lines.map((line, i) => lineAmount(line) - price.lineDiscountsFen[i]!);
  const goodsFen = remaining.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(pointsFen) || pointsFen < 0 || pointsFen > goodsFen) throw new RangeError(`bad points discount ${pointsFen}`);
  if (pointsFen === 0) return { ...price, pointsFen: 0 };
  const shares = allocate(pointsFen, remaining);
  return {
    ...price,
    discountFen: price.discountFen + pointsFen,
    totalFen: price.totalFen - pointsFen,
    lineDiscountsFen: price.lineDiscountsFen.map((fen, i) => fen + shares[i]!),
    pointsFen,
  };
}
