import { afterAll, beforeEach, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;
beforeEach(async () => {
  app?.close();
  app = await startTestApp();
});
afterAll(() => app.close());

const sql = (statement: string, args: (string | number)[] = []) => app.database.client.execute({ sql: statement, args });

describe("audit trail", () => {
  it("records the seed, sign-ups, sign-ins and role changes, and the chain verifies", async () => {
    const actions = new Set((await sql("SELECT action FROM audit_entries")).rows.map((row) => row.action));
    for (const action of ["account.created", "store.created", "product.created", "live.scheduled", "live.started", "live.ended"]) expect(actions).toContain(action);
    const verdict = await app.services.audit.verifyChain();
    expect(verdict.intact).toBe(true);
    expect(verdict.entries).toBe(Number((await sql("SELECT count(*) AS n FROM audit_entries")).rows[0]!.n));
  });

  it("names an entry whose content was edited in the database", async () => {
    await sql("UPDATE audit_entries SET data = ? WHERE seq = 5", ['{"roles":["admin"]}']);
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: false, brokenAt: 5, reason: "altered" });
  });

  it("names an entry whose actor was edited", async () => {
    await sql("UPDATE audit_entries SET actor_id = 'someone-else' WHERE seq = 9");
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: false, brokenAt: 9, reason: "altered" });
  });

  it("names an entry whose time was edited", async () => {
    await sql("UPDATE audit_entries SET at = at - 3600000 WHERE seq = 4");
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: false, brokenAt: 4, reason: "altered" });
  });

  it("names a deleted entry", async () => {
    await sql("DELETE FROM audit_entries WHERE seq = 7");
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: false, brokenAt: 7, reason: "missing" });
  });

  it("notices the newest entries deleted from the end", async () => {
    const last = Number((await sql("SELECT max(seq) AS n FROM audit_entries")).rows[0]!.n);
    await sql("DELETE FROM audit_entries WHERE seq >= ?", [last - 1]);
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: false, brokenAt: last - 1, reason: "tail_missing" });
  });

  it("names reordered entries", async () => {
    await sql("UPDATE audit_entries SET seq = -1 WHERE seq = 3");
    await sql("UPDATE audit_entries SET seq = 3 WHERE seq = 4");
    await sql("UPDATE audit_entries SET seq = 4 WHERE seq = -1");
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: false, brokenAt: 3 });
  });

  it("finds an edit even when the forger recomputed that entry's own hash", async () => {
    const { entryHash } = await import("../modules/compliance/audit-chain.ts");
    const row = (await sql("SELECT * FROM audit_entries WHERE seq = 6")).rows[0]!;
    const forged = { seq: 6, at: new Date(Number(row.at)), actorType: String(row.actor_type), actorId: String(row.actor_id), action: String(row.action), subject: String(row.subject), data: '{"forged":true}', prevHash: String(row.prev_hash) };
    await sql("UPDATE audit_entries SET data = ?, hash = ? WHERE seq = 6", [forged.data, await entryHash(forged)]);
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: false, brokenAt: 7 });
  });

  it("verifies across batches as well as in one", async () => {
    expect((await app.services.audit.verifyChain(3)).intact).toBe(true);
    await sql("DELETE FROM audit_entries WHERE seq = 10");
    expect(await app.services.audit.verifyChain(3)).toMatchObject({ intact: false, brokenAt: 10 });
  });

  it("writes nothing when the change it records fails", async () => {
    const before = Number((await sql("SELECT count(*) AS n FROM audit_entries")).rows[0]!.n);
    await expect(app.services.accounts.setRoles({ type: "system", id: "test" }, "usr_missing", ["host"])).rejects.toThrow();
    expect(Number((await sql("SELECT count(*) AS n FROM audit_entries")).rows[0]!.n)).toBe(before);
  });

  it("keeps one unbroken chain under concurrent sign-ins", async () => {
    await Promise.all(Array.from({ length: 20 }, () => app.services.accounts.signIn("shopper@demo.broadcart.test", DEMO_PASSWORD)));
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  });

  it("lets an officer verify the chain from the audit page and see the break", async () => {
    const officer = app.client();
    await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
    const page = await officer.get("/compliance/audit");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("account.signed_in");
    const intact = await officer.post("/compliance/audit/verify", {}, { htmx: true });
    expect(await intact.text()).toContain("Chain intact");
    await sql("UPDATE audit_entries SET subject = 'user:nobody' WHERE seq = 2");
    const broken = await officer.post("/compliance/audit/verify", {}, { htmx: true });
    expect(await broken.text()).toContain("Chain broken at entry #2");
  });
});
