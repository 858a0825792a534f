// Content moderation: the effective term list (the built-in list of terms.ts plus the terms officers
// add in compliance_terms), checks of chat, product copy and show titles against it, and the
// officers' review queue of flagged content (dismiss, remove the content, warn the host).
//
// The list is cached per instance: rebuilt at once after an officer's change on this instance, and
// reloaded in the background when older than REFRESH_MS so other instances pick changes up too.
// check() is synchronous (chat calls it on every message); until the first load it uses the
// built-in list only.
//
// Compliance writes only its own tables. Removing content belongs to the module that owns it: the
// composition (src/services.ts) gives a remover per kind, e.g. unpublishing a product through the
// catalog service. A kind without a remover has the decision recorded only. Warning reaches the
// content's author through the notice the composition gives (the accounts inbox).
import { and, desc, eq } from "drizzle-orm";
import type { Database, Tx } from "../../db/database.ts";
import { complianceTerms, moderationFlags } from "../../db/schema/compliance.ts";
import type { Clock } from "../../src/platform/clock.ts";
import { BadRequest, NotFound } from "../../src/platform/errors.ts";
import { newId } from "../../src/platform/ids.ts";
import type { Logger } from "../../src/platform/logging.ts";
import type { Actor, AuditTrail } from "./audit.ts";
import { createTermList, normaliseTerm, type BannedTermMatch, type TermCategory, type TermList } from "./terms.ts";

export type ModerationKind = "product" | "live_title" | "chat";
export type FlagStatus = "open" | "dismissed" | "removed" | "warned";
export type ModerationDecision = Exclude<FlagStatus, "open">;
export type OfficerTermKind = "banned" | "allowed";

export const MODERATION_DECISIONS: readonly ModerationDecision[] = ["dismissed", "removed", "warned"];
export const TERM_CATEGORIES: readonly TermCategory[] = ["absolute", "medical", "guarantee"];

export interface ModerationFlag {
  id: string;
  kind: ModerationKind;
  subjectId: string;
  storeId: string | null;
  /** Who wrote the content (the one a warning reaches); null for content a system or device wrote. */
  authorId: string | null;
  field: string;
  text: string;
  terms: BannedTermMatch[];
  status: FlagStatus;
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
}

export interface OfficerTerm {
  term: string;
  kind: OfficerTermKind;
  category: TermCategory | null;
  addedBy: string;
  addedAt: Date;
}

export interface FlagInput {
  kind: ModerationKind;
  subjectId: string;
  storeId: string | null;
  /** Which text of the subject: "titleZh", "descriptionEn", "title"… */
  field: string;
  text: string;
  /** Who wrote the text; by default the actor when the actor is a user. */
  authorId?: string | null;
}

/** A piece of text, marked when it is (part of) a banned term's match. */
export interface HighlightSegment {
  text: string;
  /** The list's term the segment matched, or null for ordinary text. */
  term: string | null;
  category: TermCategory | null;
}

/**
 * Takes flagged content down through the module that owns it. Returns true when the content was
 * changed, false when nothing could be done (the decision is then recorded only).
 */
export type ContentRemover = (flag: ModerationFlag, officer: Actor) => Promise<boolean>;

/** Tells a flag's author they were warned, inside the decision's transaction. */
export type AuthorWarning = (tx: Tx, flag: ModerationFlag & { authorId: string }, note: string) => Promise<void>;

/** What an erased author's flagged text becomes: the terms and decisions stay on record. */
export const ERASED_FLAG_TEXT = "[erased]";

export interface ModerationDeps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  removers?: Partial<Record<ModerationKind, ContentRemover>>;
  warnAuthor?: AuthorWarning;
  log?: Logger;
}

export interface Moderation {
  /** Resolves once the officers' terms are loaded. */
  ready(): Promise<void>;
  /** Reloads the officers' terms from the database. */
  refresh(): Promise<void>;
  /** Every banned term in the text, by the effective list. */
  check(text: string): BannedTermMatch[];
  /** The distinct banned terms in the text (the shape live chat's `bannedTerms` takes). */
  bannedTerms(text: string): string[];
  /** The text cut into segments, the banned terms marked: for highlighting to a merchant. */
  highlight(text: string): HighlightSegment[];
  /** Records an open flag when the text has a banned term (audited); null when it is clean. */
  flag(actor: Actor, input: FlagInput): Promise<ModerationFlag | null>;
  /** flag() for each of several fields of one subject. */
  flagFields(actor: Actor, input: Omit<FlagInput, "field" | "text"> & { fields: Record<string, string> }): Promise<ModerationFlag[]>;
  addTerm(officer: Actor, input: { term: string; kind: OfficerTermKind; category?: TermCategory | null }): Promise<OfficerTerm>;
  removeTerm(officer: Actor, term: string): Promise<void>;
  officerTerms(): Promise<OfficerTerm[]>;
  decide(officer: Actor, flagId: string, decision: ModerationDecision, note: string): Promise<ModerationFlag & { contentRemoved: boolean }>;
  /** Flags by status (open by default), newest first. */
  queue(options?: { status?: FlagStatus; limit?: number }): Promise<ModerationFlag[]>;
  getFlag(id: string): Promise<ModerationFlag>;
  /** The open flags of one subject (for the merchant's page). */
  flagsOf(kind: ModerationKind, subjectId: string): Promise<ModerationFlag[]>;
  /** Erasure: the text of the flags a user wrote is replaced; returns how many flags changed. */
  eraseAuthor(userId: string): Promise<number>;
}

export const REFRESH_MS = 60_000;
const TERM_MAX = 100;
const NOTE_MAX = 1000;

/** Cuts text into plain and matched segments by the given matches (ordered, non-overlapping). */
export function segmentsOf(text: string, matches: readonly BannedTermMatch[]): HighlightSegment[] {
  const segments: HighlightSegment[] = [];
  let at = 0;
  for (const match of matches) {
    if (match.index > at) segments.push({ text: text.slice(at, match.index), term: null, category: null });
    segments.push({ text: text.slice(match.index, match.index + match.length), term: match.term, category: match.category });
    at = match.index + match.length;
  }
  if (at < text.length) segments.push({ text: text.slice(at), term: null, category: null });
  return segments;
}

function toFlag(row: typeof moderationFlags.$inferSelect): ModerationFlag {
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subjectId,
    storeId: row.storeId,
    authorId: row.authorId,
    field: row.field,
    text: row.text,
    terms: JSON.parse(row.terms) as BannedTermMatch[],
    status: row.status,
    createdAt: row.createdAt,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    note: row.note,
  };
}

function toOfficerTerm(row: typeof complianceTerms.$inferSelect): OfficerTerm {
  return { term: row.term, kind: row.kind, category: row.category, addedBy: row.addedBy, addedAt: row.addedAt };
}

export function createModeration({ database, audit, clock, removers = {}, warnAuthor, log }: ModerationDeps): Moderation {
  const { db } = database;
  let list: TermList = createTermList();
  let loadedAt = -Infinity;
  let loading: Promise<void> | null = null;

  async function load(): Promise<void> {
    const rows = await db.select().from(complianceTerms);
    const banned = rows.filter((row) => row.kind === "banned").map((row) => ({ term: row.term, category: row.category ?? ("absolute" as const) }));
    const allowed = rows.filter((row) => row.kind === "allowed").map((row) => row.term);
    list = createTermList(banned, allowed);
    loadedAt = clock.now().getTime();
  }

  function refresh(): Promise<void> {
    loading ??= load().finally(() => (loading = null));
    return loading;
  }

  const initial = refresh().catch((error: unknown) => log?.error?.("moderation.terms_load_failed", { error: String(error) }));

  function check(text: string): BannedTermMatch[] {
    if (clock.now().getTime() - loadedAt > REFRESH_MS && !loading) {
      refresh().catch((error: unknown) => log?.error?.("moderation.terms_load_failed", { error: String(error) }));
    }
    return list.find(text);
  }

  async function getFlag(id: string): Promise<ModerationFlag> {
    const [row] = await db.select().from(moderationFlags).where(eq(moderationFlags.id, id));
    if (!row) throw new NotFound("moderation_flag_not_found");
    return toFlag(row);
  }

  const moderation: Moderation = {
    ready: () => initial.then(() => undefined),
    refresh,
    check,
    bannedTerms: (text) => [...new Set(check(text).map((match) => match.term))],
    highlight: (text) => segmentsOf(text, check(text)),

    async flag(actor, input) {
      const matches = check(input.text);
      if (matches.length === 0) return null;
      const now = clock.now();
      const terms = JSON.stringify(matches);
      const authorId = input.authorId !== undefined ? input.authorId : actor.type === "user" ? actor.id : null;
      const id = await database.write(async (tx) => {
        // A subject's field has one open flag: saving it again updates that flag's text.
        const [open] = await tx
          .select({ id: moderationFlags.id })
          .from(moderationFlags)
          .where(and(eq(moderationFlags.kind, input.kind), eq(moderationFlags.subjectId, input.subjectId), eq(moderationFlags.field, input.field), eq(moderationFlags.status, "open")));
        const flagId = open?.id ?? newId("mod", now.getTime());
        if (open) await tx.update(moderationFlags).set({ text: input.text, terms, storeId: input.storeId, authorId }).where(eq(moderationFlags.id, flagId));
        else await tx.insert(moderationFlags).values({ id: flagId, kind: input.kind, subjectId: input.subjectId, storeId: input.storeId, authorId, field: input.field, text: input.text, terms, status: "open", createdAt: now });
        await audit.record(tx, {
          actor,
          action: "moderation.flagged",
          subject: `moderation_flag:${flagId}`,
          data: { kind: input.kind, subjectId: input.subjectId, storeId: input.storeId, authorId, field: input.field, terms: [...new Set(matches.map((m) => m.term))], updated: Boolean(open) },
        });
        return flagId;
      });
      return getFlag(id);
    },

    async flagFields(actor, { fields, ...subject }) {
      const flags: ModerationFlag[] = [];
      for (const [field, text] of Object.entries(fields)) {
        const flag = await moderation.flag(actor, { ...subject, field, text });
        if (flag) flags.push(flag);
      }
      return flags;
    },

    async addTerm(officer, input) {
      const term = input.term.trim().toLowerCase().normalize("NFKC");
      if (term.length === 0 || term.length > TERM_MAX || normaliseTerm(term) === "") throw new BadRequest("moderation_term_invalid");
      const category = input.kind === "banned" ? (input.category ?? "absolute") : null;
      const row = { term, kind: input.kind, category, addedBy: officer.id, addedAt: clock.now() };
      await database.write(async (tx) => {
        const [before] = await tx.select().from(complianceTerms).where(eq(complianceTerms.term, term));
        await tx.insert(complianceTerms).values(row).onConflictDoUpdate({ target: complianceTerms.term, set: { kind: row.kind, category, addedBy: row.addedBy, addedAt: row.addedAt } });
        await audit.record(tx, {
          actor: officer,
          action: "moderation.term_added",
          subject: `moderation_term:${term}`,
          data: { term, kind: input.kind, category, before: before ? { kind: before.kind, category: before.category } : null },
        });
      });
      await refresh();
      return row;
    },

    async removeTerm(officer, term) {
      await database.write(async (tx) => {
        const [before] = await tx.select().from(complianceTerms).where(eq(complianceTerms.term, term));
        if (!before) throw new NotFound("moderation_term_not_found");
        await tx.delete(complianceTerms).where(eq(complianceTerms.term, term));
        await audit.record(tx, { actor: officer, action: "moderation.term_removed", subject: `moderation_term:${term}`, data: { term, kind: before.kind, category: before.category } });
      });
      await refresh();
    },

    async officerTerms() {
      const rows = await db.select().from(complianceTerms).orderBy(desc(complianceTerms.addedAt));
      return rows.map(toOfficerTerm);
    },

    async decide(officer, flagId, decision, note) {
      if (!MODERATION_DECISIONS.includes(decision)) throw new BadRequest("moderation_decision_invalid");
      const trimmed = note.trim().slice(0, NOTE_MAX);
      const flag = await getFlag(flagId);
      if (flag.status !== "open") throw new BadRequest("moderation_flag_decided");
      // The owner module takes the content down first (in its own transaction, audited there);
      // if it refuses, the flag stays open.
      const remover = decision === "removed" ? removers[flag.kind] : undefined;
      const contentRemoved = remover ? await remover(flag, officer) : false;
      const now = clock.now();
      await database.write(async (tx) => {
        const changed = await tx
          .update(moderationFlags)
          .set({ status: decision, decidedBy: officer.id, decidedAt: now, note: trimmed || null })
          .where(and(eq(moderationFlags.id, flagId), eq(moderationFlags.status, "open")))
          .returning({ id: moderationFlags.id });
        if (changed.length === 0) throw new BadRequest("moderation_flag_decided");
        const { authorId } = flag;
        let authorWarned = false;
        if (decision === "warned" && authorId !== null && warnAuthor) {
          await warnAuthor(tx, { ...flag, authorId }, trimmed);
          authorWarned = true;
        }
        await audit.record(tx, {
          actor: officer,
          action: "moderation.decided",
          subject: `moderation_flag:${flagId}`,
          data: { decision, note: trimmed, kind: flag.kind, subjectId: flag.subjectId, storeId: flag.storeId, authorId, field: flag.field, contentRemoved, authorWarned },
        });
      });
      return { ...(await getFlag(flagId)), contentRemoved };
    },

    async queue({ status = "open", limit = 100 } = {}) {
      const rows = await db
        .select()
        .from(moderationFlags)
        .where(eq(moderationFlags.status, status))
        .orderBy(desc(moderationFlags.createdAt))
        .limit(Math.min(Math.max(limit, 1), 500));
      return rows.map(toFlag);
    },

    getFlag,

    async flagsOf(kind, subjectId) {
      const rows = await db
        .select()
        .from(moderationFlags)
        .where(and(eq(moderationFlags.kind, kind), eq(moderationFlags.subjectId, subjectId), eq(moderationFlags.status, "open")));
      return rows.map(toFlag);
    },

    async eraseAuthor(userId) {
      return database.write(async (tx) => (await tx.update(moderationFlags).set({ text: ERASED_FLAG_TEXT }).where(eq(moderationFlags.authorId, userId))).rowsAffected);
    },
  };
  return moderation;
}
