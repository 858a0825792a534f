import { describe, expect, it } from "bun:test";
import { addMoney, formatMoney, money, multiplyMoney, parseMoney } from "./money.ts";

describe("money", () => {
  it("shows fen as yuan with two decimals", () => {
    expect(formatMoney(money(1290, "CNY"))).toBe("¥12.90");
    expect(formatMoney(money(5, "CNY"))).toBe("¥0.05");
    expect(formatMoney(money(0, "CNY"))).toBe("¥0.00");
    expect(formatMoney(money(-1999, "CNY"))).toBe("-¥19.99");
    expect(formatMoney(money(129_900_00, "CNY"))).toBe("¥129,900.00");
  });

  it("knows currencies without minor units", () => {
    expect(formatMoney(money(1200, "JPY"))).toBe("JP¥1,200");
  });

  it("parses decimal text without floating point error", () => {
    expect(parseMoney("12.9", "CNY").amount).toBe(1290);
    expect(parseMoney("0.29", "CNY").amount).toBe(29);
    expect(parseMoney("19.99", "CNY").amount).toBe(1999);
    expect(parseMoney(" 100 ", "CNY").amount).toBe(10000);
  });

  it("refuses amounts that are not whole minor units", () => {
    expect(() => parseMoney("1.005", "CNY")).toThrow();
    expect(() => parseMoney("1e3", "CNY")).toThrow();
    expect(() => parseMoney("", "CNY")).toThrow();
    expect(() => money(12.5, "CNY")).toThrow();
    expect(() => money(Number.MAX_SAFE_INTEGER + 2, "CNY")).toThrow();
  });

  it("refuses unknown currencies and mixing currencies", () => {
    expect(() => money(1, "XXX")).toThrow();
    expect(() => addMoney(money(1, "CNY"), money(1, "USD"))).toThrow();
  });

  it("adds and multiplies in minor units", () => {
    expect(addMoney(money(1290, "CNY"), money(10, "CNY")).amount).toBe(1300);
    expect(multiplyMoney(money(2990, "CNY"), 3).amount).toBe(8970);
    expect(() => multiplyMoney(money(2990, "CNY"), 1.5)).toThrow();
  });
});
