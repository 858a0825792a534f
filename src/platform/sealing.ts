// Personal data at rest (shipping addresses, real names, ID numbers, till device secrets) is sealed
// with AES-256-GCM under a key derived from a data key. A sealed value reads
// "v2.<keyId>.<iv>.<ciphertext>": it names the key it was sealed under, so keys can be rotated (the
// new key seals, retired keys still open) and the rows still under an old key found and re-sealed.
// The key id is also the cipher's additional data, so changing it breaks the seal. Values sealed
// before key ids existed read "v1.<iv>.<ciphertext>" and are opened with any configured key.
import { fromBase64Url, toBase64Url } from "./crypto.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const DEFAULT_DATA_KEY_ID = "k1";
/** Key ids are short and safe inside a sealed value and inside a SQL LIKE pattern (no "." "%" "_"). */
export const DATA_KEY_ID_PATTERN = /^[a-z0-9-]{1,16}$/;

export interface DataKey {
  id: string;
  key: string;
}

export interface DataKeys {
  /** Seals every new value, and opens what it sealed. */
  current: DataKey;
  /** Former keys: they open what they sealed, and never seal again. */
  retired?: readonly DataKey[];
}

export interface Sealer {
  /** The id of the key new values are sealed under. */
  readonly currentKeyId: string;
  seal(plaintext: string): Promise<string>;
  /** Throws SealBroken for a value that was altered, is not a sealed value, or names a key not configured. */
  open(sealed: string): Promise<string>;
  /** The id of the key a value names; null for a legacy v1 value, which names none. Throws SealBroken for a value that is not sealed. */
  keyIdOf(sealed: string): string | null;
  /** Sealed under the current key (a legacy v1 value never is). */
  isCurrent(sealed: string): boolean;
  /** The value sealed under the current key: itself when it already is, else opened and sealed again. */
  reseal(sealed: string): Promise<string>;
  /**
   * A keyed hash (HMAC-SHA-256, base64url) of a value, for finding equal personal data without
   * opening seals: the same address gives the same fingerprint under the same current key.
   */
  fingerprint(value: string): Promise<string>;
}

export class SealBroken extends Error {}

/** The start of every value sealed under `keyId`, for finding in SQL the values a rotation still has to re-seal. */
export function sealedPrefix(keyId: string): string {
  return `v2.${keyId}.`;
}

type Parsed = { version: "v1"; iv: string; ciphertext: string } | { version: "v2"; keyId: string; iv: string; ciphertext: string };

function parse(sealed: string): Parsed {
  const parts = sealed.split(".");
  if (parts.length === 3 && parts[0] === "v1" && parts[1] && parts[2]) return { version: "v1", iv: parts[1], ciphertext: parts[2] };
  if (parts.length === 4 && parts[0] === "v2" && DATA_KEY_ID_PATTERN.test(parts[1]!) && parts[2] && parts[3]) return { version: "v2", keyId: parts[1]!, iv: parts[2], ciphertext: parts[3] };
  throw new SealBroken("not a sealed value");
}

type DeriveKey = SubtleCrypto["deriveKey"];

async function derive(dataKey: string, info: string, algorithm: Parameters<DeriveKey>[2], usages: Parameters<DeriveKey>[4]): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(dataKey), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: encoder.encode("broadcart"), info: encoder.encode(info) }, material, algorithm, false, usages);
}

const aesKey = (dataKey: string, info: string) => derive(dataKey, info, { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]);

/** What a v2 value's cipher authenticates besides its text: the version and the key id. */
const boundTo = (keyId: string) => encoder.encode(`v2.${keyId}`);

function checkedKeys(keys: string | DataKeys): DataKey[] {
  const { current, retired = [] } = typeof keys === "string" ? { current: { id: DEFAULT_DATA_KEY_ID, key: keys } } : keys;
  const all = [current, ...retired];
  for (const { id, key } of all) {
    if (!DATA_KEY_ID_PATTERN.test(id)) throw new RangeError(`data key id ${JSON.stringify(id)} must be 1–16 characters of a–z, 0–9 and -`);
    if (!key) throw new RangeError(`data key ${id} is empty`);
  }
  if (new Set(all.map((k) => k.id)).size !== all.length) throw new RangeError("data key ids must be distinct");
  return all;
}

/** A sealer under one data key (its id is DEFAULT_DATA_KEY_ID), or under a current key with retired ones. */
export function createSealer(keys: string | DataKeys): Sealer {
  const all = checkedKeys(keys);
  const current = all[0]!;
  // In order, current first: the order legacy values are tried in.
  const byId = new Map(all.map(({ id, key }) => [id, { v1: aesKey(key, "personal-data v1"), v2: aesKey(key, "personal-data v2") }]));
  const currentId = current.id;
  const fingerprintKey = derive(current.key, "fingerprint v1", { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign"]);

  async function decrypt(key: CryptoKey, iv: string, ciphertext: string, keyId: string | null): Promise<string> {
    const params = keyId === null ? { name: "AES-GCM", iv: fromBase64Url(iv) } : { name: "AES-GCM", iv: fromBase64Url(iv), additionalData: boundTo(keyId) };
    return decoder.decode(await crypto.subtle.decrypt(params, key, fromBase64Url(ciphertext)));
  }

  async function open(sealed: string): Promise<string> {
    const value = parse(sealed);
    if (value.version === "v2") {
      const keys = byId.get(value.keyId);
      if (!keys) throw new SealBroken(`sealed under data key "${value.keyId}", which is neither DATA_KEY_ID nor in DATA_KEYS_RETIRED`);
      try {
        return await decrypt(await keys.v2, value.iv, value.ciphertext, value.keyId);
      } catch {
        throw new SealBroken(`sealed value does not open with data key "${value.keyId}"`);
      }
    }
    // A legacy value names no key: the current one is the likeliest, then the retired ones in order.
    for (const keys of byId.values()) {
      try {
        return await decrypt(await keys.v1, value.iv, value.ciphertext, null);
      } catch {
        // the next key
      }
    }
    throw new SealBroken("legacy (v1) sealed value opens with none of the configured data keys");
  }

  async function seal(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: boundTo(currentId) }, await byId.get(currentId)!.v2, encoder.encode(plaintext));
    return `${sealedPrefix(currentId)}${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
  }

  const keyIdOf = (sealed: string) => {
    const value = parse(sealed);
    return value.version === "v2" ? value.keyId : null;
  };
  const isCurrent = (sealed: string) => {
    try {
      return keyIdOf(sealed) === currentId;
    } catch {
      return false;
    }
  };

  return {
    currentKeyId: currentId,
    seal,
    open,
    keyIdOf,
    isCurrent,
    async reseal(sealed) {
      return isCurrent(sealed) ? sealed : seal(await open(sealed));
    },
    async fingerprint(value) {
      return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", await fingerprintKey, encoder.encode(value))));
    },
  };
}
