import { describe, expect, it } from "bun:test";
import { cumulative, dailySeries, niceTicks } from "./chart-scale.ts";

describe("daily series", () => {
  it("has every UTC day of the range, zero where nothing happened", () => {
    const series = dailySeries({ "2026-11-24": 3, "2026-11-26": 1 }, new Date("2026-11-23T22:00:00Z"), new Date("2026-11-26T08:00:00Z"));
    expect(series).toEqual([
      { day: "2026-11-23", value: 0 },
      { day: "2026-11-24", value: 3 },
      { day: "2026-11-25", value: 0 },
      { day: "2026-11-26", value: 1 },
    ]);
    expect(cumulative(series, 10).map((p) => p.value)).toEqual([10, 13, 13, 14]);
  });
});

describe("nice axis ticks", () => {
  it("climbs in steps of 1, 2 or 5 to a round top at or above the maximum", () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(38)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(1234)).toEqual([0, 500, 1000, 1500]);
  });
});
