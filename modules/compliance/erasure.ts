// Shoppers' erasure requests: a shopper asks from their account page; officers see the queue with
// the date each must be answered by, and carry the erasure out. Each module erases or pseudonymises
// what it holds through its own service ("erasers" given by the composition); financial records
// (orders, payments, amounts) are kept as the E-commerce Law requires (art. 31: three years).
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { personalDataRequests } from "../../db/schema/compliance.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { DomainError, NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import type { Actor, AuditTrail } from "./audit.ts";

/** How long officers have to carry out an erasure request. */
export const ERASURE_DUE_DAYS = 15;

export interface Eraser {
  /** What it erases, for the audit entry ("account", "order addresses", "chat"…). */
  name: string;
  /** Erases or pseudonymises this user's personal data; returns how many records it changed. */
  erase(userId: string): Promise<number>;
}

export class ErasureAlreadyRequested extends DomainError {
  constructor() {
    super(409, "erasure_already_requested", "privacy.erasure.already");
  }
}

export function createErasure({ database, audit, clock, erasers }: { database: Database; audit: AuditTrail; clock: Clock; erasers: Eraser[] }) {
  const { db } = database;

  return {
    async request(userId: string): Promise<{ id: string; dueAt: Date }> {
      const now = clock.now();
      const id = newId("pdr", now.getTime());
      const dueAt = new Date(now.getTime() + ERASURE_DUE_DAYS * 86_400_000);
      await database.write(async (tx) => {
        const [open] = await tx.select({ id: personalDataRequests.id }).from(personalDataRequests).where(and(eq(personalDataRequests.userId, userId), eq(personalDataRequests.status, "open")));
        if (open) throw new ErasureAlreadyRequested();
        await tx.insert(personalDataRequests).values({ id, userId, kind: "erasure", status: "open", requestedAt: now, dueAt });
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "personal_data.erasure_requested", subject: `user:${userId}`, data: { requestId: id, dueAt: dueAt.toISOString() } });
      });
      return { id, dueAt };
    },

    async openRequestOf(userId: string) {
      const [row] = await db.select().from(personalDataRequests).where(and(eq(personalDataRequests.userId, userId), eq(personalDataRequests.status, "open")));
      return row ?? null;
    },

    /** Open requests, the soonest due first. */
    queue: () => db.select().from(personalDataRequests).where(eq(personalDataRequests.status, "open")).orderBy(asc(personalDataRequests.dueAt)),

    /** Carries out an open request through every module's eraser, then closes it; audited with the counts. */
    async carryOut(officer: Actor, requestId: string): Promise<Record<string, number>> {
      const [request] = await db.select().from(personalDataRequests).where(eq(personalDataRequests.id, requestId));
      if (!request) throw new NotFound("request_not_found");
      if (request.status !== "open") throw new DomainError(409, "request_closed", "privacy.erasure.closed");
      const counts: Record<string, number> = {};
      for (const eraser of erasers) counts[eraser.name] = await eraser.erase(request.userId);
      const now = clock.now();
      await database.write(async (tx) => {
        await tx.update(personalDataRequests).set({ status: "done", decidedBy: officer.id, decidedAt: now }).where(eq(personalDataRequests.id, requestId));
        await audit.record(tx, { actor: officer, action: "personal_data.erased", subject: `user:${request.userId}`, data: { requestId, counts } });
      });
      return counts;
    },
  };
}

export type Erasure = ReturnType<typeof createErasure>;
