import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";
import { DEMO_PASSWORD } from "../db/seed-data.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function userCount() {
  return (await app.services.accounts.listUsers()).length;
}

describe("sign up", () => {
  it("creates a shopper account, signs it in and records both in the audit trail", async () => {
    const client = app.client();
    await client.get("/signup");
    const response = await client.post("/signup", { email: "  New.Shopper@Example.com ", displayName: "新买家", password: "long-enough-pw" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/account");
    const account = await client.get("/account");
    expect(account.status).toBe(200);
    const html = await account.text();
    expect(html).toContain("new.shopper@example.com");
    expect(html).toContain("新买家");
    const recent = await app.services.audit.recent(2);
    expect(recent.map((entry) => entry.action).sort()).toEqual(["account.created", "account.signed_in"]);
  });

  const invalid: [string, Record<string, string>, RegExp][] = [
    ["an empty email", { email: "", displayName: "A", password: "long-enough-pw" }, /Enter your email address/],
    ["an over-long email", { email: `${"a".repeat(250)}@example.com`, displayName: "A", password: "long-enough-pw" }, /at most 254 characters/],
    ["a malformed email", { email: "not-an-email", displayName: "A", password: "long-enough-pw" }, /valid email address/],
    ["a short password", { email: "short@example.com", displayName: "A", password: "short" }, /at least 8 characters/],
    ["an already-used email", { email: "shopper@demo.broadcart.test", displayName: "A", password: "long-enough-pw" }, /already exists/],
    ["an already-used email in other case", { email: "SHOPPER@demo.broadcart.test", displayName: "A", password: "long-enough-pw" }, /already exists/],
  ];
  for (const [what, fields, message] of invalid) {
    it(`re-renders the form with the message in place (422) and creates nothing for ${what}`, async () => {
      const before = await userCount();
      const client = app.client();
      await client.get("/signup");
      const response = await client.post("/signup", fields);
      expect(response.status).toBe(422);
      const html = await response.text();
      expect(html).toMatch(message);
      expect(html).toContain('aria-invalid="true"');
      expect(html).toContain("<!doctype html>");
      expect(await userCount()).toBe(before);
      expect(client.cookie("bc_session")).toBeUndefined();
    });
  }

  it("answers an HTMX submit with just the form fragment, errors in place", async () => {
    const client = app.client();
    await client.get("/signup");
    const response = await client.post("/signup", { email: "", displayName: "", password: "" }, { htmx: true });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html.startsWith('<form id="sign-up"')).toBe(true);
    expect(html).toContain("Enter your email address");
    expect(html).toContain("Enter a password");
  });

  it("keeps the typed email but never echoes the password", async () => {
    const client = app.client();
    await client.get("/signup");
    const html = await (await client.post("/signup", { email: "keep@example.com", displayName: "K", password: "tiny" })).text();
    expect(html).toContain('value="keep@example.com"');
    expect(html).not.toContain("tiny");
  });
});

describe("sign in and out", () => {
  it("signs in with the demo password and lands on the page that was asked for", async () => {
    const client = app.client();
    const gate = await client.get("/account");
    expect(gate.status).toBe(303);
    expect(gate.headers.get("location")).toBe("/signin?next=%2Faccount");
    await client.get("/signin?next=%2Faccount");
    const response = await client.post("/signin", { email: "officer@demo.broadcart.test", password: DEMO_PASSWORD, next: "/account" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/account");
  });

  it("issues an HttpOnly, SameSite=Lax session cookie that is Secure over https", async () => {
    const client = app.client();
    await client.get("/signin");
    const plain = await client.post("/signin", { email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD });
    const cookie = plain.headers.getSetCookie().find((c) => c.startsWith("bc_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const https = new (client.constructor as typeof import("./fixtures/test-app.ts").TestClient)((r) => app.app.fetch(r), "https://shop.example");
    await https.get("/signin");
    const secure = await https.post("/signin", { email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD });
    expect(secure.headers.getSetCookie().find((c) => c.startsWith("bc_session="))).toMatch(/Secure/);
  });

  it("refuses a wrong password with the same message as an unknown email", async () => {
    const client = app.client();
    await client.get("/signin");
    const wrong = await client.post("/signin", { email: "shopper@demo.broadcart.test", password: "wrong-password" });
    const unknown = await client.post("/signin", { email: "nobody@example.com", password: "wrong-password" });
    expect(wrong.status).toBe(422);
    expect(unknown.status).toBe(422);
    expect(await wrong.text()).toContain("do not match an account");
    expect(await unknown.text()).toContain("do not match an account");
    expect(client.cookie("bc_session")).toBeUndefined();
  });

  it("never redirects off-site after sign-in", async () => {
    const client = app.client();
    await client.get("/signin");
    const response = await client.post("/signin", { email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD, next: "//evil.example/steal" });
    expect(response.headers.get("location")).toBe("/");
  });

  it("ends the session on the server at sign-out, so the old cookie no longer works", async () => {
    const client = app.client();
    await client.signIn("shopper@demo.broadcart.test", DEMO_PASSWORD);
    const stolen = client.cookie("bc_session")!;
    const out = await client.post("/signout");
    expect(out.status).toBe(303);
    const replay = app.client();
    await replay.request("/", { headers: { cookie: `bc_session=${stolen}` } });
    const response = await replay.request("/account", { headers: { cookie: `bc_session=${stolen}` } });
    expect(response.status).toBe(303);
  });

  it("ignores a session cookie whose signature was tampered with", async () => {
    const client = app.client();
    await client.signIn("shopper@demo.broadcart.test", DEMO_PASSWORD);
    const [token] = client.cookie("bc_session")!.split(".");
    const response = await app.client().request("/account", { headers: { cookie: `bc_session=${token}.AAAA` } });
    expect(response.status).toBe(303);
  });
});

describe("roles", () => {
  it("lets an admin change a user's roles and records the change", async () => {
    const admin = app.client();
    await admin.signIn("admin@demo.broadcart.test", DEMO_PASSWORD);
    const target = (await app.services.accounts.findByEmail("li.na@demo.broadcart.test"))!;
    const response = await admin.post(`/admin/users/${target.id}/roles`, { roles: ["shopper", "host"] }, { htmx: true });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Roles saved");
    expect((await app.services.accounts.findByEmail("li.na@demo.broadcart.test"))!.roles).toEqual(["host", "shopper"]);
    const [entry] = await app.services.audit.recent(1);
    expect(entry!.action).toBe("account.roles_changed");
    expect(entry!.data).toEqual({ before: ["shopper"], after: ["host", "shopper"] });
    expect(entry!.actor.id).not.toBe(target.id);
  });

  it("will not take the admin role from the only admin, so the platform keeps an administrator", async () => {
    const admin = app.client();
    await admin.signIn("admin@demo.broadcart.test", DEMO_PASSWORD);
    const self = (await app.services.accounts.findByEmail("admin@demo.broadcart.test"))!;
    const response = await admin.post(`/admin/users/${self.id}/roles`, { roles: ["shopper"] }, { htmx: true });
    expect(response.status).toBe(409);
    const html = await response.text();
    expect(html).toContain("only admin account");
    expect(html).toContain(`id="roles-${self.id}"`);
    expect((await app.services.accounts.findByEmail("admin@demo.broadcart.test"))!.roles).toEqual(["admin"]);
  });

  it("refuses a role that does not exist", async () => {
    const admin = app.client();
    await admin.signIn("admin@demo.broadcart.test", DEMO_PASSWORD);
    const target = (await app.services.accounts.findByEmail("emma@demo.broadcart.test"))!;
    const response = await admin.post(`/admin/users/${target.id}/roles`, { roles: ["superuser"] });
    expect(response.status).toBe(422);
    expect((await app.services.accounts.findByEmail("emma@demo.broadcart.test"))!.roles).toEqual(["shopper"]);
  });
});

describe("password guessing", () => {
  it("pauses sign-in for an email after ten wrong passwords, even with the right one, and says so", async () => {
    const email = "li.na@demo.broadcart.test";
    const client = app.client();
    await client.get("/signin");
    for (let i = 0; i < 10; i++) expect((await client.post("/signin", { email, password: `guess-${i}` })).status).toBe(422);
    const paused = await client.post("/signin", { email, password: DEMO_PASSWORD });
    expect(paused.status).toBe(429);
    expect(await paused.text()).toContain("Too many failed sign-ins");
    expect(client.cookie("bc_session")).toBeUndefined();
    // Other accounts are unaffected.
    expect((await client.post("/signin", { email: "emma@demo.broadcart.test", password: DEMO_PASSWORD })).status).toBe(303);
  });

  it("forgets failures after a successful sign-in", async () => {
    const email = "staff@demo.broadcart.test";
    const client = app.client();
    await client.get("/signin");
    for (let i = 0; i < 9; i++) await client.post("/signin", { email, password: `guess-${i}` });
    expect((await client.post("/signin", { email, password: DEMO_PASSWORD })).status).toBe(303);
    for (let i = 0; i < 9; i++) await client.post("/signin", { email, password: `guess-${i}` });
    expect((await client.post("/signin", { email, password: DEMO_PASSWORD })).status).toBe(303);
  });
});
