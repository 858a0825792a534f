import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const signUp = { email: "csrf-victim@example.com", displayName: "Victim", password: "long-enough-pw" };

describe("CSRF protection", () => {
  it("refuses a form post without a token with 403 and creates nothing", async () => {
    const client = app.client();
    await client.get("/signup");
    const response = await client.post("/signup", signUp, { csrf: false });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("This form has expired");
    expect(await app.services.accounts.findByEmail(signUp.email)).toBeNull();
  });

  it("refuses a post from a browser that never loaded a page (no CSRF cookie)", async () => {
    const response = await app.client().request("/signin", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD, _csrf: "x".repeat(43) }),
    });
    expect(response.status).toBe(403);
  });

  it("refuses a token that belongs to another browser", async () => {
    const attacker = app.client();
    await attacker.get("/signup");
    const victim = app.client();
    await victim.get("/signup");
    victim.csrfToken = attacker.csrfToken;
    expect((await victim.post("/signup", signUp)).status).toBe(403);
  });

  it("refuses a valid token sent from another origin", async () => {
    const client = app.client();
    await client.get("/signin");
    const response = await client.request("/signin", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: new URLSearchParams({ email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD, _csrf: client.csrfToken! }),
    });
    expect(response.status).toBe(403);
  });

  it("accepts an HTMX request that carries the token in the X-CSRF-Token header", async () => {
    const client = app.client();
    await client.get("/signin");
    const response = await client.request("/signin", {
      method: "POST",
      htmx: true,
      headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": client.csrfToken! },
      body: new URLSearchParams({ email: "shopper@demo.broadcart.test", password: DEMO_PASSWORD }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("hx-redirect")).toBe("/");
  });

  it("refuses an HTMX request without a token with a fragment the page can show", async () => {
    const client = app.client();
    await client.get("/signin");
    const response = await client.request("/signout", { method: "POST", htmx: true });
    expect(response.status).toBe(403);
    const html = await response.text();
    expect(html).not.toContain("<html");
    expect(html).toContain('role="alert"');
  });

  it("answers an API caller with JSON", async () => {
    const client = app.client();
    await client.get("/signin");
    const response = await client.request("/signin", { method: "POST", headers: { accept: "application/json" } });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe("csrf_rejected");
  });

  it("keeps the CSRF cookie HttpOnly and SameSite=Lax", async () => {
    const response = await app.client().request("/");
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("bc_csrf="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });
});
