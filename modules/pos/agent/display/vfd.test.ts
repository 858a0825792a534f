import { describe, expect, it } from "bun:test";
import iconv from "iconv-lite";
import { COLUMNS, displayLines, fit, vfdFrame } from "./vfd.ts";

const columns = (text: string) => [...text].reduce((n, ch) => n + (/[\u4e00-\u9fff\uff00-\uff60]/.test(ch) ? 2 : 1), 0);

describe("customer display lines", () => {
  it("fits Chinese and Latin text into 20 columns without splitting a wide character", () => {
    for (const text of ["西湖龙井 · 2026 明前特级", "Menghai ripe Pu'er tea cake, 357 g", "", "一二三四五六七八九十一"]) {
      const fitted = fit(text);
      expect(columns(fitted)).toBe(COLUMNS);
    }
    expect(fit("一二三四五六七八九十一")).toBe("一二三四五六七八九十");
  });

  it("shows the pinned product's live price and stock, or the flash-sale units left", () => {
    expect(displayLines({ mode: "live", title: "西湖龙井", titleEn: "Longjing", option: "罐装", priceFen: 16_800, currency: "CNY", stock: 120, saleLeft: null })[1].trimEnd()).toBe("¥168.00 库存120");
    expect(displayLines({ mode: "live", title: "西湖龙井", titleEn: "Longjing", option: "罐装", priceFen: 9_900, currency: "CNY", stock: 118, saleLeft: 3 })[1].trimEnd()).toBe("¥99.00 秒杀剩3");
    expect(displayLines({ mode: "last_sale", totalFen: 4_990, currency: "CNY", at: "2026-11-26T04:00:00Z" })[1].trim()).toBe("合计 ¥49.90");
  });

  it("sends ESC @, clear, then both lines in GB18030", () => {
    const frame = vfdFrame(["西湖龙井" + " ".repeat(12), "¥168.00" + " ".repeat(13)]);
    expect([...frame.slice(0, 5)]).toEqual([0x1b, 0x40, 0x1f, 0x01, 0x0c]);
    const text = iconv.decode(Buffer.from(frame.slice(5)), "gb18030");
    expect(text.startsWith("西湖龙井")).toBe(true);
    expect(text).toContain("\r\n¥168.00");
  });
});
