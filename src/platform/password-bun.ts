// argon2id through Bun.password, for the Bun entry. Still verifies PBKDF2 hashes made at the edge.
import { isPbkdf2Hash, verifyPbkdf2, type PasswordHasher } from "./password.ts";

export function argon2idHasher(): PasswordHasher {
  return {
    hash: (password) => Bun.password.hash(password, { algorithm: "argon2id" }),
    verify: (password, hash) => (isPbkdf2Hash(hash) ? verifyPbkdf2(password, hash) : Bun.password.verify(password, hash)),
  };
}
