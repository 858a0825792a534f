// An officer exports the audit trail of a time range (typed in the shop's zone, as the audit page's
// form sends it); the file verifies offline with `bun scripts/audit-verify.ts`, and a copy with one
// line edited does not.
import { expect } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { utcToWallTime } from "../../src/platform/zoned-time.ts";
import { SHOP_TIME_ZONE } from "./environment.ts";
import type { Journey } from "./target.ts";
import { demoEmails, page, signedIn } from "./web-client.ts";

const repoRoot = resolve(import.meta.dir, "../..");

export const auditExportVerifies: Journey = async (target) => {
  const from = utcToWallTime(new Date(Date.now() - 60_000), SHOP_TIME_ZONE);
  const officer = await signedIn(target, demoEmails.officer);
  await page(await officer.get("/compliance/audit"));
  const to = utcToWallTime(new Date(Date.now() + 60_000), SHOP_TIME_ZONE);

  const response = await officer.request(`/compliance/audit/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-.+\.jsonl"$/);
  const exported = await response.text();
  const lines = exported.trimEnd().split("\n");
  const entries = lines.slice(0, -1).map((line) => JSON.parse(line) as { seq: number; action: string; subject: string });
  expect(entries.some((entry) => entry.action === "account.signed_in")).toBe(true);
  expect(JSON.parse(lines.at(-1)!)).toMatchObject({ count: entries.length });

  const dir = mkdtempSync(join(tmpdir(), "broadcart-audit-journey-"));
  try {
    const intact = await verifyOffline(join(dir, "export.jsonl"), exported);
    expect(intact).toEqual({ code: 0, out: expect.stringMatching(new RegExp(`^ok: ${entries.length} entries, seq ${entries[0]!.seq}–${entries.at(-1)!.seq}, signed by `)) });

    const edited = [...lines];
    edited[0] = edited[0]!.replace(/"subject":"[^"]*"/, '"subject":"user:nobody"');
    expect(edited[0]).not.toBe(lines[0]);
    const tampered = await verifyOffline(join(dir, "tampered.jsonl"), `${edited.join("\n")}\n`);
    expect(tampered.code).not.toBe(0);
    expect(tampered.out).toStartWith("fail: line 1");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

async function verifyOffline(file: string, text: string): Promise<{ code: number; out: string }> {
  writeFileSync(file, text);
  const child = Bun.spawn([process.execPath, "scripts/audit-verify.ts", file], { cwd: repoRoot, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out: (out + err).trim() };
}
