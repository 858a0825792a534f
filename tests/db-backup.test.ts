// Backups and restores as an operator runs them: `npm run db:backup` copies a running shop's
// database (embedded file, or a libSQL server) into a new file; `npm run db:restore` loads it into
// an empty database, embedded or sqld. The restored database holds every row, its audit chain still
// verifies. `npm run db:migrate` prepares an empty database for a deploy. Refusals (overwriting a file, restoring over data) exit 1 with one line.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { createDatabase } from "../db/database.ts";
import { createAuditTrail } from "../modules/compliance/index.ts";
import { systemClock } from "../src/platform/clock.ts";
import { checkoutFields, newShopper, orderIdFrom, testProduct } from "./fixtures/commerce.ts";
import { startSqld, type Sqld } from "./fixtures/sqld.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;
let sqld: Sqld;

beforeAll(async () => {
  [app, sqld] = await Promise.all([startTestApp(), startSqld()]);
}, 60_000);
afterAll(async () => {
  app.close();
  await sqld.stop();
});

function run(script: "db-backup" | "db-restore", file: string, databaseUrl: string) {
  const done = spawnSync(process.execPath, [`scripts/${script}.ts`, file], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8" });
  return { status: done.status, stdout: done.stdout.trim(), stderr: done.stderr.trim() };
}

async function counts(url: string): Promise<Record<string, number>> {
  const client = createClient({ url });
  try {
    const tables = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    const result: Record<string, number> = {};
    for (const row of tables.rows) result[String(row.name)] = Number((await client.execute(`SELECT count(*) FROM "${row.name}"`)).rows[0]![0]);
    return result;
  } finally {
    client.close();
  }
}

async function chainIntact(url: string): Promise<boolean> {
  const client = createClient({ url });
  try {
    return (await createAuditTrail({ database: createDatabase(client, url.startsWith("file:") ? "embedded" : "remote"), clock: systemClock }).verifyChain()).intact;
  } finally {
    client.close();
  }
}

describe("database backup and restore", () => {
  it("backs up a running embedded shop and restores it into a fresh sqld with every row and an intact audit chain", async () => {
    const buyer = await newShopper(app, "backed-up");
    const { skuId } = await testProduct(app, { priceFen: 3_300, stock: 4 });
    await buyer.client.get(`/checkout?sku=${skuId}`);
    const orderId = orderIdFrom(await buyer.client.post("/checkout", checkoutFields({ sku: skuId })));

    // An AUTOINCREMENT counter ahead of the rows left (a failed sign-in since pruned) must survive.
    await app.database.client.execute("INSERT INTO failed_sign_ins (email, at) VALUES ('gone@example.com', 0)");
    await app.database.client.execute("DELETE FROM failed_sign_ins WHERE email = 'gone@example.com'");
    const sequence = Number((await app.database.client.execute("SELECT seq FROM sqlite_sequence WHERE name = 'failed_sign_ins'")).rows[0]![0]);

    const file = join(app.dir, "backup.db");
    const backup = run("db-backup", file, `file:${app.databaseFile}`);
    expect(backup).toMatchObject({ status: 0, stderr: "" });
    expect(backup.stdout).toContain("VACUUM INTO");
    const original = await counts(`file:${app.databaseFile}`);
    expect(await counts(`file:${file}`)).toEqual(original);

    const restore = run("db-restore", file, sqld.url);
    expect(restore.stderr).toBe("");
    expect(restore.status).toBe(0);
    expect(restore.stdout).toMatch(/^restored .* \(\d+ tables, \d+ rows\)$/);
    expect(await counts(sqld.url)).toEqual(original);
    expect(await chainIntact(sqld.url)).toBe(true);
    const restored = createClient({ url: sqld.url });
    expect(Number((await restored.execute("SELECT seq FROM sqlite_sequence WHERE name = 'failed_sign_ins'")).rows[0]![0])).toBe(sequence);
    expect(Number((await restored.execute({ sql: "SELECT total_fen FROM orders WHERE id = ?", args: [orderId] })).rows[0]![0])).toBe(3_300);
    restored.close();

    // And back: a libSQL server's database copied out to a file, then into a new embedded file.
    const fromServer = join(app.dir, "from-sqld.db");
    const serverBackup = run("db-backup", fromServer, sqld.url);
    expect(serverBackup.status).toBe(0);
    expect(serverBackup.stdout).toMatch(/\(\d+ tables, \d+ rows\)$/);
    const embedded = `file:${join(app.dir, "restored", "broadcart.db")}`;
    expect(run("db-restore", fromServer, embedded).status).toBe(0);
    expect(await counts(embedded)).toEqual(original);
    expect(await chainIntact(embedded)).toBe(true);
  }, 120_000);

  it("never overwrites a file or restores over data, and says so in one line", () => {
    const file = join(app.dir, "twice.db");
    expect(run("db-backup", file, `file:${app.databaseFile}`).status).toBe(0);
    const again = run("db-backup", file, `file:${app.databaseFile}`);
    expect(again.status).toBe(1);
    expect(again.stderr.split("\n")).toHaveLength(1);
    expect(again.stderr).toContain("exists already");
    const over = run("db-restore", file, `file:${app.databaseFile}`);
    expect(over.status).toBe(1);
    expect(over.stderr).toContain("is not empty");
    const missing = run("db-restore", join(app.dir, "nothing.db"), `file:${join(app.dir, "x.db")}`);
    expect(missing).toMatchObject({ status: 1 });
    expect(missing.stderr).toContain("no backup at");
  });

  it("migrates an empty database for a deploy, and refuses without DATABASE_URL", async () => {
    const url = `file:${join(app.dir, "deploy", "broadcart.db")}`;
    const migrate = (env: Record<string, string | undefined>) => spawnSync(process.execPath, ["scripts/db-migrate.ts"], { env: { ...process.env, ...env }, encoding: "utf8" });
    const done = migrate({ DATABASE_URL: url });
    expect(done.status).toBe(0);
    expect((await counts(url)).orders).toBe(0);
    const refused = migrate({ DATABASE_URL: "" });
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe("db:migrate: DATABASE_URL is not set");
  });
});
