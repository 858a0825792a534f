// The wire between the agent beside the till and the server: pairing, signed ingest batches, and
// acknowledgements by (device, sequence). Shared by modules/pos (server) and modules/pos/agent.
// Runtime-neutral (WebCrypto only).

/** A store transaction as a driver parsed it from the till. Money in minor units (fen). */
export interface StoreTransaction {
  /** Per device, strictly increasing, assigned by the agent's outbox before the till is acknowledged. */
  sequence: number;
  kind: "sale" | "refund";
  /** The till's receipt number, as printed. */
  receiptNo: string;
  /** When the till printed it (ISO 8601, UTC). */
  at: string;
  lines: { code: string; quantity: number; unitPriceFen: number }[];
  totalFen: number;
  currency: string;
  payment: string | null;
  /** The shopper's membership code the till scanned or typed, if any: the sale earns their points. */
  memberCode?: string | null;
}

export interface IngestBatch {
  deviceId: string;
  transactions: StoreTransaction[];
}

export interface IngestAnswer {
  /** Sequences the server has stored (now or before): the agent deletes them from its outbox. */
  acknowledged: number[];
  /**
   * Sequences the server already holds with a different receipt (an agent whose outbox was lost or
   * rebuilt starts counting again): not stored, not acknowledged. The agent renumbers them after
   * `lastSequence` and sends them again, so a sale is never taken for one already counted.
   */
  conflicts?: number[];
  /** The highest sequence the server holds for this device. */
  lastSequence?: number;
}

/** Two transactions under one (device, sequence) are the same sale only if their receipts match. */
export function sameReceipt(a: Pick<StoreTransaction, "kind" | "receiptNo" | "totalFen">, b: Pick<StoreTransaction, "kind" | "receiptNo" | "totalFen">): boolean {
  return a.kind === b.kind && a.receiptNo === b.receiptNo && a.totalFen === b.totalFen;
}

export interface PairRequest {
  code: string;
  name?: string;
}

export interface PairAnswer {
  deviceId: string;
  /** The device's HMAC key, base64url; shown once, kept by the agent in a file only its user can read. */
  secret: string;
  storeId: string;
}

export const SIGNATURE_HEADERS = {
  device: "x-broadcart-device",
  timestamp: "x-broadcart-timestamp",
  nonce: "x-broadcart-nonce",
  signature: "x-broadcart-signature",
} as const;

/** Requests whose timestamp is further than this from the server's clock are refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const encoder = new TextEncoder();

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function sha256Base64Url(body: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(body))));
}

/**
 * The string a device signs: method, path, timestamp (ms since epoch), nonce and the body's SHA-256,
 * one per line. The signature is HMAC-SHA256 under the device secret, base64url.
 */
export async function signingString(method: string, path: string, timestamp: string, nonce: string, body: string): Promise<string> {
  return [method.toUpperCase(), path, timestamp, nonce, await sha256Base64Url(body)].join("\n");
}

export async function sign(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text))));
}

/** The headers for a signed request from a device. */
export async function signedHeaders(deviceId: string, secret: string, method: string, path: string, body: string, now = Date.now()): Promise<Record<string, string>> {
  const timestamp = String(now);
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const signature = await sign(secret, await signingString(method, path, timestamp, nonce, body));
  return {
    [SIGNATURE_HEADERS.device]: deviceId,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature,
  };
}
