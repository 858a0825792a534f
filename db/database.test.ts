// The write queue: on an embedded file, actions queued while one commits are committed together,
// each in its own savepoint (one failing rolls back alone); against a libSQL server each action is
// a transaction of its own.
import { afterAll, describe, expect, it } from "bun:test";
import { createClient, type Client } from "@libsql/client";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { createDatabase } from "./database.ts";

const dir = mkdtempSync(join(tmpdir(), "broadcart-write-queue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A client that counts the write transactions it opens. */
function counting(client: Client): { client: Client; transactions: () => number } {
  let transactions = 0;
  const wrapped = new Proxy(client, {
    get(target, property) {
      if (property === "transaction") return (...args: Parameters<Client["transaction"]>) => ((transactions += 1), target.transaction(...args));
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { client: wrapped, transactions: () => transactions };
}

async function freshFile(name: string) {
  const client = createClient({ url: `file:${join(dir, name)}` });
  await client.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  return client;
}

describe("the write queue", () => {
  it("commits actions that queued up together on a file, and one that fails rolls back alone", async () => {
    const { client, transactions } = counting(await freshFile("group.db"));
    const database = createDatabase(client, "embedded");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        database.write(async (tx) => {
          await tx.run(sql`INSERT INTO notes (id, body) VALUES (${i}, ${`note ${i}`})`);
          if (i === 7) throw new Error("action 7 changed its mind");
          return i;
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled").map((o) => (o as PromiseFulfilledResult<number>).value)).toEqual([...Array(20).keys()].filter((i) => i !== 7));
    expect((outcomes[7] as PromiseRejectedResult).reason.message).toBe("action 7 changed its mind");
    const rows = await client.execute("SELECT id FROM notes ORDER BY id");
    expect(rows.rows.map((row) => Number(row.id))).toEqual([...Array(20).keys()].filter((i) => i !== 7));
    // The first action ran alone; the other nineteen queued behind it and committed as one group.
    expect(transactions()).toBe(2);
  });

  it("runs each action in a transaction of its own against a libSQL server", async () => {
    // A file opened as if it were a server: the queue's choice depends on the kind alone.
    const { client, transactions } = counting(await freshFile("remote.db"));
    const database = createDatabase(client, "remote");
    await Promise.all(Array.from({ length: 5 }, (_, i) => database.write((tx) => tx.run(sql`INSERT INTO notes (id, body) VALUES (${i}, 'x')`))));
    expect(transactions()).toBe(5);
  });

  it("fails every action of a group whose commit fails, and keeps none of them", async () => {
    const base = await freshFile("commit-fails.db");
    await base.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY)");
    await base.execute("CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)");
    await base.execute("PRAGMA foreign_keys = ON");
    const database = createDatabase(base, "embedded");
    const results = await Promise.allSettled([
      database.write((tx) => tx.run(sql`INSERT INTO notes (id, body) VALUES (1, 'first, alone')`)),
      database.write((tx) => tx.run(sql`INSERT INTO notes (id, body) VALUES (2, 'grouped')`)),
      // A deferred foreign key is checked only at COMMIT: this makes the group's commit fail.
      database.write((tx) => tx.run(sql`INSERT INTO children (id, parent_id) VALUES (1, 99)`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect((await base.execute("SELECT id FROM notes")).rows.map((row) => Number(row.id))).toEqual([1]);
  });
});
