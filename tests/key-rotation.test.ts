// Data key rotation through the real app: personal data is sealed under key "a" (an order's address, a
// host's real name and ID number, a till device's secret, and an address sealed before key ids existed).
// The app restarts with key "b" current and "a" retired: pages still show the data. The rotation then
// re-seals everything under "b" (checked by scanning every text column of every table) and audits it,
// after which "b" alone opens everything. `npm run data:reseal` does the same from the command line.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@libsql/client";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { bootstrap } from "../src/bootstrap.ts";
import { parseConfig } from "../src/config.ts";
import { toBase64Url } from "../src/platform/crypto.ts";
import { address, checkoutFields, orderIdFrom, scalar, testProduct } from "./fixtures/commerce.ts";
import { pairDevice, signedRequest } from "./fixtures/pos.ts";
import { fastTestPasswords, startTestApp, TEST_SESSION_SECRET, TestClient, type TestApp } from "./fixtures/test-app.ts";

type DataKey = { id: string; key: string };
/** The key tests/fixtures/test-app.ts configures, under which the demo seed sealed its order. */
const FIXTURE_KEY: DataKey = { id: "k1", key: "test-data-key-that-is-long-enough-0123456789" };
const A: DataKey = { id: "a", key: "rotation-key-a-that-is-long-enough-0123456789" };
const B: DataKey = { id: "b", key: "rotation-key-b-that-is-long-enough-0123456789" };
const REAL_NAME = "欧阳晓蕾";
const ID_NUMBER = "11010519491231002X";
const LEGACY_STREET = "虎跑路 2 号";

const keysEnv = (current: DataKey, retired: DataKey[] = []) => ({
  DATA_KEY: current.key,
  DATA_KEY_ID: current.id,
  DATA_KEYS_RETIRED: retired.map(({ id, key }) => `${id}:${key}`).join(","),
});

/** Opens the app again on an existing database file, as a restart with another environment would. */
async function reopen(app: TestApp, env: Record<string, string>): Promise<TestApp> {
  const config = parseConfig({ DATABASE_URL: `file:${app.databaseFile}`, SESSION_SECRET: TEST_SESSION_SECRET, LOG_LEVEL: "silent", DEMO_DATA: "never", DEFAULT_LOCALE: "en", ...env });
  const runtime = await bootstrap(config, { passwords: fastTestPasswords() });
  return { ...runtime, dir: app.dir, databaseFile: app.databaseFile, client: () => new TestClient((request) => runtime.app.fetch(request)), close: () => runtime.database.close() };
}

const SEALED = /^(?:v1|v2\.([a-z0-9-]{1,16}))\.[\w-]{16}\.[\w-]+$/;

/** Every sealed value in the database: "table.column" → the key ids they name ("v1" for a value from before key ids). */
async function sealedKeyIds(client: Client): Promise<Record<string, string[]>> {
  const tables = (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")).rows.map((r) => String(r.name));
  const found: Record<string, string[]> = {};
  for (const table of tables) {
    const columns = (await client.execute(`PRAGMA table_info("${table}")`)).rows.filter((c) => /TEXT|^$/i.test(String(c.type))).map((c) => String(c.name));
    for (const column of columns) {
      const values = (await client.execute(`SELECT "${column}" AS value FROM "${table}" WHERE "${column}" GLOB 'v[12].*'`)).rows.map((r) => String(r.value));
      const ids = new Set(values.map((value) => SEALED.exec(value)).filter((m) => m !== null).map((m) => m[1] ?? "v1"));
      if (ids.size) found[`${table}.${column}`] = [...ids].sort();
    }
  }
  return found;
}

/** A value as the sealer wrote it before key ids: "v1.<iv>.<ciphertext>". */
async function sealV1(dataKey: string, plaintext: string): Promise<string> {
  const encoder = new TextEncoder();
  const material = await crypto.subtle.importKey("raw", encoder.encode(dataKey), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: encoder.encode("broadcart"), info: encoder.encode("personal-data v1") }, material, { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, encoder.encode(plaintext)));
  return `v1.${toBase64Url(iv)}.${toBase64Url(ciphertext)}`;
}

describe("rotating the data key", () => {
  let first: TestApp;
  let app: TestApp;
  let shopperToken: string;
  let orderId: string;
  let legacyOrderId: string;
  let hostId: string;
  let device: { deviceId: string; secret: string };
  let skuId: string;

  beforeAll(async () => {
    // Under key "a"; the demo seed's order is under the fixture's "k1", which stays retired throughout.
    first = await startTestApp({ passwords: fastTestPasswords(), env: keysEnv(A, [FIXTURE_KEY]) });
    const { user, token } = await first.services.accounts.signUp({ email: "rotation.shopper@example.com", displayName: "Rotation shopper", password: "long-enough-password" });
    shopperToken = token;
    const shopper = first.client();
    await shopper.adoptSession(token);
    ({ skuId } = await testProduct(first, { priceFen: 1_200, stock: 5 }));
    await shopper.get(`/checkout?sku=${skuId}`);
    orderId = orderIdFrom(await shopper.post("/checkout", checkoutFields({ sku: skuId, quantity: "1" })));
    await shopper.get(`/checkout?sku=${skuId}`);
    legacyOrderId = orderIdFrom(await shopper.post("/checkout", checkoutFields({ sku: skuId, quantity: "1" })));
    const legacy = await sealV1(A.key, JSON.stringify({ ...address, street: LEGACY_STREET }));
    await first.database.client.execute({ sql: "UPDATE orders SET address_sealed = ? WHERE id = ? AND user_id = ?", args: [legacy, legacyOrderId, user.id] });

    const host = await first.services.accounts.createAccount({ email: "rotation.host@example.com", displayName: "新主播", password: "long-enough-password", roles: ["host", "shopper"] }, { type: "system", id: "test" });
    hostId = host.id;
    await first.services.hostVerification.submit(hostId, REAL_NAME, ID_NUMBER);
    device = await pairDevice(first);
    first.database.close();
  }, 60_000);

  afterAll(() => {
    app?.close();
    rmSync(first.dir, { recursive: true, force: true });
  });

  /** What pages and the till show only if every seal still opens. */
  async function expectEverythingOpens(app: TestApp) {
    const shopper = app.client();
    await shopper.adoptSession(shopperToken);
    const order = await shopper.get(`/orders/${orderId}`);
    expect(order.status).toBe(200);
    const orderPage = await order.text();
    expect(orderPage).toContain(address.recipient);
    expect(orderPage).toContain(address.street);
    expect(await (await shopper.get(`/orders/${legacyOrderId}`)).text()).toContain(LEGACY_STREET);

    const officer = app.client();
    await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
    expect(await (await officer.get("/compliance/hosts")).text()).toContain("110105********002X");
    const revealed = await officer.post(`/compliance/hosts/${hostId}/reveal`, { reason: "checking the rotation" }, { htmx: true });
    expect(revealed.status).toBe(200);
    expect(await revealed.text()).toContain(REAL_NAME);

    expect((await signedRequest(app, device, "GET", "/pos/v1/display")).status).toBe(200);
  }

  it("keeps showing data sealed under a retired key after a restart with a new current key", async () => {
    app = await reopen(first, keysEnv(B, [A, FIXTURE_KEY]));
    expect(await sealedKeyIds(app.database.client)).toEqual({
      "orders.address_sealed": ["a", "k1", "v1"],
      "host_verifications.real_name_sealed": ["a"],
      "host_verifications.id_number_sealed": ["a"],
      "pos_devices.secret_sealed": ["a"],
    });
    await expectEverythingOpens(app);
  });

  it("re-seals every sealed value under the current key and audits the run once", async () => {
    const orders = await scalar(app, "SELECT count(*) FROM orders");
    const run = await app.services.keyRotation.run();
    expect(run).toMatchObject({ keyId: "b", failed: {}, resealed: { order_addresses: orders, host_verifications: 1, pos_device_secrets: 1 } });

    expect(await sealedKeyIds(app.database.client)).toEqual({
      "orders.address_sealed": ["b"],
      "host_verifications.real_name_sealed": ["b"],
      "host_verifications.id_number_sealed": ["b"],
      "pos_devices.secret_sealed": ["b"],
    });
    const [entry] = await app.services.audit.recent(1);
    expect(entry).toMatchObject({ seq: run.auditSeq, action: "personal_data.resealed", subject: "data_key:b", actor: { type: "system", id: "key-rotation" } });
    expect(entry!.data).toEqual({ keyId: "b", resealed: { order_addresses: orders, host_verifications: 1, pos_device_secrets: 1 } });
    expect((await app.services.audit.verifyChain()).intact).toBe(true);

    // The address key (risk rules count orders per address by it) is recomputed too, so an order
    // placed now to the same address matches the re-sealed one.
    const shopper = app.client();
    await shopper.adoptSession(shopperToken);
    await shopper.get(`/checkout?sku=${skuId}`);
    const newOrderId = orderIdFrom(await shopper.post("/checkout", checkoutFields({ sku: skuId, quantity: "1" })));
    const addressKeys = await app.database.client.execute({ sql: "SELECT id, address_key FROM orders WHERE id IN (?, ?)", args: [orderId, newOrderId] });
    expect(addressKeys.rows).toHaveLength(2);
    expect(addressKeys.rows[0]!.address_key).not.toBeNull();
    expect(addressKeys.rows[0]!.address_key).toBe(addressKeys.rows[1]!.address_key);

    const again = await app.services.keyRotation.run();
    expect(again.resealed).toEqual({ order_addresses: 0, host_verifications: 0, pos_device_secrets: 0 });
    expect(again.auditSeq).toBeGreaterThan(run.auditSeq);
  });

  it("opens everything with the new key alone once the rotation ran", async () => {
    app.close();
    app = await reopen(first, keysEnv(B));
    await expectEverythingOpens(app);
  });
});

describe("npm run data:reseal", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  let app: TestApp;

  beforeAll(async () => {
    // The demo seed's order is sealed under the fixture's key "k1".
    app = await startTestApp({ passwords: fastTestPasswords() });
    app.database.close();
  }, 60_000);
  afterAll(() => rmSync(app.dir, { recursive: true, force: true }));

  async function reseal(env: Record<string, string>) {
    const child = Bun.spawn([process.execPath, "scripts/reseal.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", LOG_LEVEL: "silent", SESSION_SECRET: TEST_SESSION_SECRET, DATABASE_URL: `file:${app.databaseFile}`, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { stdout, stderr, code };
  }

  it("stops with one line naming DATA_KEYS_RETIRED when it is malformed, and never shows the key", async () => {
    const { stdout, stderr, code } = await reseal({ ...keysEnv(B), DATA_KEYS_RETIRED: "k1:too-short-a-secret-key" });
    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr.startsWith("config: DATA_KEYS_RETIRED must be comma-separated id:key pairs")).toBe(true);
    expect(stderr).not.toContain("too-short-a-secret-key");
  }, 30_000);

  it("fails with one line naming the source and the key when a value's key is not configured", async () => {
    const { stdout, stderr, code } = await reseal(keysEnv(B));
    expect(code).toBe(1);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^reseal failed: order_addresses: ord_\w+: sealed under data key "k1"/);
    expect(stdout).toContain("resealed under data key b: host_verifications 0, pos_device_secrets 0");
  }, 30_000);

  it("re-seals the configured database under the current key and prints the counts", async () => {
    const { stdout, stderr, code } = await reseal(keysEnv(B, [FIXTURE_KEY]));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const client = createClient({ url: `file:${app.databaseFile}` });
    try {
      const orders = Number((await client.execute("SELECT count(*) AS n FROM orders")).rows[0]!.n);
      expect(orders).toBeGreaterThan(0);
      expect(stdout.trim()).toMatch(new RegExp(`^resealed under data key b: order_addresses ${orders}, host_verifications 0, pos_device_secrets 0 \\(audit entry \\d+\\)$`));
      expect(await sealedKeyIds(client)).toEqual({ "orders.address_sealed": ["b"] });
      const [entry] = (await client.execute("SELECT action, data FROM audit_entries ORDER BY seq DESC LIMIT 1")).rows;
      expect(entry!.action).toBe("personal_data.resealed");
      expect(JSON.parse(String(entry!.data))).toEqual({ keyId: "b", resealed: { order_addresses: orders, host_verifications: 0, pos_device_secrets: 0 } });
    } finally {
      client.close();
    }
  }, 30_000);
});
