// Personal data at rest (shipping addresses, later phone numbers and real names) is sealed with
// AES-256-GCM under a key derived from DATA_KEY. A sealed value reads "v1.<iv>.<ciphertext>"; the
// version names the key derivation, so keys can be rotated later without guessing.
import { fromBase64Url, toBase64Url } from "./crypto.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Sealer {
  seal(plaintext: string): Promise<string>;
  open(sealed: string): Promise<string>;
  /**
   * A keyed hash (HMAC-SHA-256, base64url) of a value, for finding equal personal data without
   * opening seals: the same address gives the same fingerprint under the same DATA_KEY.
   */
  fingerprint(value: string): Promise<string>;
}

export class SealBroken extends Error {}

export function createSealer(dataKey: string): Sealer {
  const key = (async () => {
    const material = await crypto.subtle.importKey("raw", encoder.encode(dataKey), "HKDF", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: encoder.encode("broadcart"), info: encoder.encode("personal-data v1") },
      material,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
  })();

  const fingerprintKey = (async () => {
    const material = await crypto.subtle.importKey("raw", encoder.encode(dataKey), "HKDF", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: encoder.encode("broadcart"), info: encoder.encode("fingerprint v1") },
      material,
      { name: "HMAC", hash: "SHA-256", length: 256 },
      false,
      ["sign"],
    );
  })();

  return {
    async fingerprint(value) {
      return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", await fingerprintKey, encoder.encode(value))));
    },
    async seal(plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await key, encoder.encode(plaintext));
      return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(ciphertext))}`;
    },
    async open(sealed) {
      const [version, iv, ciphertext] = sealed.split(".");
      if (version !== "v1" || !iv || !ciphertext) throw new SealBroken("not a sealed value");
      try {
        const plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64Url(iv) }, await key, fromBase64Url(ciphertext));
        return decoder.decode(plaintext);
      } catch {
        throw new SealBroken("sealed value does not open with this DATA_KEY");
      }
    },
  };
}
