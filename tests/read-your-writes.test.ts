// Read-your-writes over real embedded replicas of a real sqld (db/read-your-writes.ts and
// db/embedded-replica.ts): two "instances", each an embedded replica that syncs only when a request
// asks it to, so what a request sees is what its bc_written cookie made the replica fetch. The cookie
// is signed, so a forged one costs nothing; a valid one past the primary's position costs one sync.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbeddedReplica, type EmbeddedReplica } from "../db/embedded-replica.ts";
import { readYourWrites, signedWrittenIndex, WRITTEN_COOKIE } from "../db/read-your-writes.ts";
import { startSqld, type Sqld } from "./fixtures/sqld.ts";

const secret = "r".repeat(32);
const options = { secret, cookies: { secure: "never" as const, trustProxy: false } };
/** No periodic sync within a test's lifetime: only catch-ups move the replicas. */
const NEVER_BY_ITSELF = 3_600_000;

let sqld: Sqld;
let dir: string;
let a: EmbeddedReplica;
let b: EmbeddedReplica;
let bSyncs = 0;

beforeAll(async () => {
  sqld = await startSqld();
  dir = mkdtempSync(join(tmpdir(), "broadcart-ryw-"));
  a = await openEmbeddedReplica({ url: `file:${join(dir, "a.db")}`, syncUrl: sqld.url, syncEveryMs: NEVER_BY_ITSELF });
  await a.writer.execute("CREATE TABLE notes (id TEXT PRIMARY KEY)");
  b = await openEmbeddedReplica({ url: `file:${join(dir, "b.db")}`, syncUrl: sqld.url, syncEveryMs: NEVER_BY_ITSELF });
  const sync = b.reader.sync.bind(b.reader);
  b.reader.sync = () => {
    bSyncs++;
    return sync();
  };
}, 60_000);

afterAll(async () => {
  for (const replica of [a, b]) {
    replica?.stop();
    replica?.reader.close();
    replica?.writer.close();
  }
  await sqld?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Instance a: a request that writes a note through the primary. */
function instanceA() {
  return readYourWrites(
    a.position,
    async (request: Request) => {
      const id = new URL(request.url).searchParams.get("id")!;
      await a.writer.execute({ sql: "INSERT INTO notes (id) VALUES (?)", args: [id] });
      return new Response(null, { status: 303 });
    },
    options,
  );
}

/** Instance b: a page that says whether its replica has the note. */
function instanceB() {
  return readYourWrites(
    b.position,
    async (request: Request) => {
      const id = new URL(request.url).searchParams.get("id")!;
      const rows = (await b.reader.execute({ sql: "SELECT id FROM notes WHERE id = ?", args: [id] })).rows;
      return new Response(rows.length ? "found" : "missing");
    },
    options,
  );
}

const cookieOf = (response: Response) => response.headers.getSetCookie().find((c) => c.startsWith(`${WRITTEN_COOKIE}=`))?.split(";")[0] ?? "";

describe("read-your-writes between two embedded replicas of one sqld", () => {
  it("shows a note written on instance a on instance b's next page when the shopper brings a's cookie, and not without it", async () => {
    const id = `note-${crypto.randomUUID()}`;
    const placed = await instanceA()(new Request(`http://a/notes?id=${id}`, { method: "POST" }));
    const cookie = cookieOf(placed);
    expect(cookie).toMatch(new RegExp(`^${WRITTEN_COOKIE}=\\d+\\.[A-Za-z0-9_-]{43}$`));

    const page = instanceB();
    expect(await (await page(new Request(`http://b/notes?id=${id}`))).text()).toBe("missing");
    expect(await (await page(new Request(`http://b/notes?id=${id}`, { headers: { cookie } }))).text()).toBe("found");
  }, 30_000);

  it("has 20 requests waiting for the same index at once share one sync, not run one each", async () => {
    const id = `note-${crypto.randomUUID()}`;
    const cookie = cookieOf(await instanceA()(new Request(`http://a/notes?id=${id}`, { method: "POST" })));
    const index = Number.parseInt(cookie.slice(WRITTEN_COOKIE.length + 1), 10);
    const syncsBefore = bSyncs;
    const caughtUp = await Promise.all(Array.from({ length: 20 }, () => b.position.catchUp(index)));
    expect(caughtUp).toEqual(Array.from({ length: 20 }, () => true));
    expect(bSyncs - syncsBefore).toBe(1);
    expect(await (await instanceB()(new Request(`http://b/notes?id=${id}`))).text()).toBe("found");
  }, 30_000);

  it("ignores a forged bc_written=999999999999999: 20 requests answered without a single sync", async () => {
    const page = instanceB();
    const syncsBefore = bSyncs;
    const pages = await Promise.all(Array.from({ length: 20 }, () => page(new Request("http://b/notes?id=none", { headers: { cookie: `${WRITTEN_COOKIE}=999999999999999` } }))));
    expect(pages.map((p) => p.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(bSyncs - syncsBefore).toBe(0);
  }, 30_000);

  it("stops after one sync for a validly signed index the primary has never reached, alone or for 20 shoppers at once", async () => {
    const cookie = `${WRITTEN_COOKIE}=${await signedWrittenIndex(999_999_999_999_999, secret)}`;
    const page = instanceB();
    let syncsBefore = bSyncs;
    expect(await (await page(new Request("http://b/notes?id=none", { headers: { cookie } }))).text()).toBe("missing");
    expect(bSyncs - syncsBefore).toBe(1);

    syncsBefore = bSyncs;
    const pages = await Promise.all(Array.from({ length: 20 }, () => page(new Request("http://b/notes?id=none", { headers: { cookie } }))));
    expect(await Promise.all(pages.map((p) => p.text()))).toEqual(Array.from({ length: 20 }, () => "missing"));
    // At most one each (they share a sync when they overlap one), where each used to sync until its 5 s deadline.
    expect(bSyncs - syncsBefore).toBeLessThanOrEqual(20);
  }, 30_000);
});
