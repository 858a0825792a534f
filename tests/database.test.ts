// The database a DATABASE_URL names, opened the way `npm start` opens it (bootstrap: openDatabase,
// migrations, demo seed), on each kind of URL the client accepts: an embedded file, a real libSQL
// server (sqld) over http:, and the same server over libsql: with ?tls=0. Each gets the same
// checks: every committed migration applied, real service queries, an intact audit chain, a second
// bootstrap that changes nothing, and concurrent writes that all commit with exact counts.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_PASSWORD, demoAccounts, demoProducts } from "../db/seed-data.ts";
import { createClient } from "@libsql/client";
import { createDatabase } from "../db/database.ts";
import { migrateDatabase, migrationsFolder } from "../db/migrate.ts";
import { bootstrap, type Runtime } from "../src/bootstrap.ts";
import { parseConfig } from "../src/config.ts";
import { pbkdf2Hasher } from "../src/platform/password.ts";
import { startSqld } from "./fixtures/sqld.ts";

interface Target {
  name: string;
  /** What `client.protocol` must say: proves which transport the URL really selected. */
  protocol: "file" | "http";
  kind: Runtime["database"]["kind"];
  start(): Promise<{ url: string; cleanup(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: "embedded file (file:)",
    protocol: "file",
    kind: "embedded",
    async start() {
      const dir = mkdtempSync(join(tmpdir(), "broadcart-db-"));
      return { url: `file:${join(dir, "x.db")}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: "sqld over http:",
    protocol: "http",
    kind: "remote",
    async start() {
      const sqld = await startSqld();
      return { url: sqld.url, cleanup: sqld.stop };
    },
  },
  {
    name: "sqld over libsql: with ?tls=0",
    protocol: "http",
    kind: "remote",
    async start() {
      const sqld = await startSqld();
      return { url: `libsql://127.0.0.1:${sqld.port}?tls=0`, cleanup: sqld.stop };
    },
  },
];

function configEnv(url: string) {
  return {
    DATABASE_URL: url,
    SESSION_SECRET: "database-test-secret-0123456789abcdef",
    DATA_KEY: "database-test-data-key-0123456789abcdef",
    LOG_LEVEL: "silent",
    DEMO_DATA: "auto",
    DEFAULT_LOCALE: "en",
  };
}

const config = (url: string) => parseConfig(configEnv(url));

/**
 * Only for the extra instances in the concurrency tests: with argon2id two cores hash a few
 * passwords at a time, so the writes would trickle in one by one instead of arriving together.
 */
const fastPasswords = () => pbkdf2Hasher(1_000);

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/** The committed migrations as drizzle records them: folder time and sha256 of the SQL file. */
function committedMigrations(): { createdAt: number; hash: string; tag: string }[] {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: JournalEntry[] };
  return journal.entries
    .sort((a, b) => a.idx - b.idx)
    .map((entry) => ({
      tag: entry.tag,
      createdAt: entry.when,
      hash: createHash("sha256").update(readFileSync(join(migrationsFolder, `${entry.tag}.sql`), "utf8")).digest("hex"),
    }));
}

async function scalar(runtime: Runtime, sql: string): Promise<number> {
  const result = await runtime.database.client.execute(sql);
  return Number(result.rows[0]?.[0]);
}

async function counts(runtime: Runtime) {
  return {
    users: await scalar(runtime, "SELECT count(*) FROM users"),
    sessions: await scalar(runtime, "SELECT count(*) FROM sessions"),
    products: await scalar(runtime, "SELECT count(*) FROM products"),
    stores: await scalar(runtime, "SELECT count(*) FROM stores"),
    auditEntries: await scalar(runtime, "SELECT count(*) FROM audit_entries"),
    maxSeq: await scalar(runtime, "SELECT coalesce(max(seq), 0) FROM audit_entries"),
    headSeq: await scalar(runtime, "SELECT coalesce(max(seq), 0) FROM audit_head"),
    migrations: await scalar(runtime, "SELECT count(*) FROM __drizzle_migrations"),
  };
}

/** The counts after `n` sign-ups: a user, a session and two audit entries each, nothing else. */
function afterSignUps(before: Awaited<ReturnType<typeof counts>>, n: number) {
  const auditEntries = before.auditEntries + 2 * n;
  return { ...before, users: before.users + n, sessions: before.sessions + n, auditEntries, maxSeq: auditEntries, headSeq: auditEntries };
}

/** Signs up `n` shoppers at once, spread round-robin over the instances; every one must succeed. */
async function concurrentSignUps(instances: Runtime[], n: number, prefix: string) {
  const results = await Promise.allSettled(
    Array.from({ length: n }, (_, i) =>
      instances[i % instances.length]!.services.accounts.signUp({ email: `${prefix}-${i}@example.com`, displayName: `${prefix} ${i}`, password: "long-enough-pw" }),
    ),
  );
  const failures = results.flatMap((result, i) => (result.status === "rejected" ? [`#${i}: ${describeError(result.reason)}`] : []));
  expect(failures).toEqual([]);
  return results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<Runtime["services"]["accounts"]["signUp"]>>>).value);
}

/**
 * A second process of the app on the same database: it bootstraps (which must not re-seed), signs
 * up `n` shoppers at once when told to go, and reports the failures. Run as a process rather than
 * a second instance here, because the embedded client is synchronous: a second connection waiting
 * on the busy timeout in this process would block the very event loop that has to commit the
 * transaction it waits for, which no two real processes do to each other.
 */
async function startWriterProcess(url: string, n: number, prefix: string) {
  const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).pathname);
  const script = `
    const { bootstrap } = await import(${module("../src/bootstrap.ts")});
    const { parseConfig } = await import(${module("../src/config.ts")});
    const { pbkdf2Hasher } = await import(${module("../src/platform/password.ts")});
    const env = JSON.parse(process.env.BROADCART_WRITER);
    const runtime = await bootstrap(parseConfig(env.config), { passwords: pbkdf2Hasher(1000) });
    console.log(JSON.stringify({ ready: true, seeded: runtime.seeded }));
    for await (const line of console) break;
    const results = await Promise.allSettled(Array.from({ length: env.n }, (_, i) =>
      runtime.services.accounts.signUp({ email: env.prefix + "-" + i + "@example.com", displayName: env.prefix + " " + i, password: "long-enough-pw" })));
    const failed = results.flatMap((r, i) => r.status === "rejected" ? ["#" + i + ": " + String(r.reason?.message ?? r.reason).split("\\n")[0] + " <- " + String(r.reason?.cause?.message ?? "")] : []);
    runtime.database.close();
    console.log(JSON.stringify({ done: true, failed }));
  `;
  const child = Bun.spawn([process.execPath, "-e", script], {
    cwd: new URL("..", import.meta.url).pathname,
    env: { ...process.env, BROADCART_WRITER: JSON.stringify({ config: configEnv(url), n, prefix }) },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines()).getReader();
  const next = async <T>(): Promise<T> => {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the writer process exited (${await child.exited}): ${await new Response(child.stderr).text()}`);
    return JSON.parse(value) as T;
  };
  const ready = await next<{ ready: true; seeded: boolean }>();
  return {
    seeded: ready.seeded,
    async go(): Promise<string[]> {
      child.stdin.write("go\n");
      await child.stdin.flush();
      const { failed } = await next<{ done: true; failed: string[] }>();
      expect(await child.exited).toBe(0);
      return failed;
    },
    kill: () => child.kill(),
  };
}

function splitLines(): TransformStream<string, string> {
  let buffered = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) if (line.trim()) controller.enqueue(line);
    },
    flush(controller) {
      if (buffered.trim()) controller.enqueue(buffered);
    },
  });
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message.split("\n")[0]!);
  return parts.length ? parts.join(" <- ") : String(error);
}

for (const target of targets) {
  describe(`database on ${target.name}`, () => {
    let url: string;
    let cleanup: () => Promise<void> = async () => {};
    let runtime: Runtime;
    let second: Runtime | undefined;
    const opened: Runtime[] = [];

    beforeAll(async () => {
      ({ url, cleanup } = await target.start());
      runtime = await bootstrap(config(url));
      opened.push(runtime);
      // Hooks do not take bunfig's test timeout; seeding hashes nine argon2id passwords.
    }, 60_000);

    afterAll(async () => {
      for (const instance of opened) instance.database.close();
      await cleanup();
    }, 30_000);

    it("opens through bootstrap on the transport the URL names, migrating and seeding the empty database", async () => {
      expect(runtime.database.kind).toBe(target.kind);
      expect(runtime.database.client.protocol).toBe(target.protocol);
      expect(runtime.seeded).toBe(true);
    });

    it("records every migration in db/migrations, in order, with the hash of its SQL", async () => {
      const rows = await runtime.database.client.execute("SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at, id");
      const applied = rows.rows.map((row) => ({ createdAt: Number(row.created_at), hash: String(row.hash) }));
      const committed = committedMigrations();
      expect(committed.length).toBeGreaterThan(0);
      expect(applied).toEqual(committed.map(({ createdAt, hash }) => ({ createdAt, hash })));
      // ...and the schema they build is there: a table from the first and from the last migration.
      expect(await scalar(runtime, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'audit_entries', 'failed_sign_ins')")).toBe(3);
    });

    it("lists the twelve demo products and serves a product page through the app", async () => {
      const products = await runtime.services.catalog.listPublishedProducts(100);
      expect(products).toHaveLength(12);
      expect(products.map((product) => product.titleEn).sort()).toEqual(demoProducts.map((product) => product.titleEn).sort());
      const product = products[0]!;
      const response = await runtime.app.fetch(new Request(`http://localhost/products/${product.id}`, { headers: { accept: "text/html" } }));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(product.titleEn);
    });

    it("signs a demo account in through the accounts service, and the session resolves", async () => {
      const shopper = demoAccounts.find((account) => account.key === "shopperWang")!;
      const signedIn = await runtime.services.accounts.signIn(shopper.email, DEMO_PASSWORD);
      expect(signedIn.user.email).toBe(shopper.email);
      expect(signedIn.user.roles).toEqual(["shopper"]);
      const resolved = await runtime.services.accounts.resolveSession(signedIn.token);
      expect(resolved?.id).toBe(signedIn.user.id);
      const [latest] = await runtime.services.audit.recent(1);
      expect(latest?.action).toBe("account.signed_in");
      expect(latest?.subject).toBe(`user:${signedIn.user.id}`);
    });

    it("keeps an intact audit chain whose head is the last entry", async () => {
      const verdict = await runtime.services.audit.verifyChain();
      const { auditEntries, maxSeq, headSeq } = await counts(runtime);
      expect(verdict).toEqual({ intact: true, entries: auditEntries });
      expect(auditEntries).toBeGreaterThan(demoAccounts.length);
      expect(maxSeq).toBe(auditEntries);
      expect(headSeq).toBe(auditEntries);
    });

    if (target.kind === "embedded") {
      it("uses WAL and synchronous=FULL on every pooled connection", async () => {
        const { client } = runtime.database;
        expect((await client.execute("PRAGMA journal_mode")).rows[0]?.[0]).toBe("wal");
        // Hold eight transactions at once so each runs on its own connection of the pool.
        const transactions = await Promise.all(Array.from({ length: 8 }, () => client.transaction("deferred")));
        try {
          for (const tx of transactions) {
            expect((await tx.execute("PRAGMA journal_mode")).rows[0]?.[0]).toBe("wal");
            expect((await tx.execute("PRAGMA synchronous")).rows[0]?.[0]).toBe(2);
          }
        } finally {
          for (const tx of transactions) await tx.rollback();
        }
      });
    }

    it("bootstraps a second time on the same database without re-seeding or failing", async () => {
      const before = await counts(runtime);
      second = await bootstrap(config(url), { passwords: fastPasswords() });
      opened.push(second);
      expect(second.seeded).toBe(false);
      expect(await counts(second)).toEqual(before);
      expect(await counts(runtime)).toEqual(before);
      expect(before.migrations).toBe(committedMigrations().length);
      expect(before.stores).toBe(1);
      expect(before.products).toBe(12);
      expect(before.users).toBe(demoAccounts.length);
      expect(await second.services.audit.verifyChain()).toEqual({ intact: true, entries: before.auditEntries });
    });

    // sqld answers HTTP 429 beyond 128 open streams; the instance must queue its writers, not fail them.
    it("commits 300 concurrent sign-ups, each with its two audit entries, on one instance (more than sqld has streams)", async () => {
      const instance = second!;
      const before = await counts(instance);
      const signedUp = await concurrentSignUps([instance], 300, "one");
      expect(new Set(signedUp.map((result) => result.user.id)).size).toBe(300);
      const after = await counts(instance);
      expect(after).toEqual(afterSignUps(before, 300));
      expect(await instance.services.audit.verifyChain()).toEqual({ intact: true, entries: after.auditEntries });
      for (const { user, token } of signedUp.slice(0, 5)) expect((await instance.services.accounts.resolveSession(token))?.id).toBe(user.id);
    });

    it("commits 50 concurrent sign-ups spread over two processes on the same database", async () => {
      const writer = await startWriterProcess(url, 25, "proc");
      try {
        expect(writer.seeded).toBe(false);
        const before = await counts(second!);
        const [childFailures] = await Promise.all([writer.go(), concurrentSignUps([second!], 25, "two")]);
        expect(childFailures).toEqual([]);
        const after = await counts(runtime);
        expect(after).toEqual(afterSignUps(before, 50));
        expect(await runtime.services.audit.verifyChain()).toEqual({ intact: true, entries: after.auditEntries });
      } finally {
        writer.kill();
      }
    });
  });
}

describe("migrations from several instances at once", () => {
  it("apply once when instances starting together migrate the same fresh libSQL server", async () => {
    const server = await startSqld();
    try {
      const instances = Array.from({ length: 3 }, () => createDatabase(createClient({ url: server.url }), "remote"));
      const results = await Promise.allSettled(instances.map((database) => migrateDatabase(database)));
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
      const check = createClient({ url: server.url });
      const applied = Number((await check.execute("SELECT count(*) FROM __drizzle_migrations")).rows[0]![0]);
      expect(applied).toBe(readdirSync(migrationsFolder).filter((file) => file.endsWith(".sql")).length);
      check.close();
    } finally {
      await server.stop();
    }
  }, 60_000);
});
