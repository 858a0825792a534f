// Accounts: password sign-up and sign-in, server-side sessions, and the roles a user holds.
// Owns db/schema/accounts.ts. Every change is audited in the same transaction.
import { and, asc, count, eq, gt, inArray, lt } from "drizzle-orm";
import type { Database } from "../../db/database.ts";
import { failedSignIns, sessions, userRoles, users } from "../../db/schema/accounts.ts";
import type { Actor, AuditTrail } from "../../modules/compliance/index.ts";
import type { Clock } from "../platform/clock.ts";
import type { CurrentUser } from "../platform/context.ts";
import { randomToken, sha256Hex } from "../platform/crypto.ts";
import { isUniqueViolation } from "../../db/constraints.ts";
import { DomainError, NotFound } from "../platform/errors.ts";
import type { Locale } from "../platform/i18n.ts";
import { newId } from "../platform/ids.ts";
import type { PasswordHasher } from "../platform/password.ts";
import type { Role } from "../platform/roles.ts";
import { SESSION_TTL_MS } from "../platform/session.ts";

export class EmailTaken extends DomainError {
  constructor() {
    super(422, "email_taken", "validation.email.taken");
  }
}

export class InvalidCredentials extends DomainError {
  constructor() {
    super(422, "invalid_credentials", "signin.failed");
  }
}

/** Ten wrong passwords for one email within a quarter of an hour pause sign-ins for that email. */
export const SIGN_IN_FAILURE_LIMIT = 10;
export const SIGN_IN_FAILURE_WINDOW_MS = 15 * 60 * 1000;

export class TooManySignIns extends DomainError {
  constructor() {
    super(429, "too_many_sign_ins", "signin.throttled");
  }
}

/** Taking the admin role from the only admin would leave nobody able to grant it back. */
export class LastAdmin extends DomainError {
  constructor() {
    super(409, "last_admin", "users.last_admin");
  }
}

export interface NewAccount {
  email: string;
  displayName: string;
  password: string;
  roles: readonly Role[];
  locale?: Locale | null;
}

export interface SignedIn {
  user: CurrentUser;
  /** The session token for the cookie; only its hash is stored. */
  token: string;
}

export interface Accounts {
  signUp(input: Omit<NewAccount, "roles">): Promise<SignedIn>;
  createAccount(input: NewAccount, actor: Actor): Promise<CurrentUser>;
  signIn(email: string, password: string): Promise<SignedIn>;
  signOut(token: string): Promise<void>;
  resolveSession(token: string): Promise<CurrentUser | null>;
  findByEmail(email: string): Promise<CurrentUser | null>;
  findById(id: string): Promise<CurrentUser | null>;
  listUsers(): Promise<CurrentUser[]>;
  displayNames(ids: readonly string[]): Promise<Map<string, string>>;
  setRoles(actor: Actor, userId: string, roles: readonly Role[]): Promise<CurrentUser>;
  /** Erasure: the account keeps its id (orders point to it) but loses its email, name, password and sessions. */
  erase(userId: string): Promise<number>;
}

interface Deps {
  database: Database;
  audit: AuditTrail;
  clock: Clock;
  passwords: PasswordHasher;
}

export function createAccounts({ database, audit, clock, passwords }: Deps): Accounts {
  const { db } = database;
  // Verified against when the email is unknown, so a miss takes as long as a wrong password.
  const decoyHash = passwords.hash(randomToken(16));

  async function rolesOf(userIds: readonly string[]): Promise<Map<string, Role[]>> {
    const byUser = new Map<string, Role[]>();
    if (userIds.length === 0) return byUser;
    const rows = await db.select().from(userRoles).where(inArray(userRoles.userId, [...userIds])).orderBy(asc(userRoles.role));
    for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row.role]);
    return byUser;
  }

  function toCurrentUser(row: typeof users.$inferSelect, roles: readonly Role[]): CurrentUser {
    return { id: row.id, email: row.email, displayName: row.displayName, roles, locale: row.locale as Locale | null, createdAt: row.createdAt };
  }

  async function insertAccount(input: NewAccount, actorOf: (userId: string) => Actor, withSession: boolean) {
    const passwordHash = await passwords.hash(input.password);
    const now = clock.now();
    const id = newId("usr", now.getTime());
    const token = randomToken();
    try {
      await database.write(async (tx) => {
        await tx.insert(users).values({ id, email: input.email, displayName: input.displayName, passwordHash, locale: input.locale ?? null, createdAt: now });
        if (input.roles.length) await tx.insert(userRoles).values(input.roles.map((role) => ({ userId: id, role, grantedAt: now })));
        // No email in the trail: it is append-only, so personal data written there could never be erased.
        await audit.record(tx, { actor: actorOf(id), action: "account.created", subject: `user:${id}`, data: { roles: [...input.roles] } });
        if (withSession) {
          await tx.insert(sessions).values({ tokenHash: await sha256Hex(token), userId: id, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) });
          await audit.record(tx, { actor: { type: "user", id }, action: "account.signed_in", subject: `user:${id}`, data: { via: "sign_up" } });
        }
      });
    } catch (error) {
      if (isUniqueViolation(error, "users.email")) throw new EmailTaken();
      throw error;
    }
    return { user: toCurrentUser({ id, email: input.email, displayName: input.displayName, passwordHash, locale: input.locale ?? null, createdAt: now }, [...input.roles].sort()), token };
  }

  return {
    async signUp(input) {
      if (await this.findByEmail(input.email)) throw new EmailTaken();
      return insertAccount({ ...input, roles: ["shopper"] }, (id) => ({ type: "user", id }), true);
    },

    async createAccount(input, actor) {
      return (await insertAccount(input, () => actor, false)).user;
    },

    async signIn(email, password) {
      const now = clock.now();
      const windowStart = new Date(now.getTime() - SIGN_IN_FAILURE_WINDOW_MS);
      const [recent] = await db.select({ failures: count() }).from(failedSignIns).where(and(eq(failedSignIns.email, email), gt(failedSignIns.at, windowStart)));
      if ((recent?.failures ?? 0) >= SIGN_IN_FAILURE_LIMIT) throw new TooManySignIns();
      const [row] = await db.select().from(users).where(eq(users.email, email));
      const matches = await passwords.verify(password, row?.passwordHash ?? (await decoyHash));
      // A hash of another runtime's scheme (argon2id verified at the edge) is replaced while the password is at hand.
      if (row && matches && passwords.needsRehash?.(row.passwordHash)) {
        const rehashed = await passwords.hash(password);
        await database.write((tx) => tx.update(users).set({ passwordHash: rehashed }).where(and(eq(users.id, row.id), eq(users.passwordHash, row.passwordHash))));
      }
      if (!row || !matches) {
        await database.write(async (tx) => {
          await tx.delete(failedSignIns).where(lt(failedSignIns.at, windowStart));
          await tx.insert(failedSignIns).values({ email, at: now });
        });
        throw new InvalidCredentials();
      }
      const token = randomToken();
      await database.write(async (tx) => {
        await tx.delete(failedSignIns).where(eq(failedSignIns.email, email));
        await tx.delete(sessions).where(and(eq(sessions.userId, row.id), lt(sessions.expiresAt, now)));
        await tx.insert(sessions).values({ tokenHash: await sha256Hex(token), userId: row.id, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) });
        await audit.record(tx, { actor: { type: "user", id: row.id }, action: "account.signed_in", subject: `user:${row.id}`, data: { via: "password" } });
      });
      const roles = (await rolesOf([row.id])).get(row.id) ?? [];
      return { user: toCurrentUser(row, roles), token };
    },

    async signOut(token) {
      const tokenHash = await sha256Hex(token);
      await database.write(async (tx) => {
        const [ended] = await tx.delete(sessions).where(eq(sessions.tokenHash, tokenHash)).returning({ userId: sessions.userId });
        if (ended) await audit.record(tx, { actor: { type: "user", id: ended.userId }, action: "account.signed_out", subject: `user:${ended.userId}` });
      });
    },

    async resolveSession(token) {
      const [row] = await db
        .select({ user: users, expiresAt: sessions.expiresAt })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(sessions.tokenHash, await sha256Hex(token)));
      if (!row || row.expiresAt.getTime() <= clock.now().getTime()) return null;
      return toCurrentUser(row.user, (await rolesOf([row.user.id])).get(row.user.id) ?? []);
    },

    async findByEmail(email) {
      const [row] = await db.select().from(users).where(eq(users.email, email));
      return row ? toCurrentUser(row, (await rolesOf([row.id])).get(row.id) ?? []) : null;
    },

    async findById(id) {
      const [row] = await db.select().from(users).where(eq(users.id, id));
      return row ? toCurrentUser(row, (await rolesOf([row.id])).get(row.id) ?? []) : null;
    },

    async listUsers() {
      const rows = await db.select().from(users).orderBy(asc(users.createdAt), asc(users.id));
      const roles = await rolesOf(rows.map((row) => row.id));
      return rows.map((row) => toCurrentUser(row, roles.get(row.id) ?? []));
    },

    async displayNames(ids) {
      if (ids.length === 0) return new Map();
      const rows = await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, [...ids]));
      return new Map(rows.map((row) => [row.id, row.name]));
    },

    async erase(userId) {
      const unusable = await passwords.hash(randomToken(32));
      return database.write(async (tx) => {
        const [row] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
        if (!row) return 0;
        await tx.update(users).set({ email: `erased+${userId.toLowerCase()}@erased.invalid`, displayName: "已注销用户 Erased user", passwordHash: unusable, locale: null }).where(eq(users.id, userId));
        await tx.delete(sessions).where(eq(sessions.userId, userId));
        await tx.delete(failedSignIns).where(eq(failedSignIns.email, row.email));
        await tx.delete(userRoles).where(eq(userRoles.userId, userId));
        return 1;
      });
    },

    async setRoles(actor, userId, wanted) {
      const next = [...new Set(wanted)].sort();
      const now = clock.now();
      await database.write(async (tx) => {
        const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
        if (!row) throw new NotFound("user_not_found");
        const before = (await tx.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.role).sort();
        if (before.join() === next.join()) return;
        if (before.includes("admin") && !next.includes("admin")) {
          const [admins] = await tx.select({ n: count() }).from(userRoles).where(eq(userRoles.role, "admin"));
          if (admins!.n <= 1) throw new LastAdmin();
        }
        await tx.delete(userRoles).where(eq(userRoles.userId, userId));
        if (next.length) await tx.insert(userRoles).values(next.map((role) => ({ userId, role, grantedAt: now })));
        await audit.record(tx, { actor, action: "account.roles_changed", subject: `user:${userId}`, data: { before, after: next } });
      });
      const [row] = await db.select().from(users).where(eq(users.id, userId));
      return toCurrentUser(row!, next);
    },
  };
}
