// Masking personal data for pages whose viewer's role may not see it in full: enough to recognise
// ("138****5678", "张**"), not enough to use. Values without letters or digits (the "—" an erasure
// leaves, an empty walk-in address) are shown as they are: there is nothing in them to hide.

const MASK = "****";

/** "138****5678"; "+86 138****5678" keeps the country code; short numbers keep only their last two digits. */
export function maskPhone(phone: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, "");
  if (digits === "") return trimmed;
  // +86 13800138000, 0086 13800138000 and 86 13800138000 are one mobile number of mainland China.
  const countryCode = /^(?:\+|00)?86(?=1\d{10}$)/.exec(trimmed.replace(/[\s-]/g, ""));
  const national = countryCode ? digits.slice(countryCode[0].replace("+", "").length) : digits;
  const lead = countryCode ? "+86 " : trimmed.startsWith("+") ? "+" : "";
  if (national.length >= 8) return `${lead}${national.slice(0, 3)}${MASK}${national.slice(-4)}`;
  if (national.length >= 5) return `${lead}${MASK}${national.slice(-2)}`;
  return `${lead}${MASK}`;
}

/** A shopper's display name in public lists (a room's purchase ticker, a group's members): its first character and a fixed "**", so the length is not told either. */
export function maskDisplayName(name: string): string {
  const first = [...name.trim()][0] ?? "?";
  return `${first}**`;
}

/** "张**" for 张三丰, "J*** D**" for John Doe: each word keeps its first letter. */
export function maskPersonName(name: string): string {
  const trimmed = name.trim();
  if (!/\p{L}/u.test(trimmed)) return trimmed;
  return trimmed
    .split(/\s+/u)
    .map((word) => {
      const [first = "", ...rest] = [...word];
      return first + "*".repeat(rest.length);
    })
    .join(" ");
}

/**
 * A street keeps a short prefix (a third of it, at most four characters: the road, rarely the
 * number) and a fixed mask, so the mask does not tell the length either.
 */
export function maskStreet(street: string): string {
  const trimmed = street.trim();
  if (!/[\p{L}\p{N}]/u.test(trimmed)) return trimmed;
  const characters = [...trimmed];
  const kept = Math.min(4, Math.floor(characters.length / 3));
  return characters.slice(0, kept).join("").trimEnd() + MASK;
}

export interface PostalAddress {
  recipient: string;
  phone: string;
  region: string;
  street: string;
}

/** A shipping address as staff see it: the region in full (where the parcel goes), the rest masked. */
export function maskPostalAddress(address: PostalAddress): PostalAddress {
  return { recipient: maskPersonName(address.recipient), phone: maskPhone(address.phone), region: address.region, street: maskStreet(address.street) };
}
