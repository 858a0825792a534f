import { afterAll, beforeEach, describe, expect, it } from "bun:test";
import { readFileSync, existsSync } from "node:fs";
import { createHostVerification, HostNotVerified, type Actor, type HostVerification } from "../modules/compliance/index.ts";
import { createSealer } from "../src/platform/sealing.ts";
import type { Clock } from "../src/platform/clock.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

// The DATA_KEY tests/fixtures/test-app.ts configures, so the app's own sealer opens what this one seals.
const DATA_KEY = "test-data-key-that-is-long-enough-0123456789";
// Not the host's display name (林小夏), which the accounts table holds in clear text by design.
const REAL_NAME = "欧阳晓蕾";

let app: TestApp;
let verification: HostVerification;
let now: Date;
let hostId: string;
let officer: Actor;

beforeEach(async () => {
  app?.close();
  app = await startTestApp();
  now = new Date("2025-03-01T12:00:00Z");
  const clock: Clock = { now: () => now };
  verification = createHostVerification({ database: app.database, audit: app.services.audit, clock, sealer: createSealer(DATA_KEY) });
  // A new host: the demo hosts are approved by the seed.
  const host = await app.services.accounts.createAccount({ email: "new.host@example.com", displayName: "新主播", password: "long-enough-password", roles: ["host", "shopper"] }, { type: "system", id: "test" });
  hostId = host.id;
  officer = { type: "user", id: (await app.services.accounts.findByEmail("officer@demo.broadcart.test"))!.id };
});
afterAll(() => app.close());

const sql = async (statement: string, args: string[] = []) => (await app.database.client.execute({ sql: statement, args })).rows;
const auditFor = (userId: string) =>
  sql("SELECT action, actor_type, actor_id, data FROM audit_entries WHERE subject = ? AND action LIKE 'host_verification.%' ORDER BY seq", [`user:${userId}`]).then((rows) =>
    rows.map((row) => ({ action: row.action, actor: `${row.actor_type}:${row.actor_id}`, data: JSON.parse(String(row.data)) as unknown })),
  );

describe("host verification", () => {
  it("takes a submission as pending, and an officer's approval makes the host approved", async () => {
    expect(await verification.status(hostId)).toBe("none");
    expect(await verification.isApproved(hostId)).toBe(false);

    await verification.submit(hostId, `  ${REAL_NAME} `);
    expect(await verification.status(hostId)).toBe("pending");
    expect(await verification.isApproved(hostId)).toBe(false);

    now = new Date("2025-03-01T13:00:00Z");
    await verification.review(officer, hostId, "approved", "");
    expect(await verification.status(hostId)).toBe("approved");
    expect(await verification.isApproved(hostId)).toBe(true);
    await verification.assertApproved(hostId);

    const [row] = await sql("SELECT status, reviewed_by, reviewed_at, note, created_at FROM host_verifications WHERE user_id = ?", [hostId]);
    expect(row).toMatchObject({ status: "approved", reviewed_by: officer.id, reviewed_at: now.getTime(), note: null, created_at: Date.parse("2025-03-01T12:00:00Z") });

    expect(await auditFor(hostId)).toContainEqual({ action: "host_verification.submitted", actor: `user:${hostId}`, data: { previous: "none" } });
    expect(await auditFor(hostId)).toContainEqual({ action: "host_verification.approved", actor: `user:${officer.id}`, data: { note: null } });
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: true });
  });

  it("rejects with a reason, takes a resubmission, and approves that", async () => {
    await verification.submit(hostId, "欧阳 晓 蕾");
    await expect(verification.review(officer, hostId, "rejected", "  ")).rejects.toMatchObject({ status: 400, code: "review_note_required" });
    await verification.review(officer, hostId, "rejected", "姓名与身份证不一致 / name does not match the ID card");
    expect(await verification.status(hostId)).toBe("rejected");
    await expect(verification.assertApproved(hostId)).rejects.toBeInstanceOf(HostNotVerified);

    await verification.submit(hostId, REAL_NAME);
    expect(await verification.status(hostId)).toBe("pending");
    const [row] = await sql("SELECT reviewed_by, reviewed_at, note FROM host_verifications WHERE user_id = ?", [hostId]);
    expect(row).toMatchObject({ reviewed_by: null, reviewed_at: null, note: null });
    await verification.review(officer, hostId, "approved", "ok");

    expect((await auditFor(hostId)).map(({ action, data }) => [action, data])).toEqual([
      ["host_verification.submitted", { previous: "none" }],
      ["host_verification.rejected", { note: "姓名与身份证不一致 / name does not match the ID card" }],
      ["host_verification.submitted", { previous: "rejected" }],
      ["host_verification.approved", { note: "ok" }],
    ]);
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: true });
  });

  it("never stores the real name in clear text, and audits every reveal", async () => {
    await verification.submit(hostId, REAL_NAME);
    const [row] = await sql("SELECT real_name_sealed FROM host_verifications WHERE user_id = ?", [hostId]);
    const sealed = String(row!.real_name_sealed);
    expect(sealed).toStartWith("v2.k1.");
    expect(sealed).not.toContain(REAL_NAME);
    expect(await app.services.audit.recent(5).then((entries) => JSON.stringify(entries))).not.toContain(REAL_NAME);

    // Not in any page of the database file or its write-ahead log either.
    const bytes = Buffer.from(REAL_NAME, "utf8");
    for (const file of [app.databaseFile, `${app.databaseFile}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(bytes)).toBe(false);

    expect(await verification.revealRealName(officer, hostId)).toBe(REAL_NAME);
    expect((await auditFor(hostId)).at(-1)).toEqual({ action: "host_verification.real_name_revealed", actor: `user:${officer.id}`, data: {} });
  });

  it("refuses a review of nothing, a second review, a self-review and a resubmission once approved", async () => {
    await expect(verification.review(officer, hostId, "approved", "")).rejects.toMatchObject({ status: 404, code: "host_verification_not_found" });
    await verification.submit(hostId, REAL_NAME);
    await expect(verification.review({ type: "user", id: hostId }, hostId, "approved", "")).rejects.toMatchObject({ status: 403 });
    await verification.review(officer, hostId, "approved", "");
    await expect(verification.review(officer, hostId, "rejected", "changed my mind")).rejects.toMatchObject({ status: 409, code: "host_verification_not_pending" });
    await expect(verification.submit(hostId, "别人")).rejects.toMatchObject({ status: 409, code: "host_already_verified" });
    await expect(verification.submit(hostId, "  ")).rejects.toMatchObject({ status: 400, code: "real_name_invalid" });
    expect((await auditFor(hostId)).map((entry) => entry.action)).toEqual(["host_verification.submitted", "host_verification.approved"]);
  });

  it("lets the seed approve a host without a submission, audited like a review", async () => {
    const seed: Actor = { type: "system", id: "seed" };
    await expect(verification.approveForSeed(officer, hostId)).rejects.toMatchObject({ status: 403 });
    await verification.approveForSeed(seed, hostId);
    await verification.approveForSeed(seed, hostId); // already approved: no second entry
    expect(await verification.isApproved(hostId)).toBe(true);
    expect(await verification.revealRealName(officer, hostId)).toBeNull();
    expect(await auditFor(hostId)).toEqual([{ action: "host_verification.approved", actor: "system:seed", data: { note: null, previous: "none", seeded: true } }]);
    expect(await app.services.audit.verifyChain()).toMatchObject({ intact: true });
  });

  it("has the demo hosts approved by the seed", async () => {
    for (const email of ["host.lin@demo.broadcart.test", "host.zhou@demo.broadcart.test"]) {
      expect(await app.services.hostVerification.isApproved((await app.services.accounts.findByEmail(email))!.id)).toBe(true);
    }
  });

  it("has HostNotVerified answer 403", async () => {
    const error = await verification.assertApproved(hostId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostNotVerified);
    expect(error).toMatchObject({ status: 403, code: "host_not_verified" });
  });
});
