import { describe, expect, it } from "bun:test";
import { sniffImageType } from "./sniff.ts";

const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));
const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const webp = new TextEncoder().encode("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00");

describe("image sniffing", () => {
  it("knows PNG, JPEG and WebP by their first bytes", () => {
    expect(sniffImageType(png)).toBe("image/png");
    expect(sniffImageType(jpeg)).toBe("image/jpeg");
    expect(sniffImageType(webp)).toBe("image/webp");
  });

  it("refuses what only claims to be an image: markup, SVG, a bare signature, other RIFF files", () => {
    const text = (s: string) => new TextEncoder().encode(s);
    expect(sniffImageType(text("<html><script>alert(1)</script></html>"))).toBeNull();
    expect(sniffImageType(text('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(png.slice(0, 8))).toBeNull();
    expect(sniffImageType(text("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00"))).toBeNull();
    expect(sniffImageType(new Uint8Array())).toBeNull();
  });
});
