import { describe, expect, it } from "bun:test";
import { pbkdf2Hasher } from "./password.ts";
import { EDGE_PBKDF2_ITERATIONS, edgeHasher } from "./password-edge.ts";

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
});
