// Retention: records older than RETENTION_DAYS are purged by each owner's purge function, the run is
// audited, and a second run finds nothing more to purge.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { count, lt } from "drizzle-orm";
import { liveChatMessages } from "../db/schema/live.ts";
import { createRetention, RETENTION_DEFAULT_DAYS } from "../modules/compliance/index.ts";
import { ConfigError, parseConfig } from "../src/config.ts";
import { newShopper } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

const DAY = 24 * 60 * 60 * 1000;
let app: TestApp;
let now = new Date();
const clock = { now: () => now };

beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(() => app.close());

/** The purge proposed for modules/live/room.ts (rooms.purgeChatBefore), run here against the live table. */
async function purgeChatBefore(cutoff: Date): Promise<number> {
  return app.database.write(async (tx) => (await tx.delete(liveChatMessages).where(lt(liveChatMessages.createdAt, cutoff))).rowsAffected);
}

async function chatCount(): Promise<number> {
  const [row] = await app.database.db.select({ n: count() }).from(liveChatMessages);
  return row!.n;
}

describe("retention", () => {
  it("purges chat older than the retention period, keeps recent chat, and audits each run", async () => {
    const sessionId = (await app.services.live.board(20)).finished[0]?.id ?? (await app.services.live.board(20)).upcoming[0]!.id;
    const { id: userId } = await newShopper(app);
    const retention = createRetention({ audit: app.services.audit, clock, database: app.database, days: 1095, sources: [{ name: "live_chat_messages", purge: purgeChatBefore }] });
    const cutoff = retention.cutoff();
    expect(cutoff.getTime()).toBe(now.getTime() - 1095 * DAY);
    const before = await chatCount();
    const at = (offsetMs: number) => new Date(cutoff.getTime() + offsetMs).getTime();
    for (const [id, createdAt] of [["msg_old1", at(-DAY)], ["msg_old2", at(-1)], ["msg_recent", at(DAY)]] as const) {
      await app.database.client.execute({ sql: "insert into live_chat_messages (id, session_id, user_id, body, status, created_at) values (?, ?, ?, 'hi', 'sent', ?)", args: [id, sessionId, userId, createdAt] });
    }

    const first = await retention.run();
    expect(first.purged).toEqual({ live_chat_messages: 2 });
    expect(await chatCount()).toBe(before + 1);
    const [entry] = await app.services.audit.recent(1);
    expect(entry!.seq).toBe(first.auditSeq);
    expect(entry!.action).toBe("retention.purged");
    expect(entry!.actor).toEqual({ type: "system", id: "retention" });
    expect(entry!.data).toMatchObject({ cutoff: cutoff.toISOString(), days: 1095, purged: { live_chat_messages: 2 } });

    const second = await retention.run();
    expect(second.purged).toEqual({ live_chat_messages: 0 });
    expect(await chatCount()).toBe(before + 1);
    expect((await app.services.audit.recent(1))[0]!.seq).toBe(first.auditSeq + 1);

    // A day later the "recent" message has aged past the cutoff too.
    now = new Date(now.getTime() + 2 * DAY);
    expect((await retention.run()).purged).toEqual({ live_chat_messages: 1 });
    expect(await chatCount()).toBe(before);
    expect((await app.services.audit.verifyChain()).intact).toBe(true);
  });

  it("records a failing source in the audit entry and still purges the others", async () => {
    const retention = createRetention({
      audit: app.services.audit,
      clock,
      database: app.database,
      sources: [
        { name: "broken", purge: () => Promise.reject(new Error("disk on fire")) },
        { name: "fine", purge: async () => 3 },
      ],
    });
    const run = await retention.run();
    expect(run.purged).toEqual({ fine: 3 });
    expect(run.failed).toEqual({ broken: "disk on fire" });
    expect((await app.services.audit.recent(1))[0]!.data).toMatchObject({ purged: { fine: 3 }, failed: { broken: "disk on fire" } });
  });

  it("keeps three years by default and refuses fewer than 30 days", () => {
    expect(app.services.retention.days).toBe(RETENTION_DEFAULT_DAYS);
    expect(parseConfig({}).RETENTION_DAYS).toBe(1095);
    expect(parseConfig({ RETENTION_DAYS: "400" }).RETENTION_DAYS).toBe(400);
    expect(() => parseConfig({ RETENTION_DAYS: "29" })).toThrow(ConfigError);
    expect(() => parseConfig({ RETENTION_DAYS: "three years" })).toThrow("RETENTION_DAYS");
    expect(() => createRetention({ audit: app.services.audit, clock, database: app.database, days: 10, sources: [] })).toThrow(RangeError);
  });
});
