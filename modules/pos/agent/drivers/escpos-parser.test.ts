import { describe, expect, test } from "bun:test";
import { encodeGb18030, fixtureReceipt, rasterLogo, receiptBytes } from "./escpos-fixtures.ts";
import { commandLength, EscposParser, type EscposReceipt } from "./escpos-parser.ts";

function parse(bytes: Uint8Array, chunk = bytes.length, encoding: "gb18030" | "utf-8" = "gb18030"): EscposReceipt[] {
  const receipts: EscposReceipt[] = [];
  const parser = new EscposParser((r) => receipts.push(r), { encoding });
  for (let i = 0; i < bytes.length; i += chunk) parser.push(bytes.subarray(i, i + chunk));
  return receipts;
}

const cat = (...parts: (number[] | Uint8Array)[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const ascii = (s: string) => new TextEncoder().encode(s);

describe("EscposParser", () => {
  test("command lengths of the common Epson set", () => {
    expect(commandLength([0x1b, 0x40])).toBe(2);
    expect(commandLength([0x1b, 0x21])).toBe(3);
    expect(commandLength([0x1d, 0x56])).toBeNull();
    expect(commandLength([0x1d, 0x56, 0x00])).toBe(3);
    expect(commandLength([0x1d, 0x56, 0x42])).toBe(4);
    expect(commandLength([0x1d, 0x76, 0x30, 0x00, 2, 0, 3, 0])).toBe(8 + 6);
    expect(commandLength([0x1b, 0x2a, 33, 10, 0])).toBe(5 + 30);
    expect(commandLength([0x1b, 0x2a, 0, 10, 0])).toBe(5 + 10);
    expect(commandLength([0x1d, 0x6b, 73, 5])).toBe(9);
    expect(commandLength([0x1d, 0x6b, 4])).toEqual({ untilNul: 3, max: 256 });
    expect(commandLength([0x1d, 0x28, 0x6b, 4, 1])).toBe(5 + 260);
    expect(commandLength([0x1d, 0x38, 0x4c, 1, 0, 1, 0])).toBe(7 + 65537);
    expect(commandLength([0x1c, 0x26])).toBe(2);
    expect(commandLength([0x1c, 0x2e])).toBe(2);
    expect(commandLength([0x10, 0x04, 1])).toBe(3);
    expect(commandLength([0x1b, 0x1d])).toBe(1);
  });

  test("a fixture receipt: text lines in GB18030, commands and the raster logo skipped, cut ends it, any chunking", () => {
    const bytes = receiptBytes(fixtureReceipt(9));
    for (const chunk of [bytes.length, 1, 3, 17]) {
      const receipts = parse(bytes, chunk);
      expect(receipts.length).toBe(1);
      const r = receipts[0]!;
      expect(r.end).toBe("GS V");
      expect(r.lines[0]).toBe("博卡便利店");
      expect(r.lines).toContain("*** 退货 ***");
      expect(r.lines).toContain("单号: S20240009");
      expect(r.text).not.toContain("B"); // neither logo bytes nor barcode data
      expect(r.text).not.toContain("https");
    }
  });

  test("GS V inside raster data does not cut; two receipts; empty cuts emit nothing", () => {
    const one = cat(ascii("A\n"), rasterLogo(), ascii("B\n"), [0x1d, 0x56, 0x00]);
    const receipts = parse(cat(one, [0x1d, 0x56, 0x01], one));
    expect(receipts.map((r) => r.lines)).toEqual([["A", "B"], ["A", "B"]]);
  });

  test("UTF-8 text, line with no LF before the cut, ESC d ends a line, tabs", () => {
    const bytes = cat([0x1b, 0x40], ascii("合计\t12.00"), [0x1b, 0x64, 2], ascii("尾行"), [0x1d, 0x56, 0x41, 0x03]);
    expect(parse(bytes, 1, "utf-8")[0]!.lines).toEqual(["合计 12.00", "尾行"]);
  });

  test("unknown sequences do not corrupt text; ESC D tab list and GS k until NUL are skipped", () => {
    const bytes = cat(ascii("x"), [0x1b, 0x7e], ascii("yz\n"), [0x1b, 0x44, 8, 16, 0], ascii("t\n"), [0x1d, 0x6b, 4, 0x31, 0x32, 0x00], ascii("u\n"), [0x1d, 0x56, 0x30]);
    const receipts: EscposReceipt[] = [];
    const parser = new EscposParser((r) => receipts.push(r));
    parser.push(bytes);
    expect(receipts[0]!.lines).toEqual(["xyz", "t", "u"]);
    expect(parser.stats.unknownCommands).toBe(1);
  });

  test("GB18030 characters split across chunks, and a four-byte sequence", () => {
    const gb = encodeGb18030("单号中文");
    const four = [0x81, 0x30, 0x81, 0x30]; // U+0080
    const bytes = cat(gb, four, ascii("\n"), [0x1d, 0x56, 0x00]);
    expect(parse(bytes, 1)[0]!.lines).toEqual([`单号中文${new TextDecoder("gb18030").decode(Uint8Array.from(four))}`]);
  });

  test("flush() ends a receipt without a cut", () => {
    const receipts: EscposReceipt[] = [];
    const parser = new EscposParser((r) => receipts.push(r));
    parser.push(ascii("only\n"));
    expect(parser.pending).toBe(true);
    parser.flush();
    expect(receipts).toEqual([{ lines: ["only"], text: "only", end: "flush" }]);
  });
});
