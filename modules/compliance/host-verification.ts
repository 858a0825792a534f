// Hosts' real-name verification: a host submits their legal name (sealed at rest), an officer
// approves or rejects it, and only an approved host may go live. Owns the host_verifications table
// of db/schema/compliance.ts. Every change is audited in the same transaction; the name never
// enters the audit trail.
import { and, eq, gt, isNull, notLike, or, type AnyColumn } from "drizzle-orm";
import type { Database, Queryable } from "../../db/database.ts";
import { hostVerifications } from "../../db/schema/compliance.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { BadRequest, DomainError, Forbidden, NotFound } from "../../src/platform/errors.ts";
import { resealRows, resealValues } from "../../src/platform/resealing.ts";
import { sealedPrefix, type Sealer } from "../../src/platform/sealing.ts";
import type { Actor, AuditTrail } from "./audit.ts";
import type { ImageStore } from "../orders/index.ts";

export type VerificationStatus = "none" | "pending" | "approved" | "rejected";
export type ReviewDecision = "approved" | "rejected";

/** Thrown by the live module when a host whose real name is not approved tries to go live. */
export class HostNotVerified extends DomainError {
  constructor() {
    // Switch to "live.error.host_not_verified" once live.en.ts and live.zh-CN.ts carry it.
    super(403, "host_not_verified", "live.error.host_not_verified");
  }
}

/** The verification is not in a state that allows this step (reviewed twice, resubmitted once approved). */
export class VerificationConflict extends DomainError {
  constructor(code = "host_verification_conflict") {
    super(409, code, "error.bad_request");
  }
}

export const REAL_NAME_MAX_LENGTH = 100;
export const REVIEW_NOTE_MAX_LENGTH = 500;

export interface HostVerification {
  /** The host submits (or, after a rejection, resubmits) their legal name; the verification is then pending. */
  /** The ID number (checked: 18-digit resident ID with its check digit) and a picture of the document are optional for tests and the seed; the host page asks for both. */
  submit(userId: string, realName: string, idNumber?: string, document?: { bytes: Uint8Array; contentType: string; extension: string }): Promise<void>;
  /** Verifications waiting for an officer, oldest first. */
  pending(): Promise<{ userId: string; submittedAt: Date; hasDocument: boolean; idNumberMasked: string | null }[]>;
  /** Opens the sealed name and ID number for an officer, with the reason they gave; audited. */
  reveal(officer: Actor, userId: string, reason: string): Promise<{ realName: string | null; idNumber: string | null }>;
  /** Erasure: drops the sealed name and ID number and deletes the document picture. */
  erase(userId: string): Promise<number>;
  /** After a data key rotation: re-seals names and ID numbers not under the current key; returns how many verifications changed. */
  reseal(): Promise<number>;
  /** The ID document picture, for officers. */
  document(userId: string): Promise<{ bytes: Uint8Array; contentType: string } | null>;
  /** An officer decides a pending verification. A rejection needs a note telling the host why. */
  review(officer: Actor, userId: string, decision: ReviewDecision, note: string): Promise<void>;
  status(userId: string, q?: Queryable): Promise<VerificationStatus>;
  isApproved(userId: string, q?: Queryable): Promise<boolean>;
  /** Throws HostNotVerified unless the host is approved; `q` lets a caller check inside its own transaction. */
  assertApproved(userId: string, q?: Queryable): Promise<void>;
  /** Opens the sealed legal name for an officer, and audits that it was read. Null when none was submitted. */
  revealRealName(officer: Actor, userId: string): Promise<string | null>;
  /** The demo seed approves its hosts without a submission; audited like a review. System actors only. */
  approveForSeed(actor: Actor, userId: string): Promise<void>;
}

interface Deps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  sealer: Sealer;
  /** Where ID document pictures are kept (the same image store as product photos, private keys "hvd_…"). */
  images?: ImageStore;
}

/** An 18-digit PRC resident ID number with a valid check digit (GB 11643). */
export function isResidentIdNumber(text: string): boolean {
  const id = text.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((total, weight, i) => total + weight * Number(id[i]), 0);
  return "10X98765432"[sum % 11] === id[17];
}

/** "110101********1234": enough to recognise, not enough to use. */
export function maskIdNumber(id: string): string {
  return id.length > 10 ? `${id.slice(0, 6)}${"*".repeat(id.length - 10)}${id.slice(-4)}` : "*".repeat(id.length);
}

const subject = (userId: string) => `user:${userId}`;

function cleanRealName(realName: string): string {
  const name = realName.normalize("NFC").replace(/\s+/gu, " ").trim();
  if (!/\p{L}/u.test(name) || [...name].length > REAL_NAME_MAX_LENGTH) throw new BadRequest("real_name_invalid");
  return name;
}

function cleanNote(note: string, decision: ReviewDecision): string | null {
  const cleaned = note.trim();
  if ([...cleaned].length > REVIEW_NOTE_MAX_LENGTH) throw new BadRequest("review_note_too_long");
  if (decision === "rejected" && cleaned === "") throw new BadRequest("review_note_required");
  return cleaned === "" ? null : cleaned;
}

export function createHostVerification({ database, audit, clock, sealer, images }: Deps): HostVerification {
  const { db } = database;

  async function status(userId: string, q: Queryable = db): Promise<VerificationStatus> {
    const [row] = await q.select({ status: hostVerifications.status }).from(hostVerifications).where(eq(hostVerifications.userId, userId));
    return row?.status ?? "none";
  }

  return {
    async submit(userId, realName, idNumber, document) {
      const sealed = await sealer.seal(cleanRealName(realName));
      if (idNumber !== undefined && !isResidentIdNumber(idNumber)) throw new BadRequest("id_number_invalid");
      const idSealed = idNumber === undefined ? null : await sealer.seal(idNumber.trim().toUpperCase());
      let documentKey: string | null = null;
      if (document) {
        if (!images) throw new BadRequest("documents_unavailable");
        documentKey = `hvd_${crypto.randomUUID().replaceAll("-", "")}.${document.extension}`;
        await images.put(documentKey, document.bytes, document.contentType);
      }
      await database.write(async (tx) => {
        const previous = await status(userId, tx);
        if (previous === "approved") throw new VerificationConflict("host_already_verified");
        const now = clock.now();
        await tx
          .insert(hostVerifications)
          .values({ userId, status: "pending", realNameSealed: sealed, idNumberSealed: idSealed, documentKey, createdAt: now })
          .onConflictDoUpdate({
            target: hostVerifications.userId,
            set: { status: "pending", realNameSealed: sealed, idNumberSealed: idSealed, documentKey, reviewedBy: null, reviewedAt: null, note: null },
          });
        await audit.record(tx, { actor: { type: "user", id: userId }, action: "host_verification.submitted", subject: subject(userId), data: { previous } });
      });
    },

    async review(officer, userId, decision, note) {
      const cleaned = cleanNote(note, decision);
      // Separation of duties: nobody decides their own verification.
      if (officer.id === userId) throw new Forbidden();
      await database.write(async (tx) => {
        const now = clock.now();
        const decided = await tx
          .update(hostVerifications)
          .set({ status: decision, reviewedBy: officer.id, reviewedAt: now, note: cleaned })
          .where(and(eq(hostVerifications.userId, userId), eq(hostVerifications.status, "pending")));
        if (decided.rowsAffected !== 1) {
          if ((await status(userId, tx)) === "none") throw new NotFound("host_verification_not_found");
          throw new VerificationConflict("host_verification_not_pending");
        }
        await audit.record(tx, { actor: officer, action: `host_verification.${decision}`, subject: subject(userId), data: { note: cleaned } });
      });
    },

    status,

    async isApproved(userId, q) {
      return (await status(userId, q)) === "approved";
    },

    async assertApproved(userId, q) {
      if ((await status(userId, q)) !== "approved") throw new HostNotVerified();
    },

    async revealRealName(officer, userId) {
      return database.write(async (tx) => {
        const [row] = await tx.select({ sealed: hostVerifications.realNameSealed }).from(hostVerifications).where(eq(hostVerifications.userId, userId));
        if (!row) throw new NotFound("host_verification_not_found");
        if (row.sealed === null) return null;
        const name = await sealer.open(row.sealed);
        await audit.record(tx, { actor: officer, action: "host_verification.real_name_revealed", subject: subject(userId) });
        return name;
      });
    },

    async pending() {
      const rows = await db.select().from(hostVerifications).where(eq(hostVerifications.status, "pending")).orderBy(hostVerifications.createdAt);
      return Promise.all(
        rows.map(async (row) => ({
          userId: row.userId,
          submittedAt: row.createdAt,
          hasDocument: row.documentKey !== null,
          idNumberMasked: row.idNumberSealed ? maskIdNumber(await sealer.open(row.idNumberSealed)) : null,
        })),
      );
    },

    async reveal(officer, userId, reason) {
      const why = reason.trim();
      if (why.length < 4 || [...why].length > 200) throw new BadRequest("reveal_reason_required");
      return database.write(async (tx) => {
        const [row] = await tx.select().from(hostVerifications).where(eq(hostVerifications.userId, userId));
        if (!row) throw new NotFound("host_verification_not_found");
        const realName = row.realNameSealed ? await sealer.open(row.realNameSealed) : null;
        const idNumber = row.idNumberSealed ? await sealer.open(row.idNumberSealed) : null;
        await audit.record(tx, { actor: officer, action: "host_verification.revealed", subject: subject(userId), data: { reason: why, fields: ["real_name", "id_number"] } });
        return { realName, idNumber };
      });
    },

    async erase(userId) {
      const [row] = await db.select({ key: hostVerifications.documentKey }).from(hostVerifications).where(eq(hostVerifications.userId, userId));
      if (!row) return 0;
      if (row.key && images) await images.delete(row.key);
      await database.write(async (tx) => {
        await tx.update(hostVerifications).set({ realNameSealed: null, idNumberSealed: null, documentKey: null }).where(eq(hostVerifications.userId, userId));
      });
      return 1;
    },

    reseal() {
      const { realNameSealed: name, idNumberSealed: idNumber } = hostVerifications;
      const sameAs = (column: AnyColumn, value: string | null) => (value === null ? isNull(column) : eq(column, value));
      return resealRows(database, {
        stale(after, limit) {
          const current = `${sealedPrefix(sealer.currentKeyId)}%`;
          return db
            .select({ key: hostVerifications.userId, name, idNumber })
            .from(hostVerifications)
            .where(and(gt(hostVerifications.userId, after), or(notLike(name, current), notLike(idNumber, current))))
            .orderBy(hostVerifications.userId)
            .limit(limit);
        },
        reseal: ({ name, idNumber }) => resealValues(sealer, { name, idNumber }),
        async write(tx, row, update) {
          const changed = await tx
            .update(hostVerifications)
            .set({ realNameSealed: update.name, idNumberSealed: update.idNumber })
            .where(and(eq(hostVerifications.userId, row.key), sameAs(name, row.name), sameAs(idNumber, row.idNumber)));
          return changed.rowsAffected === 1;
        },
      });
    },

    async document(userId) {
      const [row] = await db.select({ key: hostVerifications.documentKey }).from(hostVerifications).where(eq(hostVerifications.userId, userId));
      if (!row?.key || !images) return null;
      return images.get(row.key);
    },

    async approveForSeed(actor, userId) {
      if (actor.type !== "system") throw new Forbidden();
      await database.write(async (tx) => {
        const previous = await status(userId, tx);
        if (previous === "approved") return;
        const now = clock.now();
        const decided = { status: "approved" as const, reviewedBy: actor.id, reviewedAt: now, note: null };
        await tx
          .insert(hostVerifications)
          .values({ userId, realNameSealed: null, createdAt: now, ...decided })
          .onConflictDoUpdate({ target: hostVerifications.userId, set: decided });
        await audit.record(tx, { actor, action: "host_verification.approved", subject: subject(userId), data: { note: null, previous, seeded: true } });
      });
    },
  };
}
