// Passwords on runtimes without Bun.password (Workers, Deno): new hashes are PBKDF2-SHA256 at
// 100,000 iterations, the most Cloudflare's runtime allows. argon2id hashes that a Bun instance of
// the same shop made are still verified, in plain JavaScript (Workers may not compile WebAssembly at
// run time): about a second of CPU for Bun's 64 MiB setting, so a sign-in then re-hashes the password
// to PBKDF2 and it happens once per account. One such verification runs at a time per isolate (a
// Workers isolate has 128 MB; two 64 MiB derivations at once would not fit), and parameters above Bun's
// defaults are refused before any work.
import { argon2idAsync } from "@noble/hashes/argon2.js";
import { constantTimeEqual, fromBase64, toBase64 } from "./crypto.ts";
import { isPbkdf2Hash, pbkdf2Hasher, type PasswordHasher } from "./password.ts";

/** Cloudflare's WebCrypto refuses PBKDF2 above this in production (cloudflare/workerd#1346; local workerd lifts the cap). */
export const EDGE_PBKDF2_ITERATIONS = 100_000;

/** Bun's defaults are the ceiling: refuse parameters no hash of ours has, rather than spend the isolate's memory or minutes of CPU on one. */
export const ARGON2_MAX_MEMORY_KIB = 65_536;
export const ARGON2_MAX_PASSES = 4;
export const ARGON2_MAX_LANES = 4;

type DeriveArgon2id = typeof argon2idAsync;

/** The isolate's argon2 verifications, one after another. */
let argon2Queue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(task: () => Promise<T>): Promise<T> {
  const run = argon2Queue.then(task, task);
  argon2Queue = run.catch(() => undefined);
  return run;
}


/** Verifies a PHC-format argon2id hash ("$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>"). */
async function verifyArgon2id(password: string, hash: string, derive: DeriveArgon2id): Promise<boolean> {
  const match = /^\$argon2id\$v=19\$m=(\d{1,9}),t=(\d{1,9}),p=(\d{1,9})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(hash);
  if (!match) return false;
  const [m, t, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m > ARGON2_MAX_MEMORY_KIB || t < 1 || t > ARGON2_MAX_PASSES || p < 1 || p > ARGON2_MAX_LANES) return false;
  const expected = fromBase64(match[5]!);
  const derived = await oneAtATime(() => derive(new TextEncoder().encode(password), fromBase64(match[4]!), { m, t, p, dkLen: expected.length }));
  // PHC strings carry base64 without its padding.
  return constantTimeEqual(toBase64(derived).replace(/=+$/, ""), match[5]!);
}

/** `derive` is argon2id itself; tests watch it through a wrapper. */
export function edgeHasher(iterations = EDGE_PBKDF2_ITERATIONS, derive: DeriveArgon2id = argon2idAsync): PasswordHasher {
  const pbkdf2 = pbkdf2Hasher(iterations);
  return {
    hash: pbkdf2.hash,
    verify: (password, hash) => (isPbkdf2Hash(hash) ? pbkdf2.verify(password, hash) : verifyArgon2id(password, hash, derive).catch(() => false)),
    needsRehash: (hash) => !hash.startsWith(`$pbkdf2-sha256$i=${iterations}$`),
  };
}
