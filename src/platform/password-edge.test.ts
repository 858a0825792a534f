import { describe, expect, it } from "bun:test";
import { pbkdf2Hasher } from "./password.ts";
import { argon2idAsync } from "@noble/hashes/argon2.js";
import { EDGE_PBKDF2_ITERATIONS, edgeHasher } from "./password-edge.ts";

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");

/** A genuine argon2id hash of `password` with the given parameters, in PHC format. */
async function argon2idHash(password: string, { m, t, p }: { m: number; t: number; p: number }): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const derived = await argon2idAsync(new TextEncoder().encode(password), salt, { m, t, p, dkLen: 32 });
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${toBase64(salt)}$${toBase64(derived)}`;
}

describe("passwords at the edge", () => {
  const edge = edgeHasher();

  it("hashes with PBKDF2 at the edge's iteration count and verifies its own hashes", async () => {
    const hash = await edge.hash("correct horse");
    expect(hash.startsWith(`$pbkdf2-sha256$i=${EDGE_PBKDF2_ITERATIONS}$`)).toBe(true);
    expect(await edge.verify("correct horse", hash)).toBe(true);
    expect(await edge.verify("wrong horse", hash)).toBe(false);
    expect(edge.needsRehash!(hash)).toBe(false);
  });

  it("verifies an argon2id hash a Bun instance made, and asks for it to be re-hashed", async () => {
    const argon = await Bun.password.hash("correct horse", { algorithm: "argon2id" });
    expect(await edge.verify("correct horse", argon)).toBe(true);
    expect(await edge.verify("wrong horse", argon)).toBe(false);
    expect(edge.needsRehash!(argon)).toBe(true);
  }, 20_000);

  it("asks to re-hash PBKDF2 of another count, and refuses what is no hash at all", async () => {
    const strong = await pbkdf2Hasher(1_000).hash("pw");
    expect(await edge.verify("pw", strong)).toBe(true);
    expect(edge.needsRehash!(strong)).toBe(true);
    expect(await edge.verify("pw", "plain-text")).toBe(false);
    expect(await edge.verify("pw", "$argon2id$v=19$broken")).toBe(false);
  });

  it("verifies a small argon2id hash of its own making, so the refusals below are about the parameters", async () => {
    expect(await edge.verify("pw", await argon2idHash("pw", { m: 64, t: 4, p: 4 }))).toBe(true);
  });

  it("refuses genuine argon2id hashes above Bun's defaults (m 65536 KiB, t 4, p 4) without deriving anything", async () => {
    let derivations = 0;
    const watched = edgeHasher(EDGE_PBKDF2_ITERATIONS, (...args) => {
      derivations++;
      return argon2idAsync(...args);
    });
    const overCap = [
      await Bun.password.hash("pw", { algorithm: "argon2id", memoryCost: 131_072, timeCost: 1 }),
      await argon2idHash("pw", { m: 64, t: 5, p: 1 }),
      await argon2idHash("pw", { m: 64, t: 1, p: 5 }),
    ];
    for (const hash of overCap) expect(await watched.verify("pw", hash)).toBe(false);
    expect(derivations).toBe(0);
  }, 20_000);

  it("runs one argon2id verification at a time, however many sign-ins arrive at once", async () => {
    let running = 0;
    let mostAtOnce = 0;
    const watched = edgeHasher(EDGE_PBKDF2_ITERATIONS, async (...args) => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        return await argon2idAsync(...args);
      } finally {
        running--;
      }
    });
    const hash = await argon2idHash("pw", { m: 256, t: 2, p: 1 });
    const verdicts = await Promise.all(["pw", "no", "pw", "no", "pw"].map((password) => watched.verify(password, hash)));
    expect(verdicts).toEqual([true, false, true, false, true]);
    expect(mostAtOnce).toBe(1);
  });
});
