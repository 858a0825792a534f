import { describe, expect, it } from "bun:test";
import { createSealer } from "../../src/platform/sealing.ts";
import { addressKeyOf, normalizedAddress } from "./address-key.ts";

const region = "浙江省杭州市西湖区";

describe("normalizedAddress", () => {
  it("folds full-width forms, case, whitespace and punctuation away", () => {
    const plain = normalizedAddress({ region, street: "龙井路 1 号 A-3" });
    expect(normalizedAddress({ region, street: "龙井路１号　ａ－３" })).toBe(plain);
    expect(normalizedAddress({ region: ` ${region} `, street: "龙井路1号, a3." })).toBe(plain);
  });

  it("tells different streets and regions apart", () => {
    const plain = normalizedAddress({ region, street: "龙井路 1 号" });
    expect(normalizedAddress({ region, street: "龙井路 2 号" })).not.toBe(plain);
    expect(normalizedAddress({ region: "浙江省杭州市上城区", street: "龙井路 1 号" })).not.toBe(plain);
  });

  it("does not let the region and the street run into each other", () => {
    expect(normalizedAddress({ region: "ab", street: "c" })).not.toBe(normalizedAddress({ region: "a", street: "bc" }));
  });
});

describe("addressKeyOf", () => {
  it("gives equal addresses the same key under one data key, and a different key under another", async () => {
    const sealer = createSealer("test-data-key-that-is-long-enough-0123456789");
    const key = await addressKeyOf(sealer, { region, street: "龙井路 1 号" });
    expect(await addressKeyOf(sealer, { region, street: "龙井路１号" })).toBe(key);
    expect(await addressKeyOf(createSealer("another-data-key-that-is-long-enough-987654"), { region, street: "龙井路 1 号" })).not.toBe(key);
    expect(key).not.toContain("龙井");
  });
});
