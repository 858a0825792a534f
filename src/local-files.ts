// What a server on one machine (Bun, Deno) keeps in local files outside production: development
// secrets generated once into data/ (so sessions and audit exports survive restarts, and both
// runtimes share them), and the images folder beside an embedded database. Workers keep neither.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { generateAuditSigningKey } from "../modules/compliance/index.ts";
import { randomToken } from "./platform/crypto.ts";

/** Product photos live beside an embedded database file (data/images for data/broadcart.db), else in data/images. */
export function imagesBesideDatabase(databaseUrl: string): string {
  const path = databaseUrl.startsWith("file:") ? (databaseUrl.slice("file:".length).split("?")[0] ?? "") : "";
  return path && path !== ":memory:" ? join(dirname(path), "images") : "data/images";
}

function keptIn(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  mkdirSync(dirname(path), { recursive: true });
  const value = make();
  writeFileSync(path, value + "\n", { mode: 0o600 });
  return value;
}

/** A missing SESSION_SECRET or DATA_KEY, generated once and kept. */
export const developmentSecret = (path: string): string => keptIn(path, () => randomToken(48));

/** A missing AUDIT_SIGNING_KEY, generated once and kept, so exports stay verifiable with one key. */
export async function developmentAuditKey(path: string): Promise<string> {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const key = await generateAuditSigningKey();
  return keptIn(path, () => key);
}
