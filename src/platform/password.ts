// Password hashing behind a port: the Bun entry uses argon2id (Bun.password); runtimes without
// argon2 or scrypt use PBKDF2-SHA256 from WebCrypto. Hashes name their scheme, so each verifies.
import { constantTimeEqual, fromBase64Url, toBase64Url } from "./crypto.ts";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** True when a hash that just verified should be replaced by one of this hasher's (after a sign-in). */
  needsRehash?(hash: string): boolean;
}

const PBKDF2_PREFIX = "$pbkdf2-sha256$";
/** OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;

async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export function pbkdf2Hasher(iterations = PBKDF2_ITERATIONS): PasswordHasher {
  return {
    async hash(password) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const derived = await pbkdf2(password, salt, iterations);
      return `${PBKDF2_PREFIX}i=${iterations}$${toBase64Url(salt)}$${toBase64Url(derived)}`;
    },
    verify: verifyPbkdf2,
  };
}

export function isPbkdf2Hash(hash: string): boolean {
  return hash.startsWith(PBKDF2_PREFIX);
}

export async function verifyPbkdf2(password: string, hash: string): Promise<boolean> {
  if (!isPbkdf2Hash(hash)) return false;
  const [iterationPart, saltPart, derivedPart] = hash.slice(PBKDF2_PREFIX.length).split("$");
  const iterations = Number(iterationPart?.slice(2));
  if (!saltPart || !derivedPart || !Number.isSafeInteger(iterations) || iterations < 1) return false;
  const derived = await pbkdf2(password, fromBase64Url(saltPart), iterations);
  return constantTimeEqual(toBase64Url(derived), derivedPart);
}
