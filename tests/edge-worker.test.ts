// The Workers entry (edge/worker.ts) in workerd under `wrangler dev`, offline, against a real sqld that
// was migrated and seeded with the demo data first: pages render from the worker, a sign-in holds, static
// files come through the assets binding, a merchant's photo goes into (simulated) R2 and back out, and
// the cron triggers run the timer jobs of src/jobs.ts.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createClient, type Client } from "@libsql/client";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DEMO_PASSWORD, demoStore } from "../db/seed-data.ts";
import { randomToken } from "../src/platform/crypto.ts";
import { startSqld, type Sqld } from "./fixtures/sqld.ts";
import { TestClient } from "./fixtures/test-app.ts";
import { DAILY_CRON, FREQUENT_CRON, migrateAndSeedForWorker, startWorker, type Worker } from "./fixtures/worker.ts";

const TINY_PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));

let sqld: Sqld;
let worker: Worker;
let db: Client;

beforeAll(async () => {
  sqld = await startSqld();
  await migrateAndSeedForWorker(sqld.url);
  db = createClient({ url: sqld.url });
  worker = await startWorker({ databaseUrl: sqld.url, env: { DEFAULT_LOCALE: "en" } });
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  db?.close();
  await sqld?.stop();
});

/** A browser on the worker: keeps cookies, sends the CSRF token its pages carry. */
const browser = () => new TestClient((request) => fetch(request), worker.baseUrl);

async function signedIn(email: string): Promise<TestClient> {
  const client = browser();
  await client.signIn(email, DEMO_PASSWORD);
  return client;
}

async function value(sql: string, args: (string | number)[] = []) {
  const result = await db.execute({ sql, args });
  return result.rows[0]?.[0];
}

describe("pages from the worker, data from sqld", () => {
  it("renders the home page and a demo product's page", async () => {
    // A title with no character that HTML escapes, so it appears in the page as stored.
    const product = await db.execute("SELECT id, title_en FROM products WHERE status = 'published' AND title_en NOT GLOB '*[''&<>\"]*' ORDER BY created_at LIMIT 1");
    const [id, title] = [String(product.rows[0]![0]), String(product.rows[0]![1])];

    const home = await browser().get("/");
    expect(home.status).toBe(200);
    const homeHtml = await home.text();
    expect(homeHtml).toContain(title);
    expect(homeHtml).toContain(demoStore.nameEn);

    const page = await browser().get(`/products/${id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(title);
    expect(html).toContain(demoStore.nameEn);
  });

  it("signs a demo shopper in with a Secure, HttpOnly session cookie that the next request carries", async () => {
    const client = browser();
    await client.get("/signin");
    const response = await client.post("/signin", { email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD });
    expect(response.status).toBe(303);
    const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith("bc_session="));
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
    const account = await client.get("/account");
    expect(account.status).toBe(200);
    expect(await account.text()).toContain("shopper@demo.broadcart.test");
  });

  it("signs a new shopper up (hashed in workerd within Cloudflare's PBKDF2 cap) and back in with that password", async () => {
    const email = `edge-${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, "x")}@example.com`;
    const client = browser();
    await client.get("/signup");
    const response = await client.post("/signup", { email, displayName: "Edge shopper", password: "long-enough-pw" });
    expect(response.status).toBe(303);
    // Cloudflare refuses PBKDF2 above 100 000 iterations in production (local workerd does not), so the worker hashes at that cap.
    expect(String(await value("SELECT password_hash FROM users WHERE email = ?", [email]))).toStartWith("$pbkdf2-sha256$i=100000$");

    const again = browser();
    await again.signIn(email, "long-enough-pw");
    expect(await (await again.get("/account")).text()).toContain(email);
  });

  it("signs in an account whose password a Bun instance hashed with argon2id, and re-hashes it for the edge", async () => {
    const email = `argon-${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, "x")}@example.com`;
    const argon = await Bun.password.hash("made-on-bun-pw", { algorithm: "argon2id" });
    const id = `usr_ARGON${randomToken(8).toUpperCase().replace(/[^A-Z0-9]/g, "X")}`;
    await db.execute({ sql: "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, 'Bun shopper', ?, ?)", args: [id, email, argon, Date.now()] });
    await db.execute({ sql: "INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'shopper', ?)", args: [id, Date.now()] });
    const client = browser();
    await client.signIn(email, "made-on-bun-pw");
    expect(await (await client.get("/account")).text()).toContain(email);
    expect(String(await value("SELECT password_hash FROM users WHERE id = ?", [id]))).toStartWith("$pbkdf2-sha256$i=100000$");
  });

  it("refuses a wrong password", async () => {
    const client = browser();
    await client.get("/signin");
    const response = await client.post("/signin", { email: "shopper@demo.broadcart.test", password: "not-the-password" });
    expect(response.status).not.toBe(303);
    expect(client.cookie("bc_session")).toBeUndefined();
  });
});

describe("moderation on a cold isolate", () => {
  it("refuses a community post with a term an officer banned before the worker started, from the worker's first requests", async () => {
    const term = `knockoffzq${randomToken(4).toLowerCase().replace(/[^a-z]/g, "")}`;
    await db.execute({
      sql: "INSERT INTO compliance_terms (term, kind, category, added_by, added_at) VALUES (?, 'banned', 'absolute', 'officer-test', ?)",
      args: [term, Date.now()],
    });
    const cold = await startWorker({ databaseUrl: sqld.url, env: { DEFAULT_LOCALE: "en" } });
    try {
      const owner = new TestClient((request) => fetch(request), cold.baseUrl);
      await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
      const storeId = String(await value("SELECT id FROM stores WHERE name_en = ?", [demoStore.nameEn]));
      const before = Number(await value("SELECT count(*) FROM community_posts"));
      const refused = await owner.postMultipart(`/stores/${storeId}/community/posts`, { body: `Genuine Longjing, no ${term} here` }, {}, { htmx: true });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain(`“${term}”`);
      expect(Number(await value("SELECT count(*) FROM community_posts"))).toBe(before);
    } finally {
      await cold.stop();
    }
  }, 240_000);
});

describe("static files through the assets binding", () => {
  it("serves the stylesheet and the vendored htmx byte for byte", async () => {
    const css = await fetch(`${worker.baseUrl}/static/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    expect(await css.text()).toBe(readFileSync(new URL("../static/app.css", import.meta.url), "utf8"));

    const htmx = await fetch(`${worker.baseUrl}/static/vendor/htmx.min.js`);
    expect(htmx.status).toBe(200);
    expect(await htmx.text()).toBe(readFileSync(createRequire(import.meta.url).resolve("htmx.org/dist/htmx.min.js"), "utf8"));

    expect((await fetch(`${worker.baseUrl}/static/no-such-file.css`)).status).toBe(404);
  });
});

describe("product photos in R2", () => {
  it("stores a merchant's upload in the bucket and serves it back to the store's staff only while a draft", async () => {
    const owner = await signedIn("owner@demo.broadcart.test");
    const storeId = String(await value("SELECT id FROM stores LIMIT 1"));
    await owner.get("/merchant/products/new");
    const code = `EDGE-${randomToken(4).toUpperCase().replace(/[^A-Z0-9]/g, "X")}`;
    const created = await owner.post("/merchant/products", {
      storeId,
      rows: "1",
      titleZh: "边缘测试茶",
      titleEn: "Edge test tea",
      descriptionZh: "测试。",
      descriptionEn: "Test.",
      "sku.0.optionZh": "标准",
      "sku.0.optionEn": "Standard",
      "sku.0.code": code,
      "sku.0.barcode": "",
      "sku.0.price": "20",
      "sku.0.stock": "3",
    });
    expect(created.status).toBe(303);
    const productId = created.headers.get("location")!.split("/").at(-1)!;

    await owner.get(`/merchant/products/${productId}`);
    const upload = await owner.postMultipart(`/merchant/products/${productId}/images`, {}, { image: new File([TINY_PNG], "tea.png", { type: "image/png" }) }, { htmx: true });
    expect(upload.status).toBe(200);
    const url = /\/media\/products\/img_\w+\.png/.exec(await upload.text())?.[0];
    expect(url).toBeDefined();
    expect(Number(await value("SELECT count(*) FROM product_images WHERE product_id = ?", [productId]))).toBe(1);

    const photo = await owner.request(url!);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(TINY_PNG);
    expect((await browser().request(url!)).status).toBe(404);
  });
});

describe("cron triggers", () => {
  it("wrangler.toml triggers exactly the two expressions the worker tells apart", () => {
    const config = Bun.TOML.parse(readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8")) as { triggers?: { crons?: string[] } };
    expect(config.triggers?.crons).toEqual([FREQUENT_CRON, DAILY_CRON]);
  });

  it("the frequent trigger expires an overdue unpaid order and puts its units back", async () => {
    const sku = await db.execute(
      "SELECT s.id, s.stock FROM skus s JOIN products p ON p.id = s.product_id WHERE p.status = 'published' AND s.stock >= 2 ORDER BY s.code LIMIT 1",
    );
    const [skuId, stockBefore] = [String(sku.rows[0]![0]), Number(sku.rows[0]![1])];
    const shopper = await signedIn("li.na@demo.broadcart.test");
    await shopper.get(`/checkout?sku=${skuId}`);
    const placed = await shopper.post("/checkout", {
      sku: skuId,
      quantity: "2",
      recipient: "李娜",
      phone: "13800138000",
      region: "浙江省杭州市西湖区",
      street: "龙井路 1 号",
      paymentMethod: "offline",
      idempotencyKey: randomToken(24),
    });
    expect(placed.status).toBe(303);
    const orderId = /\/orders\/(ord_[0-9A-Z]+)/.exec(placed.headers.get("location") ?? "")?.[1];
    expect(orderId).toBeDefined();
    expect(await value("SELECT status FROM orders WHERE id = ?", [orderId!])).toBe("pending_payment");
    expect(Number(await value("SELECT stock FROM skus WHERE id = ?", [skuId]))).toBe(stockBefore - 2);
    // The risk rules' client IP comes from the CF-Connecting-IP header, which workerd sets as Cloudflare does.
    expect(String(await value("SELECT client_ip FROM orders WHERE id = ?", [orderId!]))).toMatch(/^[0-9a-f.:]{2,45}$/);

    await worker.runScheduled(FREQUENT_CRON);
    expect(await value("SELECT status FROM orders WHERE id = ?", [orderId!])).toBe("pending_payment"); // not overdue yet

    await db.execute({ sql: "UPDATE orders SET expires_at = ? WHERE id = ?", args: [Date.now() - 60_000, orderId!] });
    await worker.runScheduled(FREQUENT_CRON);
    expect(await value("SELECT status FROM orders WHERE id = ?", [orderId!])).toBe("expired");
    expect(Number(await value("SELECT stock FROM skus WHERE id = ?", [skuId]))).toBe(stockBefore);
    expect(Number(await value("SELECT count(*) FROM stock_movements WHERE order_id = ? AND reason = 'release'", [orderId!]))).toBe(1);
  });

  it("the daily trigger runs the retention purge (and the frequent one does not)", async () => {
    const runs = () => value("SELECT count(*) FROM audit_entries WHERE action = 'retention.purged'").then(Number);
    const before = await runs();
    await worker.runScheduled(FREQUENT_CRON);
    expect(await runs()).toBe(before);
    await worker.runScheduled(DAILY_CRON);
    expect(await runs()).toBe(before + 1);
  });
});
