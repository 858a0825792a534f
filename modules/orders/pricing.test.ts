import { describe, expect, it } from "bun:test";
import { allocate, couponDiscount, priceOrder, withPointsDiscount, type CouponTerms } from "./pricing.ts";

const line = (productId: string, unitPriceFen: number, quantity: number) => ({ skuId: `sku-${productId}`, productId, unitPriceFen, quantity });
const amountOff = (value: number, minSpendFen = 0, productIds: string[] | null = null): CouponTerms => ({ kind: "amount_off", value, minSpendFen, capFen: null, productIds });
const percentOff = (value: number, capFen: number | null = null): CouponTerms => ({ kind: "percent_off", value, minSpendFen: 0, capFen, productIds: null });

describe("pricing", () => {
  it("adds lines in fen and takes a 满减 coupon off once the threshold is reached", () => {
    const price = priceOrder([line("a", 16800, 2), line("b", 4990, 1)], amountOff(3000, 30000));
    expect(price).toMatchObject({ subtotalFen: 38590, discountFen: 3000, totalFen: 35590, couponRefusal: null });
    expect(price.lineDiscountsFen.reduce((a, b) => a + b)).toBe(3000);
  });

  it("refuses a threshold coupon below its minimum spend and says why", () => {
    const price = priceOrder([line("a", 4990, 1)], amountOff(1000, 9900));
    expect(price).toMatchObject({ discountFen: 0, totalFen: 4990, couponRefusal: "below_min_spend" });
  });

  it("rounds a percent discount down to the fen and holds it to the cap", () => {
    expect(couponDiscount(percentOff(15), 99)).toBe(14);
    expect(couponDiscount(percentOff(15, 2000), 100000)).toBe(2000);
    expect(couponDiscount(percentOff(15, 2000), 10000)).toBe(1500);
  });

  it("never takes off more than the eligible amount", () => {
    expect(priceOrder([line("a", 500, 1)], amountOff(1000)).totalFen).toBe(0);
  });

  it("applies a product-scoped coupon only to those products' lines", () => {
    const price = priceOrder([line("a", 10000, 1), line("b", 10000, 1)], amountOff(2000, 0, ["b"]));
    expect(price.lineDiscountsFen).toEqual([0, 2000]);
    expect(priceOrder([line("a", 10000, 1)], amountOff(2000, 0, ["b"])).couponRefusal).toBe("no_eligible_items");
  });

  it("leaves flash-sale lines out of every coupon: no share of the discount, no part of the threshold", () => {
    const flash = { ...line("a", 5000, 2), flashSaleId: "fls_1" };
    // Only the ¥80 regular line counts towards the ¥100 threshold, so the coupon is refused.
    expect(priceOrder([flash, line("b", 8000, 1)], amountOff(1000, 10000)).couponRefusal).toBe("below_min_spend");
    // A percent coupon on a mixed order: 10 % of the regular line only, all of it on that line.
    const mixed = priceOrder([flash, line("b", 8000, 1)], percentOff(10));
    expect(mixed).toMatchObject({ subtotalFen: 18000, discountFen: 800, totalFen: 17200, lineDiscountsFen: [0, 800], couponRefusal: null });
    // A product coupon for the flash-sale product itself does not apply either.
    expect(priceOrder([flash], amountOff(500, 0, ["a"]))).toMatchObject({ discountFen: 0, totalFen: 10000, couponRefusal: "no_eligible_items" });
    expect(priceOrder([flash], null)).toMatchObject({ subtotalFen: 10000, totalFen: 10000, couponRefusal: null });
  });

  it("shares a discount by largest remainder so the lines add up exactly", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(10, [0, 5, 5])).toEqual([0, 5, 5]);
    expect(allocate(7, [3333, 3333, 3334])).toEqual([2, 2, 3]);
    for (let total = 0; total < 200; total += 7) {
      const weights = [1299, 4990, 16800, 1];
      expect(allocate(total, weights).reduce((a, b) => a + b)).toBe(total);
    }
  });

  it("refuses quantities and prices a client could use to overflow or go negative", () => {
    expect(() => priceOrder([line("a", 100, 0)], null)).toThrow(RangeError);
    expect(() => priceOrder([line("a", 100, -1)], null)).toThrow(RangeError);
    expect(() => priceOrder([line("a", 100, 1.5)], null)).toThrow(RangeError);
    expect(() => priceOrder([line("a", -100, 1)], null)).toThrow(RangeError);
    expect(() => priceOrder([line("a", 100, 1e9)], null)).toThrow(RangeError);
  });
});

describe("points discount", () => {
  const lines = [
    { skuId: "a", productId: "p1", unitPriceFen: 3_000, quantity: 1 },
    { skuId: "b", productId: "p2", unitPriceFen: 1_000, quantity: 1 },
  ];

  it("comes off after the coupon and is shared over what each line still costs", () => {
    const coupon = { kind: "amount_off" as const, value: 1_000, minSpendFen: 0, capFen: null, productIds: ["p1"] };
    const price = withPointsDiscount(priceOrder(lines, coupon), lines, 1_001);
    expect(price).toMatchObject({ subtotalFen: 4_000, discountFen: 2_001, totalFen: 1_999, pointsFen: 1_001 });
    // After the coupon line a costs 2000 and line b 1000: 2/3 and 1/3 of 1001 fen.
    expect(price.lineDiscountsFen).toEqual([1_000 + 667, 334]);
    expect(price.lineDiscountsFen.reduce((a, b) => a + b, 0)).toBe(price.discountFen);
  });

  it("changes nothing at zero and refuses more than the goods cost or a fraction", () => {
    expect(withPointsDiscount(priceOrder(lines, null), lines, 0)).toMatchObject({ discountFen: 0, totalFen: 4_000, pointsFen: 0 });
    expect(() => withPointsDiscount(priceOrder(lines, null), lines, 4_001)).toThrow(RangeError);
    expect(() => withPointsDiscount(priceOrder(lines, null), lines, 1.5)).toThrow(RangeError);
    expect(() => withPointsDiscount(priceOrder(lines, null), lines, -1)).toThrow(RangeError);
  });
});
