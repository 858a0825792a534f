// `npm start` as a user runs it: the Bun entry in its own process, on a fresh embedded database.
import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";

const dir = mkdtempSync(join(tmpdir(), "broadcart-server-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

function startServer(env: Record<string, string>) {
  return Bun.spawn([process.execPath, "src/server.ts"], {
    env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

/** Reads the server's stdout until `line` appears. */
async function waitForOutput(stream: ReadableStream<Uint8Array>, pattern: RegExp): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    text += decoder.decode(chunk);
    if (pattern.test(text)) return text;
  }
  throw new Error(`server exited before printing ${pattern}: ${text}`);
}

const databaseFile = join(dir, "data", "broadcart.db");
const baseEnv = { DATABASE_URL: `file:${databaseFile}`, SESSION_SECRET: "server-test-secret-0123456789abcdef", DATA_KEY: "server-test-data-key-0123456789abcdef", LOG_LEVEL: "warn" };

describe("npm start", () => {
  it("creates and migrates the database, seeds demo data once, prints the URL and the demo sign-ins", async () => {
    const port = freePort();
    const server = startServer({ ...baseEnv, PORT: String(port) });
    try {
      const output = await waitForOutput(server.stdout, /emma@demo\.broadcart\.test/);
      expect(output).toContain(`Broadcart is running at http://127.0.0.1:${port}`);
      expect(output).toContain("Seeded demo data.");
      expect(output).toContain("password: broadcart-demo");
      expect(output).toContain("officer@demo.broadcart.test");
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain("山居茶舍");
    } finally {
      server.kill();
      await server.exited;
    }

    const again = startServer({ ...baseEnv, PORT: String(freePort()) });
    try {
      const output = await waitForOutput(again.stdout, /emma@demo\.broadcart\.test/);
      expect(output).not.toContain("Seeded demo data.");
    } finally {
      again.kill();
      await again.exited;
    }

    const db = createClient({ url: `file:${databaseFile}` });
    expect((await db.execute("PRAGMA journal_mode")).rows[0]!.journal_mode).toBe("wal");
    expect(Number((await db.execute("SELECT count(*) AS n FROM products")).rows[0]!.n)).toBe(12);
    expect(Number((await db.execute("SELECT count(*) AS n FROM stores")).rows[0]!.n)).toBe(1);
    db.close();
  }, 30_000);

  it("stops with exit code 1 and one line on stderr naming a bad variable", async () => {
    const server = startServer({ ...baseEnv, PORT: "eighty" });
    expect(await server.exited).toBe(1);
    const stderr = await new Response(server.stderr).text();
    expect(stderr.trim()).toBe('config: PORT must be a whole number (got "eighty")');
  });
});
