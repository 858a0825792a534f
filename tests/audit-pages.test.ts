// The officers' audit pages: search by actor, action, subject and time; an entry's detail; the
// route/role guard on every audit route.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import type { Clock } from "../src/platform/clock.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let now = new Date("2030-03-04T05:06:00Z");
const clock: Clock = { now: () => now };
let app: TestApp;
let officer: TestClient;

const sql = (statement: string, args: (string | number)[] = []) => app.database.client.execute({ sql: statement, args });
const seqs = (html: string) => [...html.matchAll(/<a href="\/compliance\/audit\/(\d+)">/g)].map((m) => Number(m[1]));

beforeAll(async () => {
  app = await startTestApp({ clock });
  officer = app.client();
  await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
  // Enough entries for more than one page.
  for (let i = 0; i < 60; i++) {
    await app.database.write((tx) => app.services.audit.record(tx, { actor: { type: "system", id: "filler" }, action: "test.filler", subject: `thing:f${i}`, data: { i } }));
  }
  // A change with before/after data, recorded an hour later (13:06 in Asia/Shanghai).
  now = new Date("2030-03-04T06:06:30Z");
  await app.database.write((tx) =>
    app.services.audit.record(tx, { actor: { type: "system", id: "audit-pages" }, action: "test.changed", subject: "thing:t1", data: { before: { price: 100 }, after: { price: 120 } } }),
  );
});
afterAll(() => app.close());

describe("audit search", () => {
  it("lists the newest entries first, 50 a page, with a link to older ones", async () => {
    const page = await officer.get("/compliance/audit");
    expect(page.status).toBe(200);
    const html = await page.text();
    const listed = seqs(html);
    expect(listed.length).toBe(50);
    expect(listed).toEqual([...listed].sort((a, b) => b - a));
    const max = Number((await sql("SELECT max(seq) AS n FROM audit_entries")).rows[0]!.n);
    expect(listed[0]).toBe(max);
    const older = /href="(\/compliance\/audit\?before=(\d+))"/.exec(html.replaceAll("&amp;", "&"));
    expect(older?.[2]).toBe(String(listed[49]));
    const next = await officer.get(older![1]!, { htmx: true });
    const fragment = await next.text();
    expect(fragment.startsWith('<div id="audit-results">')).toBe(true);
    expect(seqs(fragment)[0]).toBe(listed[49]! - 1);
  });

  it("filters by action prefix", async () => {
    const html = await (await officer.get("/compliance/audit?action=account.", { htmx: true })).text();
    const listed = seqs(html);
    expect(listed.length).toBeGreaterThan(0);
    const rows = await sql(`SELECT seq FROM audit_entries WHERE action LIKE 'account.%' ORDER BY seq DESC LIMIT 50`);
    expect(listed).toEqual(rows.rows.map((row) => Number(row.seq)));
    expect(html).not.toContain("<code>store.created</code>");
  });

  it("filters by actor and subject", async () => {
    const byActor = await (await officer.get("/compliance/audit?actorType=system&actorId=audit-pages", { htmx: true })).text();
    const [row] = (await sql("SELECT seq FROM audit_entries WHERE action = 'test.changed'")).rows;
    expect(seqs(byActor)).toEqual([Number(row!.seq)]);
    const bySubject = await (await officer.get("/compliance/audit?subject=thing:t", { htmx: true })).text();
    expect(seqs(bySubject)).toEqual([Number(row!.seq)]);
    const noMatch = await (await officer.get("/compliance/audit?actorType=device&actorId=audit-pages", { htmx: true })).text();
    expect(seqs(noMatch)).toEqual([]);
    expect(noMatch).toContain("No entries match.");
  });

  it("filters by time, typed in the shop's zone", async () => {
    // Asia/Shanghai is UTC+8: the change was recorded at 14:06 there, the officer signed in at 13:06.
    const html = await (await officer.get("/compliance/audit?from=2030-03-04T14:06&to=2030-03-04T14:06", { htmx: true })).text();
    expect(html).toContain("<code>test.changed</code>");
    expect(seqs(html).length).toBe(1);
    const signIn = await (await officer.get("/compliance/audit?action=account.&from=2030-03-04T13:06&to=2030-03-04T13:06", { htmx: true })).text();
    expect(signIn).toContain("<code>account.signed_in</code>");
    expect(signIn).not.toContain("<code>test.changed</code>");
    const bad = await officer.get("/compliance/audit?from=yesterday", { htmx: true });
    expect(bad.status).toBe(400);
  });

  it("shows an entry with all its fields and its before/after data", async () => {
    const [row] = (await sql("SELECT seq, hash, prev_hash FROM audit_entries WHERE action = 'test.changed'")).rows;
    const page = await officer.get(`/compliance/audit/${row!.seq}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const text of ["test.changed", "thing:t1", "system:audit-pages", String(row!.hash), String(row!.prev_hash), "Before", "After", "&quot;price&quot;: 120"]) expect(html).toContain(text);
    expect((await officer.get("/compliance/audit/999999")).status).toBe(404);
    expect((await officer.get("/compliance/audit/nope")).status).toBe(404);
  });

  it("verifies the chain from the page", async () => {
    await officer.get("/compliance/audit");
    const res = await officer.post("/compliance/audit/verify", {}, { htmx: true });
    expect(await res.text()).toContain("Chain intact");
  });

  it("refuses shoppers, hosts and merchants on every audit route", async () => {
    for (const email of ["shopper@demo.broadcart.test", "host.lin@demo.broadcart.test", "owner@demo.broadcart.test"]) {
      const client = app.client();
      await client.signIn(email, DEMO_PASSWORD);
      for (const path of ["/compliance/audit", "/compliance/audit/1", "/compliance/audit/export"]) {
        expect(`${email} ${path} ${(await client.request(path)).status}`).toBe(`${email} ${path} 403`);
      }
      expect((await client.post("/compliance/audit/verify", {})).status).toBe(403);
    }
  });
});
