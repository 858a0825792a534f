// Signed exports of the audit trail as JSON Lines, and their offline verification. Pure WebCrypto,
// so it runs on Bun, Workers and Deno, and in `npm run audit:verify` without a database.
//
// A file is one line per entry, then one signature line:
//   {"action":…,"actor":{"id":…,"type":…},"at":…,"data":{…},"hash":…,"prevHash":…,"seq":…,"subject":…}
//   {"type":"signature","algorithm":"Ed25519","keyId":…,"publicKey":…,"from":…,"to":…,"count":…,"digest":…,"signature":…}
// digest = SHA-256 (hex) of every entry line, each followed by "\n" (the file up to the signature line).
// signature = Ed25519 (base64) over the canonical JSON of the signature line without its "signature"
// field, so the digest and the stated range and count are all covered by it.
import { fromBase64, sha256Hex, toBase64, toHex } from "../../src/platform/crypto.ts";
import { canonicalJson } from "./canonical-json.ts";
import { entryHash, type ChainedEntry } from "./audit-chain.ts";

const encoder = new TextEncoder();
const ED25519 = { name: "Ed25519" } as const;

export interface AuditSigner {
  keyId: string;
  /** The raw 32-byte public key, base64. */
  publicKey: string;
  sign(message: string): Promise<string>;
}

export interface SignatureLine {
  type: "signature";
  algorithm: "Ed25519";
  keyId: string;
  publicKey: string;
  from: string | null;
  to: string | null;
  count: number;
  digest: string;
  signature: string;
}

export interface ExportEntryLine {
  seq: number;
  at: string;
  actor: { type: string; id: string };
  action: string;
  subject: string;
  data: unknown;
  prevHash: string;
  hash: string;
}

async function keyIdOf(publicKey: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", publicKey as Uint8Array<ArrayBuffer>)).slice(0, 16);
}

/** A new Ed25519 private key as base64 PKCS#8, the form AUDIT_SIGNING_KEY takes. */
export async function generateAuditSigningKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
  return toBase64(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer));
}

/** Imports AUDIT_SIGNING_KEY (base64 PKCS#8 Ed25519); throws if it is not such a key. */
export async function createAuditSigner(pkcs8Base64: string): Promise<AuditSigner> {
  const privateKey = await crypto.subtle.importKey("pkcs8", fromBase64(pkcs8Base64.trim()), ED25519, true, ["sign"]);
  const jwk = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (!jwk.x) throw new Error("AUDIT_SIGNING_KEY: the key does not carry its public half");
  const raw = fromBase64(jwk.x);
  return {
    keyId: await keyIdOf(raw),
    publicKey: toBase64(raw),
    async sign(message) {
      return toBase64(new Uint8Array(await crypto.subtle.sign(ED25519, privateKey, encoder.encode(message))));
    },
  };
}

/** One entry as its export line (canonical JSON, so the same entry always gives the same line). */
export function exportLine(entry: ChainedEntry): string {
  const line: ExportEntryLine = {
    seq: entry.seq,
    at: entry.at.toISOString(),
    actor: { type: entry.actorType, id: entry.actorId },
    action: entry.action,
    subject: entry.subject,
    data: JSON.parse(entry.data) as unknown,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
  return canonicalJson(line);
}

function signedPart(line: Omit<SignatureLine, "signature">): string {
  const { type, algorithm, keyId, publicKey, from, to, count, digest } = line;
  return canonicalJson({ type, algorithm, keyId, publicKey, from, to, count, digest });
}

/** The whole file for entry lines already made with exportLine. */
export async function signExport(lines: string[], range: { from: Date | null; to: Date | null }, signer: AuditSigner): Promise<{ body: string; signature: SignatureLine }> {
  const entries = lines.map((line) => line + "\n").join("");
  const unsigned = {
    type: "signature" as const,
    algorithm: "Ed25519" as const,
    keyId: signer.keyId,
    publicKey: signer.publicKey,
    from: range.from?.toISOString() ?? null,
    to: range.to?.toISOString() ?? null,
    count: lines.length,
    digest: await sha256Hex(entries),
  };
  const signature: SignatureLine = { ...unsigned, signature: await signer.sign(signedPart(unsigned)) };
  return { body: entries + JSON.stringify(signature) + "\n", signature };
}

export type ExportVerdict =
  | { ok: true; count: number; firstSeq: number | null; lastSeq: number | null; keyId: string }
  | { ok: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asEntryLine(value: unknown): ExportEntryLine | null {
  if (!isRecord(value) || !isRecord(value.actor)) return null;
  const { seq, at, actor, action, subject, prevHash, hash } = value;
  if (typeof seq !== "number" || !Number.isInteger(seq) || typeof at !== "string" || typeof action !== "string" || typeof subject !== "string") return null;
  if (typeof actor.type !== "string" || typeof actor.id !== "string" || typeof prevHash !== "string" || typeof hash !== "string") return null;
  if (!("data" in value) || Number.isNaN(Date.parse(at))) return null;
  return value as unknown as ExportEntryLine;
}

/**
 * Checks an export offline: each line parses, each entry's hash is its content's (recomputed as
 * audit.ts does), each links to the one before, seq runs without gaps, the digest matches the entry
 * lines, and the Ed25519 signature verifies with the file's public key (and equals `expectedPublicKey`
 * when one is given). Names the first problem.
 */
export async function verifyExport(text: string, expectedPublicKey?: string): Promise<ExportVerdict> {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return { ok: false, problem: "the file is empty" };
  const signatureText = lines.pop()!;
  let signature: unknown;
  try {
    signature = JSON.parse(signatureText);
  } catch {
    return { ok: false, problem: `line ${lines.length + 1}: the signature line is not JSON` };
  }
  if (!isRecord(signature) || signature.type !== "signature") return { ok: false, problem: `line ${lines.length + 1}: the last line is not the signature line (lines missing from the end?)` };

  let previous: ExportEntryLine | null = null;
  let first: number | null = null;
  for (const [index, text] of lines.entries()) {
    const where = `line ${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, problem: `${where}: not JSON` };
    }
    const entry = asEntryLine(parsed);
    if (!entry) return { ok: false, problem: `${where}: not an audit entry` };
    if (previous && entry.seq !== previous.seq + 1) {
      return { ok: false, problem: `${where} (seq ${entry.seq}): expected seq ${previous.seq + 1} (entries missing or reordered)` };
    }
    if (previous && entry.prevHash !== previous.hash) return { ok: false, problem: `${where} (seq ${entry.seq}): does not link to seq ${previous.seq} (prevHash differs)` };
    let data: string;
    try {
      data = canonicalJson(entry.data);
    } catch {
      return { ok: false, problem: `${where} (seq ${entry.seq}): data is not JSON` };
    }
    const recomputed = await entryHash({ seq: entry.seq, at: new Date(entry.at), actorType: entry.actor.type, actorId: entry.actor.id, action: entry.action, subject: entry.subject, data, prevHash: entry.prevHash });
    if (recomputed !== entry.hash) return { ok: false, problem: `${where} (seq ${entry.seq}): content altered (hash does not match)` };
    first ??= entry.seq;
    previous = entry;
  }

  const { algorithm, keyId, publicKey, from, to, count, digest } = signature;
  if (algorithm !== "Ed25519" || typeof keyId !== "string" || typeof publicKey !== "string" || typeof digest !== "string" || typeof signature.signature !== "string" || typeof count !== "number") {
    return { ok: false, problem: "signature line: fields missing or of the wrong kind" };
  }
  if ((from !== null && typeof from !== "string") || (to !== null && typeof to !== "string")) return { ok: false, problem: "signature line: from/to must be times or null" };
  if (count !== lines.length) return { ok: false, problem: `signature line: states ${count} entries, the file has ${lines.length}` };
  if ((await sha256Hex(lines.map((line) => line + "\n").join(""))) !== digest) return { ok: false, problem: "digest does not match the entry lines" };
  if (expectedPublicKey !== undefined && expectedPublicKey.trim() !== publicKey) return { ok: false, problem: `signed by key ${keyId}, not by the expected public key` };
  let valid = false;
  try {
    const raw = fromBase64(publicKey);
    if ((await keyIdOf(raw)) !== keyId) return { ok: false, problem: "signature line: keyId does not belong to publicKey" };
    const key = await crypto.subtle.importKey("raw", raw, ED25519, false, ["verify"]);
    valid = await crypto.subtle.verify(ED25519, key, fromBase64(signature.signature), encoder.encode(signedPart({ type: "signature", algorithm, keyId, publicKey, from, to, count, digest })));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, problem: "signature does not verify" };
  return { ok: true, count: lines.length, firstSeq: first, lastSeq: previous?.seq ?? null, keyId };
}
