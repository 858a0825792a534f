// Signed audit exports: downloaded by an officer through the app, checked offline by
// `npm run audit:verify`, which names the first problem of a tampered file.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import { generateAuditSigningKey } from "../modules/compliance/index.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let officer: TestClient;
let exported: string;

const sql = (statement: string, args: (string | number)[] = []) => app.database.client.execute({ sql: statement, args });

async function verify(text: string, ...extra: string[]): Promise<{ code: number; out: string }> {
  const file = join(app.dir, `export-${crypto.randomUUID()}.jsonl`);
  writeFileSync(file, text);
  const child = Bun.spawn([process.execPath, "scripts/audit-verify.ts", file, ...extra], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out: (out + err).trim() };
}

const linesOf = (text: string) => text.trimEnd().split("\n");
const joined = (lines: string[]) => lines.join("\n") + "\n";

beforeAll(async () => {
  app = await startTestApp({ env: { AUDIT_SIGNING_KEY: await generateAuditSigningKey() } });
  officer = app.client();
  await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
  const response = await officer.request("/compliance/audit/export");
  expect(response.status).toBe(200);
  exported = await response.text();
});
afterAll(() => app.close());

describe("audit export", () => {
  it("downloads one line per entry and a signature line, and records the export", async () => {
    const response = await officer.request("/compliance/audit/export");
    expect(response.headers.get("content-type")).toStartWith("application/x-ndjson");
    expect(response.headers.get("content-disposition")).toContain("attachment");
    const lines = linesOf(exported);
    const signature = JSON.parse(lines.at(-1)!);
    expect(signature).toMatchObject({ type: "signature", algorithm: "Ed25519", count: lines.length - 1, from: null, to: null });
    expect(signature.digest).toMatch(/^[0-9a-f]{64}$/);
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first).sort()).toEqual(["action", "actor", "at", "data", "hash", "prevHash", "seq", "subject"]);
    expect(first.seq).toBe(1);
    const [recorded] = (await sql("SELECT actor_id, data FROM audit_entries WHERE action = 'audit.exported' ORDER BY seq LIMIT 1")).rows;
    const officerId = (await sql("SELECT id FROM users WHERE email = 'officer@demo.broadcart.test'")).rows[0]!.id;
    expect(recorded!.actor_id).toBe(officerId);
    expect(JSON.parse(String(recorded!.data))).toMatchObject({ from: null, to: null, count: lines.length - 1, digest: signature.digest, keyId: signature.keyId });
  });

  it("exports only a time range typed in the shop's zone", async () => {
    const rows = (await sql("SELECT seq, at FROM audit_entries ORDER BY seq")).rows;
    const at = new Date(Number(rows[3]!.at));
    const { utcToWallTime } = await import("../src/platform/zoned-time.ts");
    const wall = utcToWallTime(at, "Asia/Shanghai");
    const text = await (await officer.request(`/compliance/audit/export?from=${wall}&to=${wall}`)).text();
    const entries = linesOf(text).slice(0, -1).map((line) => JSON.parse(line));
    const minute = Math.floor(at.getTime() / 60_000) * 60_000;
    const expected = rows.filter((row) => Number(row.at) >= minute && Number(row.at) < minute + 60_000).map((row) => Number(row.seq));
    expect(entries.map((entry) => entry.seq)).toEqual(expected);
    expect((await verify(text)).code).toBe(0);
  });

  it("verifies an untouched export offline", async () => {
    const lines = linesOf(exported);
    const signature = JSON.parse(lines.at(-1)!);
    const result = await verify(exported);
    expect(result).toEqual({ code: 0, out: `ok: ${lines.length - 1} entries, seq 1–${lines.length - 1}, signed by ${signature.keyId}` });
    expect((await verify(exported, "--public-key", signature.publicKey)).code).toBe(0);
  });

  it("fails on an edited line", async () => {
    const lines = linesOf(exported);
    lines[4] = lines[4]!.replace(/"subject":"[^"]*"/, '"subject":"user:nobody"');
    const result = await verify(joined(lines));
    expect(result.code).toBe(1);
    expect(result.out).toBe("fail: line 5 (seq 5): content altered (hash does not match)");
  });

  it("fails on an edited line whose hash was recomputed", async () => {
    const { entryHash } = await import("../modules/compliance/audit-chain.ts");
    const { canonicalJson } = await import("../modules/compliance/canonical-json.ts");
    const lines = linesOf(exported);
    const entry = JSON.parse(lines[4]!);
    entry.data = { forged: true };
    entry.hash = await entryHash({ seq: entry.seq, at: new Date(entry.at), actorType: entry.actor.type, actorId: entry.actor.id, action: entry.action, subject: entry.subject, data: canonicalJson(entry.data), prevHash: entry.prevHash });
    lines[4] = canonicalJson(entry);
    const result = await verify(joined(lines));
    expect(result).toEqual({ code: 1, out: "fail: line 6 (seq 6): does not link to seq 5 (prevHash differs)" });
  });

  it("fails on a deleted line", async () => {
    const lines = linesOf(exported);
    lines.splice(6, 1);
    expect(await verify(joined(lines))).toEqual({ code: 1, out: "fail: line 7 (seq 8): expected seq 7 (entries missing or reordered)" });
    const withoutFirst = linesOf(exported).slice(1);
    expect(await verify(joined(withoutFirst))).toMatchObject({ code: 1, out: expect.stringContaining("states") });
    const withoutSignature = linesOf(exported).slice(0, -1);
    expect(await verify(joined(withoutSignature))).toMatchObject({ code: 1, out: expect.stringContaining("not the signature line") });
  });

  it("fails on swapped lines", async () => {
    const lines = linesOf(exported);
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    expect(await verify(joined(lines))).toEqual({ code: 1, out: "fail: line 3 (seq 4): expected seq 3 (entries missing or reordered)" });
  });

  it("fails on a changed signature, digest, count or key", async () => {
    const lines = linesOf(exported);
    const signature = JSON.parse(lines.at(-1)!);
    const withSignature = (changes: Record<string, unknown>) => joined([...lines.slice(0, -1), JSON.stringify({ ...signature, ...changes })]);
    const flipped = (signature.signature[0] === "A" ? "B" : "A") + signature.signature.slice(1);
    expect(await verify(withSignature({ signature: flipped }))).toEqual({ code: 1, out: "fail: signature does not verify" });
    expect(await verify(withSignature({ digest: "0".repeat(64) }))).toEqual({ code: 1, out: "fail: digest does not match the entry lines" });
    expect(await verify(withSignature({ from: "2020-01-01T00:00:00.000Z" }))).toEqual({ code: 1, out: "fail: signature does not verify" });
    // Re-signed with another key: verifies by itself, but not against the expected public key.
    const other = await generateAuditSigningKey();
    const { createAuditSigner, signExport } = await import("../modules/compliance/audit-export.ts");
    const forged = await signExport(lines.slice(0, -1), { from: null, to: null }, await createAuditSigner(other));
    expect((await verify(forged.body)).code).toBe(0);
    const pinned = await verify(forged.body, "--public-key", signature.publicKey);
    expect(pinned.code).toBe(1);
    expect(pinned.out).toContain("not by the expected public key");
  });

  it("exports a trail edited in the database as a file that fails verification, naming the entry", async () => {
    await sql("UPDATE audit_entries SET data = ? WHERE seq = 5", ['{"roles":["admin"]}']);
    const text = await (await officer.request("/compliance/audit/export")).text();
    expect(await verify(text)).toEqual({ code: 1, out: "fail: line 5 (seq 5): content altered (hash does not match)" });
  });
});
