// The key risk rules count orders per shipping address by (orders.address_key): a keyed fingerprint
// of the normalised address, so equal addresses are found without opening a single seal.
import type { Sealer } from "../../src/platform/sealing.ts";
import type { Address } from "./order-records.ts";

/**
 * Region and street only: one street address is one address whatever recipient or phone is written
 * on the parcel (varying those is exactly how one buyer poses as many). NFKC folds full-width forms
 * (“龙井路１号”) into plain ones; case, whitespace, punctuation and symbols do not tell addresses apart.
 */
export function normalizedAddress(address: Pick<Address, "region" | "street">): string {
  const fold = (text: string) => text.normalize("NFKC").toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, "");
  return `${fold(address.region)}|${fold(address.street)}`;
}

export function addressKeyOf(sealer: Sealer, address: Pick<Address, "region" | "street">): Promise<string> {
  return sealer.fingerprint(normalizedAddress(address));
}
