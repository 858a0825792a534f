// Which image a file really is, from its first bytes: a declared Content-Type is only a claim.
export const acceptedImageTypes = ["image/jpeg", "image/png", "image/webp"] as const;
export type ImageType = (typeof acceptedImageTypes)[number];

export const imageExtensions: Record<ImageType, string> = { "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp" };

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const RIFF = [0x52, 0x49, 0x46, 0x46]; // "RIFF"
const WEBP = [0x57, 0x45, 0x42, 0x50]; // "WEBP" at offset 8

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
}

/** The image type the bytes are, or null when they are none of JPEG, PNG or WebP. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, PNG) && bytes.length >= 33) return "image/png"; // signature + IHDR chunk
  if (startsWith(bytes, JPEG) && bytes.length >= 4) return "image/jpeg";
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8) && bytes.length >= 16) return "image/webp";
  return null;
}
