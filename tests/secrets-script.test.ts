// `npm run secrets` prints fresh secrets that production configuration accepts, different every run.
import { describe, expect, it } from "bun:test";
import { spawnSync } from "node:child_process";
import { createAuditSigner } from "../modules/compliance/audit-export.ts";
import { parseConfig } from "../src/config.ts";

function secrets(): Record<string, string> {
  const run = spawnSync(process.execPath, ["scripts/secrets.ts"], { encoding: "utf8" });
  expect(run.status).toBe(0);
  return Object.fromEntries(run.stdout.trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

describe("npm run secrets", () => {
  it("prints a production configuration's secrets, fresh each time", async () => {
    const first = secrets();
    expect(Object.keys(first)).toEqual(["SESSION_SECRET", "DATA_KEY", "DATA_KEY_ID", "AUDIT_SIGNING_KEY"]);
    const config = parseConfig({ ...first, NODE_ENV: "production" });
    expect(config.DATA_KEY_ID).toBe(first.DATA_KEY_ID!);
    await createAuditSigner(first.AUDIT_SIGNING_KEY!);
    const second = secrets();
    for (const name of ["SESSION_SECRET", "DATA_KEY", "AUDIT_SIGNING_KEY"]) expect(second[name]).not.toBe(first[name]);
  });
});
