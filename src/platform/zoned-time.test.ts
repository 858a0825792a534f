import { describe, expect, it } from "bun:test";
import { utcToWallTime, wallTimeToUtc } from "./zoned-time.ts";

describe("wall times in the shop's zone", () => {
  it("reads a China Standard Time wall time as UTC and back", () => {
    expect(wallTimeToUtc("2026-12-12T20:00", "Asia/Shanghai")!.toISOString()).toBe("2026-12-12T12:00:00.000Z");
    expect(utcToWallTime(new Date("2026-12-12T12:00:00Z"), "Asia/Shanghai")).toBe("2026-12-12T20:00");
  });

  it("follows daylight saving where the zone has it", () => {
    expect(wallTimeToUtc("2026-07-01T09:00", "Europe/London")!.toISOString()).toBe("2026-07-01T08:00:00.000Z");
    expect(wallTimeToUtc("2026-01-15T09:00", "Europe/London")!.toISOString()).toBe("2026-01-15T09:00:00.000Z");
  });

  it("refuses text that is not a real time", () => {
    for (const text of ["", "tomorrow", "2026-02-30T10:00", "2026-12-12T24:00", "2026-12-12 20:00"]) expect(wallTimeToUtc(text, "Asia/Shanghai")).toBeNull();
  });
});
