// The Deno entry (edge/deno.ts) run by the `deno` from npm, over real HTTP: against a real sqld that
// Bun migrated and seeded first, and on an embedded `file:` database that Deno migrates and seeds itself.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { DEMO_PASSWORD, demoProducts } from "../db/seed-data.ts";
import { bootstrap } from "../src/bootstrap.ts";
import { parseConfig } from "../src/config.ts";
import { pbkdf2Hasher } from "../src/platform/password.ts";
import { address } from "./fixtures/commerce.ts";
import { denoArgs, denoBinary, denoEnvironment, startDeno, type DenoServer } from "./fixtures/deno.ts";
import { startSqld, type Sqld } from "./fixtures/sqld.ts";
import { TestClient } from "./fixtures/test-app.ts";

const secrets = {
  SESSION_SECRET: "deno-test-session-secret-0123456789abcdef",
  DATA_KEY: "deno-test-data-key-0123456789abcdef-01234",
  DEFAULT_LOCALE: "en",
};
const longjing = demoProducts[0]!;
const shopperEmail = "shopper@demo.broadcart.test";

let sqld: Sqld;
let deno: DenoServer;

/** Migrates and seeds the demo data through bootstrap (db/migrate.ts, db/seed.ts) with hashes every runtime verifies. */
async function seedDemoDatabase(databaseUrl: string): Promise<void> {
  const imagesDir = mkdtempSync(join(tmpdir(), "broadcart-deno-seed-"));
  try {
    const config = parseConfig({ ...secrets, DATABASE_URL: databaseUrl, DEMO_DATA: "auto", LOG_LEVEL: "silent", IMAGES_DIR: imagesDir });
    const runtime = await bootstrap(config, { passwords: pbkdf2Hasher(100_000), roomGateway: null, cardPayments: null });
    runtime.database.close();
    if (!runtime.seeded) throw new Error(`${databaseUrl} already held the demo data`);
  } finally {
    rmSync(imagesDir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  sqld = await startSqld();
  await seedDemoDatabase(sqld.url);
  deno = await startDeno({ databaseUrl: sqld.url, env: secrets });
}, 120_000);

afterAll(async () => {
  await deno?.stop();
  await sqld?.stop();
});

const browser = () => new TestClient((request) => fetch(request), deno.baseUrl);

/** The page's HTML, with the status and Deno's output in the failure message when it is not 200. */
async function html(response: Response): Promise<string> {
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${response.url || "page"} answered ${response.status}: ${body.slice(0, 500)}\n${deno.output()}`);
  return body;
}

async function longjingPath(client: TestClient): Promise<string> {
  const home = await html(await client.get("/"));
  const path = new RegExp(`<a href="(/products/prd_[0-9A-Z]+)">\\s*<h3>${longjing.titleEn}</h3>`).exec(home)?.[1];
  if (!path) throw new Error("the home page has no card for the Longjing");
  return path;
}

describe("Deno against sqld", () => {
  it("renders the home page and a product page from the seeded catalog", async () => {
    const client = browser();
    const home = await html(await client.get("/"));
    expect(home).toContain(longjing.titleEn);
    const product = await html(await client.get(await longjingPath(client)));
    expect(product).toContain(longjing.titleEn);
    expect(product).toContain(longjing.skus[0]!.optionEn);
  });

  it("signs a shopper in with the demo password and keeps the session in a cookie", async () => {
    const client = browser();
    expect((await client.signIn(shopperEmail, DEMO_PASSWORD)).status).toBe(303);
    expect(client.cookie("bc_session")).toBeDefined();
    expect(await html(await client.get("/account"))).toContain(shopperEmail);

    const refused = browser();
    await refused.get("/signin");
    expect((await refused.post("/signin", { email: shopperEmail, password: "not-the-password" })).status).not.toBe(303);
    expect(refused.cookie("bc_session")).toBeUndefined();
  });

  it("verifies an argon2id hash a Bun instance made, then keeps the password as PBKDF2", async () => {
    const email = "emma@demo.broadcart.test";
    await sqlOnSqld("UPDATE users SET password_hash = ? WHERE email = ?", [await Bun.password.hash(DEMO_PASSWORD, { algorithm: "argon2id" }), email]);
    const client = browser();
    expect((await client.signIn(email, DEMO_PASSWORD)).status).toBe(303);
    expect(String(await sqlOnSqld("SELECT password_hash FROM users WHERE email = ?", [email]))).toStartWith("$pbkdf2-sha256$");
    expect((await browser().signIn(email, DEMO_PASSWORD)).status).toBe(303);
  });

  it("serves files from ./static, the vendored htmx included", async () => {
    const css = await fetch(`${deno.baseUrl}/static/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    expect(await css.text()).toBe(readFileSync(join(import.meta.dir, "../static/app.css"), "utf8"));
    const htmx = await fetch(`${deno.baseUrl}/static/vendor/htmx.min.js`);
    expect(htmx.status).toBe(200);
    expect((await htmx.text()).length).toBeGreaterThan(1_000);
    expect((await fetch(`${deno.baseUrl}/static/no-such-file.css`)).status).toBe(404);
  });

  it("places an order with the page's CSRF token; its unit leaves the stock in sqld", async () => {
    const client = browser();
    await client.signIn(shopperEmail, DEMO_PASSWORD);
    const product = await html(await client.get(await longjingPath(client)));
    const skuId = /name="sku" value="(sku_[0-9A-Z]+)"/.exec(product)?.[1];
    if (!skuId) throw new Error("the product page offers no SKU");
    const stockBefore = await skuStock(skuId);

    const checkout = await html(await client.get(`/checkout?sku=${skuId}`));
    const idempotencyKey = /name="idempotencyKey" value="([^"]+)"/.exec(checkout)?.[1];
    expect(idempotencyKey).toBeDefined();
    const placed = await client.post("/checkout", { ...address, sku: skuId, quantity: "1", paymentMethod: "offline", idempotencyKey: idempotencyKey! });
    expect(placed.status).toBe(303);
    const orderPath = placed.headers.get("location") ?? "";
    expect(orderPath).toMatch(/^\/orders\/ord_[0-9A-Z]+$/);
    expect(await html(await client.get(orderPath))).toContain("Awaiting payment");
    expect(await skuStock(skuId)).toBe(stockBefore - 1);
    // The risk rules see the client's address from Deno.serve's connection info.
    expect(String(await sqlOnSqld("SELECT client_ip FROM orders WHERE id = ?", [orderPath.split("/").at(-1)!]))).toBe("127.0.0.1");

    // Without the token the same post is refused.
    const forged = await client.post("/checkout", { ...address, sku: skuId, quantity: "1", paymentMethod: "offline", idempotencyKey: "forged-0123456789" }, { csrf: false });
    expect(forged.status).toBe(403);
  });
});

/** The first value of a statement run on sqld directly, past the app (undefined when it returns no row). */
async function sqlOnSqld(sql: string, args: string[]): Promise<unknown> {
  const client = createClient({ url: sqld.url });
  try {
    const result = await client.execute({ sql, args });
    return result.rows[0]?.[0];
  } finally {
    client.close();
  }
}

async function skuStock(skuId: string): Promise<number> {
  return Number(await sqlOnSqld("SELECT stock FROM skus WHERE id = ?", [skuId]));
}

describe("Deno on an embedded file", () => {
  it("migrates and seeds a new file: database itself, then signs a shopper in", async () => {
    const dir = mkdtempSync(join(tmpdir(), "broadcart-deno-file-"));
    let embedded: DenoServer | undefined;
    try {
      embedded = await startDeno({ databaseUrl: `file:${join(dir, "broadcart.db")}`, env: { ...secrets, DEMO_DATA: "auto" }, timeoutMs: 120_000 });
      const client = new TestClient((request) => fetch(request), embedded.baseUrl);
      expect(await (await client.get("/")).text()).toContain(longjing.titleEn);
      expect((await client.signIn(shopperEmail, DEMO_PASSWORD)).status).toBe(303);
      expect(await (await client.get("/account")).text()).toContain(shopperEmail);
    } finally {
      await embedded?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe("Deno on an embedded replica of sqld (DATABASE_SYNC_URL)", () => {
  it("reads the catalog synced from sqld and writes an order to sqld, not to a standalone file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "broadcart-deno-replica-"));
    let replica: DenoServer | undefined;
    try {
      // DEMO_DATA=never: a standalone file would have no catalog at all, so every product on the page came from sqld.
      replica = await startDeno({ databaseUrl: `file:${join(dir, "replica.db")}`, env: { ...secrets, DATABASE_SYNC_URL: sqld.url }, timeoutMs: 120_000 });
      const client = new TestClient((request) => fetch(request), replica.baseUrl);
      await client.signIn(shopperEmail, DEMO_PASSWORD);
      const home = await (await client.get("/")).text();
      const productPath = new RegExp(`<a href="(/products/prd_[0-9A-Z]+)">\\s*<h3>${longjing.titleEn}</h3>`).exec(home)?.[1];
      expect(productPath).toBeDefined();
      const skuId = /name="sku" value="(sku_[0-9A-Z]+)"/.exec(await (await client.get(productPath!)).text())?.[1];
      expect(skuId).toBeDefined();
      const stockBefore = await skuStock(skuId!);

      const checkout = await (await client.get(`/checkout?sku=${skuId}`)).text();
      const idempotencyKey = /name="idempotencyKey" value="([^"]+)"/.exec(checkout)?.[1];
      const placed = await client.post("/checkout", { ...address, sku: skuId!, quantity: "1", paymentMethod: "offline", idempotencyKey: idempotencyKey! });
      expect(placed.status).toBe(303);
      // The answer carries the signed index of the order's writes, so any instance shows the order next.
      expect(placed.headers.getSetCookie().some((cookie) => /^bc_written=\d+\.[A-Za-z0-9_-]{43};/.test(cookie))).toBe(true);
      const orderPath = placed.headers.get("location") ?? "";
      expect(await skuStock(skuId!)).toBe(stockBefore - 1);
      expect(String(await sqlOnSqld("SELECT id FROM orders WHERE id = ?", [orderPath.split("/").at(-1)!]))).toBe(orderPath.split("/").at(-1)!);
      expect(await (await client.get(orderPath)).text()).toContain("Awaiting payment");
    } finally {
      await replica?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe("Deno entry's types", () => {
  // tsc checks edge/ with Workers' types; the Deno entry is checked by Deno, with its own types and @types/node.
  it("edge/deno.ts passes deno check", async () => {
    const { code, stdout, stderr } = await run(denoBinary, ["check", "edge/deno.ts"], denoEnvironment(process.env));
    expect({ code, output: code === 0 ? "" : stdout + stderr }).toEqual({ code: 0, output: "" });
  }, 180_000);
});

describe("Deno configuration", () => {
  it("exits non-zero with one line on stderr naming a bad value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "broadcart-deno-config-"));
    try {
      const { code, stdout, stderr } = await run(denoBinary, denoArgs(sqld.url, dir), { ...denoEnvironment(process.env), ...secrets, DATABASE_URL: sqld.url, PORT: "eighty" });
      expect(code).not.toBe(0);
      expect(stderr.trim().split("\n")).toEqual(['config: PORT must be a whole number (got "eighty")']);
      expect(stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

function run(binary: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: join(import.meta.dir, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
