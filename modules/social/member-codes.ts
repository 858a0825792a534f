// Membership codes (db/schema/social.ts member_codes): one stable code per shopper, shown on the member
// page and scanned or typed at the till, so a store sale relayed by the POS agent earns the shopper's
// points. "M" and ten digits, the last a Luhn check digit: a mistyped digit at the till finds nobody
// instead of somebody else.
import { eq } from "drizzle-orm";
import type { Database, Queryable } from "../../db/database.ts";
import { memberCodes } from "../../db/schema/social.ts";
import type { AuditTrail } from "../compliance/index.ts";
import type { Clock } from "../../src/platform/clock.ts";

const RANDOM_DIGITS = 9;

/** The Luhn check digit of a string of digits. */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    // Doubling starts from the rightmost payload digit (the check digit will sit to its right).
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** A till may print the code in lower case or with spaces and dashes: "m 1234-567 8901" is "M12345678901". */
export function normalizeMemberCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, "");
}

export function isMemberCode(code: string): boolean {
  const match = /^M(\d{10})$/.exec(code);
  return !!match && luhnCheckDigit(match[1]!.slice(0, -1)) === Number(match[1]!.slice(-1));
}

export function newMemberCode(): string {
  const payload = Array.from(crypto.getRandomValues(new Uint8Array(RANDOM_DIGITS)), (byte) => byte % 10).join("");
  return `M${payload}${luhnCheckDigit(payload)}`;
}

export function createMemberCodes({ database, audit, clock }: { database: Database; audit: AuditTrail; clock: Clock }) {
  const { db } = database;

  async function existing(q: Queryable, userId: string): Promise<string | null> {
    const [row] = await q.select({ code: memberCodes.code }).from(memberCodes).where(eq(memberCodes.userId, userId));
    return row?.code ?? null;
  }

  return {
    /** The shopper's code, issued (and audited) the first time it is asked for. */
    async codeOf(userId: string): Promise<string> {
      const known = await existing(db, userId);
      if (known) return known;
      return database.write(async (tx) => {
        // A code another shopper already holds (1 in a billion) makes the insert a no-op: draw again.
        for (let attempt = 0; attempt < 5; attempt += 1) {
          const earlier = await existing(tx, userId);
          if (earlier) return earlier;
          const code = newMemberCode();
          const inserted = await tx.insert(memberCodes).values({ userId, code, createdAt: clock.now() }).onConflictDoNothing();
          if (inserted.rowsAffected === 1) {
            await audit.record(tx, { actor: { type: "user", id: userId }, action: "membership.code_issued", subject: `user:${userId}`, data: {} });
            return code;
          }
        }
        throw new Error("could not draw a free member code");
      });
    },

    /**
     * Erasure: the code stops naming anyone (a till scanning it later earns nothing); the points
     * ledger stays, a financial record holding only the user id.
     */
    async erase(userId: string): Promise<number> {
      return database.write(async (tx) => (await tx.delete(memberCodes).where(eq(memberCodes.userId, userId))).rowsAffected);
    },

    /** Whose code this is (as the till sent it), or null for a malformed or unknown code. */
    async ownerOf(q: Queryable, text: string): Promise<string | null> {
      const code = normalizeMemberCode(text);
      if (!isMemberCode(code)) return null;
      const [row] = await q.select({ userId: memberCodes.userId }).from(memberCodes).where(eq(memberCodes.code, code));
      return row?.userId ?? null;
    },
  };
}

export type MemberCodes = ReturnType<typeof createMemberCodes>;
