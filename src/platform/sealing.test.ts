import { describe, expect, it } from "bun:test";
import { createSealer, SealBroken } from "./sealing.ts";

describe("sealing personal data", () => {
  const sealer = createSealer("a-data-key-that-is-long-enough-0123456789");

  it("opens what it sealed, and never seals the same text the same way twice", async () => {
    const address = "浙江省杭州市西湖区龙井路 1 号";
    const a = await sealer.seal(address);
    const b = await sealer.seal(address);
    expect(a).not.toBe(b);
    expect(a).not.toContain("龙井");
    expect(await sealer.open(a)).toBe(address);
  });

  it("refuses a value that was altered or sealed under another key", async () => {
    const sealed = await sealer.seal("secret");
    const altered = sealed.slice(0, -2) + (sealed.endsWith("AA") ? "BB" : "AA");
    await expect(sealer.open(altered)).rejects.toBeInstanceOf(SealBroken);
    await expect(createSealer("another-data-key-that-is-long-enough-000").open(sealed)).rejects.toBeInstanceOf(SealBroken);
    await expect(sealer.open("plain text")).rejects.toBeInstanceOf(SealBroken);
  });
});

describe("fingerprints of personal data", () => {
  it("are equal for equal values under one key, and differ across values and keys", async () => {
    const sealer = createSealer("a-data-key-that-is-long-enough-0123456789");
    const other = createSealer("another-data-key-that-is-long-enough-000");
    const a = await sealer.fingerprint("浙江省杭州市|龙井路 1 号");
    expect(await sealer.fingerprint("浙江省杭州市|龙井路 1 号")).toBe(a);
    expect(await sealer.fingerprint("浙江省杭州市|龙井路 2 号")).not.toBe(a);
    expect(await other.fingerprint("浙江省杭州市|龙井路 1 号")).not.toBe(a);
    expect(a).not.toContain("龙井");
  });
});
