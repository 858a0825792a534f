import { describe, expect, it } from "bun:test";
import { isMemberCode, luhnCheckDigit, newMemberCode, normalizeMemberCode } from "./member-codes.ts";

describe("member codes", () => {
  it("computes the Luhn check digit", () => {
    expect(luhnCheckDigit("7992739871")).toBe(3); // the textbook example 79927398713
    expect(luhnCheckDigit("000000000")).toBe(0);
  });

  it("draws codes of M and ten digits that pass their own check", () => {
    for (let i = 0; i < 50; i += 1) {
      const code = newMemberCode();
      expect(code).toMatch(/^M\d{10}$/);
      expect(isMemberCode(code)).toBe(true);
    }
  });

  it("refuses a code with one digit mistyped or two neighbours swapped", () => {
    const code = "M1234567897";
    expect(isMemberCode(code)).toBe(true);
    expect(isMemberCode("M1234567807")).toBe(false);
    expect(isMemberCode("M2134567897")).toBe(false);
    expect(isMemberCode("M123456789")).toBe(false);
    expect(isMemberCode("X1234567897")).toBe(false);
  });

  it("reads a code as a till may print it", () => {
    expect(normalizeMemberCode(" m123 456-7897 ")).toBe("M1234567897");
  });
});
