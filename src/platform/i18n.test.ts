import { describe, expect, it } from "bun:test";
import { en } from "./i18n/en.ts";
import { zhCN } from "./i18n/zh-CN.ts";
import { negotiateLocale, translator } from "./i18n.ts";

describe("locale negotiation", () => {
  it("prefers the highest-weighted supported language", () => {
    expect(negotiateLocale("zh-CN,zh;q=0.9,en;q=0.8", "en")).toBe("zh-CN");
    expect(negotiateLocale("en-GB,en;q=0.9,zh;q=0.5", "zh-CN")).toBe("en");
    expect(negotiateLocale("fr;q=1,en;q=0.3", "zh-CN")).toBe("en");
    expect(negotiateLocale("zh;q=0.2,en;q=0.9", "zh-CN")).toBe("en");
  });

  it("falls back to the default for unsupported or missing headers", () => {
    expect(negotiateLocale("fr-FR,de;q=0.5", "zh-CN")).toBe("zh-CN");
    expect(negotiateLocale(undefined, "en")).toBe("en");
    expect(negotiateLocale("", "en")).toBe("en");
    expect(negotiateLocale("en;q=0", "zh-CN")).toBe("zh-CN");
  });
});

describe("translations", () => {
  it("fills parameters", () => {
    expect(translator("en")("product.stock", { count: 3 })).toBe("In stock: 3");
    expect(translator("zh-CN")("product.stock", { count: 3 })).toBe("库存 3 件");
  });

  it("uses the same parameters in both languages", () => {
    const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect([key, params(zhCN[key])]).toEqual([key, params(en[key])]);
  });
});
