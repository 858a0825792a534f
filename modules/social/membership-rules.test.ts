import { describe, expect, it } from "bun:test";
import { maxRedeemablePoints, pointsEarned, pointsValueFen, TIERS, tierFor, tierProgress } from "./membership-rules.ts";

const tier = (id: string) => TIERS.find((t) => t.id === id)!;

describe("membership tiers", () => {
  it("picks the highest tier whose threshold the 12-month spend reaches", () => {
    expect(tierFor(0).id).toBe("regular");
    expect(tierFor(99_999).id).toBe("regular");
    expect(tierFor(100_000).id).toBe("silver");
    expect(tierFor(499_999).id).toBe("silver");
    expect(tierFor(2_000_000).id).toBe("diamond");
    expect(tierFor(99_000_000).id).toBe("diamond");
  });

  it("says how far the next tier is", () => {
    expect(tierProgress(25_000)).toMatchObject({ tier: { id: "regular" }, next: { id: "silver" }, remainingFen: 75_000, percent: 25 });
    expect(tierProgress(300_000)).toMatchObject({ tier: { id: "silver" }, next: { id: "gold" }, remainingFen: 200_000, percent: 50 });
    expect(tierProgress(3_000_000)).toMatchObject({ tier: { id: "diamond" }, next: null, remainingFen: 0, percent: 100 });
  });
});

describe("points", () => {
  it("earns one point per whole yuan paid, times the tier's multiplier, in CNY only", () => {
    expect(pointsEarned(12_999, "CNY", tier("regular"))).toBe(129);
    expect(pointsEarned(12_999, "CNY", tier("silver"))).toBe(161);
    expect(pointsEarned(12_999, "CNY", tier("diamond"))).toBe(258);
    expect(pointsEarned(99, "CNY", tier("diamond"))).toBe(0);
    expect(pointsEarned(12_999, "USD", tier("regular"))).toBe(0);
    expect(pointsEarned(-500, "CNY", tier("regular"))).toBe(0);
  });

  it("spends at most half the payable amount and never more than the balance", () => {
    expect(maxRedeemablePoints(10_000, 5_000, "CNY")).toBe(2_500);
    expect(maxRedeemablePoints(800, 5_000, "CNY")).toBe(800);
    expect(maxRedeemablePoints(10_000, 1, "CNY")).toBe(0);
    expect(maxRedeemablePoints(10_000, 5_000, "JPY")).toBe(0);
    expect(maxRedeemablePoints(0, 5_000, "CNY")).toBe(0);
    expect(pointsValueFen(2_500)).toBe(2_500);
  });
});
