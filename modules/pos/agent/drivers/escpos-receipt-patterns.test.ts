import { describe, expect, test } from "bun:test";
import { parseFen, parseQuantity, readReceipt, receiptPatterns } from "./escpos-receipt-patterns.ts";

const seen = new Date("2024-06-01T00:00:00Z");

describe("receipt patterns", () => {
  test("parseFen without floats", () => {
    expect(parseFen("12.5")).toBe(1250);
    expect(parseFen("0.07")).toBe(7);
    expect(parseFen("-3.50")).toBe(-350);
    expect(parseFen("1,234.56")).toBe(123456);
    expect(parseFen("¥7")).toBe(700);
    expect(parseFen("19.99")).toBe(1999);
    expect(parseFen("1.234")).toBeNull();
    expect(parseFen("abc")).toBeNull();
    expect(parseQuantity("2.000")).toBe(2);
    expect(parseQuantity("0.512")).toBeNull();
  });

  test("a sale with the default patterns", () => {
    const lines = ["博卡便利店", "小票号：A-1001", "2024/05/01 09:30", "6901234567890 可口可乐 2 x 3.50 7.00", "A1001 1×12.00", "总计 ¥19.00", "微信支付 19.00", "如需退货请保留小票"];
    const read = readReceipt(lines, receiptPatterns(), seen);
    expect(read).toEqual({
      ok: true,
      transaction: {
        kind: "sale",
        receiptNo: "A-1001",
        at: "2024-05-01T01:30:00.000Z",
        lines: [
          { code: "6901234567890", quantity: 2, unitPriceFen: 350 },
          { code: "A1001", quantity: 1, unitPriceFen: 1200 },
        ],
        totalFen: 1900,
        currency: "CNY",
        payment: "wechat",
      },
    });
  });

  test("a refund: amounts positive, original receipt number not taken", () => {
    const lines = ["退货单号: R77", "原单号: S100", "6901234567890 -1 x 3.50 -3.50", "退款合计: -3.50", "退款方式: 现金"];
    const read = readReceipt(lines, receiptPatterns(), seen);
    expect(read.ok && read.transaction).toMatchObject({ kind: "refund", receiptNo: "R77", totalFen: 350, payment: "cash", at: seen.toISOString(), lines: [{ code: "6901234567890", quantity: 1, unitPriceFen: 350 }] });
  });

  test("unreadable receipts say why; patterns are configurable from strings", () => {
    expect(readReceipt(["hello", "no total here"], receiptPatterns(), seen)).toEqual({ ok: false, reason: "no receipt number" });
    expect(readReceipt(["Receipt No: X9", "Q100 1 x 1.00", "TOTAL 1.00"], receiptPatterns(), seen).ok).toBe(true);
    expect(readReceipt(["单号 1", "合计 1.00"], receiptPatterns(), seen)).toEqual({ ok: false, reason: "no item lines" });
    expect(readReceipt(["单号 1", "P001 0.512 x 39.80 20.38", "合计 20.38"], receiptPatterns(), seen).ok).toBe(false);
    const custom = receiptPatterns({ receiptNo: ["^Ticket#(?<no>\\d+)"], item: ["^(?<code>\\w+);(?<qty>\\d+);(?<price>[\\d.]+)$"], total: ["^SUM (?<amount>[\\d.]+)"], currency: "USD" });
    const read = readReceipt(["Ticket#42", "SKU1;3;1.10", "SUM 3.30"], custom, seen);
    expect(read.ok && read.transaction).toMatchObject({ receiptNo: "42", totalFen: 330, currency: "USD", lines: [{ code: "SKU1", quantity: 3, unitPriceFen: 110 }] });
  });
});
