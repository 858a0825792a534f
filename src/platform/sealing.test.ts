import { describe, expect, it } from "bun:test";
import { toBase64Url } from "./crypto.ts";
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

describe("data key ids and rotation", () => {
  const keyA = { id: "a-2025", key: "key-a-that-is-long-enough-0123456789abcdef" };
  const keyB = { id: "b-2026", key: "key-b-that-is-long-enough-0123456789abcdef" };
  const underA = createSealer({ current: keyA });
  const underB = createSealer({ current: keyB, retired: [keyA] });

  it("names its key in the value, and binds the name so it cannot be swapped", async () => {
    const sealed = await underA.seal("欧阳晓蕾");
    expect(sealed.startsWith("v2.a-2025.")).toBe(true);
    expect(underA.keyIdOf(sealed)).toBe("a-2025");
    expect(underA.isCurrent(sealed)).toBe(true);
    // Both keys are configured, so only the additional data can tell the relabelled value apart.
    const both = createSealer({ current: keyA, retired: [{ id: "a-2024", key: keyA.key }] });
    const relabelled = sealed.replace("v2.a-2025.", "v2.a-2024.");
    await expect(both.open(relabelled)).rejects.toBeInstanceOf(SealBroken);
    expect(await both.open(sealed)).toBe("欧阳晓蕾");
  });

  it("opens values sealed under a retired key, seals only under the current one, and re-seals old values", async () => {
    const old = await underA.seal("龙井路 1 号");
    expect(await underB.open(old)).toBe("龙井路 1 号");
    expect(underB.isCurrent(old)).toBe(false);
    const resealed = await underB.reseal(old);
    expect(underB.keyIdOf(resealed)).toBe("b-2026");
    expect(underB.isCurrent(resealed)).toBe(true);
    expect(await underB.reseal(resealed)).toBe(resealed);
    expect(await createSealer({ current: keyB }).open(resealed)).toBe("龙井路 1 号");
    expect(underB.keyIdOf(await underB.seal("x"))).toBe("b-2026");
  });

  it("refuses a value naming a key that is not configured", async () => {
    const sealed = await underB.seal("13800138000");
    await expect(underA.open(sealed)).rejects.toBeInstanceOf(SealBroken);
    await expect(underA.open(sealed)).rejects.toThrow('data key "b-2026"');
  });

  it("still opens legacy v1 values (no key id) under the current or a retired key", async () => {
    const legacy = await sealV1(keyA.key, "浙江省杭州市");
    expect(legacy.startsWith("v1.")).toBe(true);
    expect(underA.keyIdOf(legacy)).toBeNull();
    expect(underA.isCurrent(legacy)).toBe(false);
    expect(await underA.open(legacy)).toBe("浙江省杭州市");
    expect(await underB.open(legacy)).toBe("浙江省杭州市");
    expect(underB.keyIdOf(await underB.reseal(legacy))).toBe("b-2026");
    await expect(createSealer({ current: keyB }).open(legacy)).rejects.toBeInstanceOf(SealBroken);
  });

  it("keeps the single-key form, under key id k1", async () => {
    const sealed = await createSealer(keyA.key).seal("x");
    expect(sealed.startsWith("v2.k1.")).toBe(true);
    expect(await createSealer({ current: { id: "k1", key: keyA.key } }).open(sealed)).toBe("x");
  });

  it("refuses key ids that are malformed or named twice", () => {
    expect(() => createSealer({ current: { id: "Key.1", key: keyA.key } })).toThrow(RangeError);
    expect(() => createSealer({ current: keyA, retired: [{ id: keyA.id, key: keyB.key }] })).toThrow(RangeError);
  });
});

/** A value as the sealer wrote it before key ids: "v1.<iv>.<ciphertext>" under the "personal-data v1" derivation. */
async function sealV1(dataKey: string, plaintext: string): Promise<string> {
  const encoder = new TextEncoder();
  const material = await crypto.subtle.importKey("raw", encoder.encode(dataKey), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: encoder.encode("broadcart"), info: encoder.encode("personal-data v1") }, material, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plaintext)));
  return `v1.${toBase64Url(iv)}.${toBase64Url(ciphertext)}`;
}
