// Retention: records older than RETENTION_DAYS are purged by each owner's purge function, the run is
// audited, and a second run finds nothing more to purge. The app's own job purges chat, ended live
// sessions (with their line-ups, chat and covers) and LiveKit webhook ids; orders keep their records.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { count } from "drizzle-orm";
import { liveChatMessages } from "../db/schema/live.ts";
import { createRetention, RETENTION_DEFAULT_DAYS } from "../modules/compliance/index.ts";
import { ConfigError, parseConfig } from "../src/config.ts";
import { checkoutFields, demoStoreId, newShopper, orderIdFrom, scalar, testProduct } from "./fixtures/commerce.ts";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

const DAY = 24 * 60 * 60 * 1000;
let app: TestApp;
let now = new Date();
const clock = { now: () => now };

beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(() => app.close());

const purgeChatBefore = (cutoff: Date) => app.services.rooms.purgeChatBefore(cutoff);

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

  it("purges live sessions that ended before the cutoff with everything they own, and leaves orders and shows on air alone", async () => {
    const retention = app.services.retention;
    const cutoff = retention.cutoff();
    const storeId = await demoStoreId(app);
    const hostId = (await app.services.accounts.findByEmail("host.lin@demo.broadcart.test"))!.id;
    const shopper = await newShopper(app, "retained");
    const productId = (await app.services.catalog.listPublishedProducts(1))[0]!.id;
    const before = (days: number) => cutoff.getTime() - days * DAY;
    const sessions = {
      endedLongAgo: { status: "ended", scheduledAt: before(10), endedAt: before(9) },
      neverHeld: { status: "scheduled", scheduledAt: before(5), endedAt: null },
      endedRecently: { status: "ended", scheduledAt: before(2), endedAt: before(-1) },
      onAirSinceLongAgo: { status: "live", scheduledAt: before(30), endedAt: null },
    } as const;
    for (const [id, row] of Object.entries(sessions)) {
      await app.database.client.execute({
        sql: "insert into live_sessions (id, store_id, host_id, title, status, scheduled_at, started_at, ended_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        args: [`liv_${id}`, storeId, hostId, `Show ${id}`, row.status, row.scheduledAt, row.status === "scheduled" ? null : row.scheduledAt, row.endedAt, row.scheduledAt - DAY],
      });
      await app.database.client.execute({ sql: "insert into live_session_products (session_id, product_id, position) values (?, ?, 0)", args: [`liv_${id}`, productId] });
    }
    // Recent chat and a removed viewer in the old show go with it, though the chat itself is not old.
    await app.database.client.execute({ sql: "insert into live_chat_messages (id, session_id, user_id, body, status, created_at) values ('msg_in_old_show', 'liv_endedLongAgo', ?, 'hello', 'sent', ?)", args: [shopper.id, cutoff.getTime() + DAY] });
    await app.database.client.execute({ sql: "insert into live_removed_viewers (session_id, user_id, kind, removed_by, removed_at) values ('liv_endedLongAgo', ?, 'muted', ?, ?)", args: [shopper.id, hostId, before(9)] });
    await app.database.client.execute({ sql: "insert into live_webhook_events (event_id, type, room_name, received_at) values ('evt_old', 'room_finished', 'liv_endedLongAgo', ?), ('evt_new', 'room_started', 'x', ?)", args: [before(9), Date.now()] });
    const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));
    await app.services.live.setCover({ type: "system", id: "test" }, "liv_endedLongAgo", png);
    const coverUrl = (await app.services.live.getSession("liv_endedLongAgo")).coverUrl!;
    expect((await app.client().request(coverUrl)).status).toBe(200);
    // A paid order bought in the old show: the financial record stays.
    const product = await testProduct(app, { priceFen: 1_000, stock: 5 });
    await shopper.client.get(`/checkout?sku=${product.skuId}`);
    const orderId = orderIdFrom(await shopper.client.post("/checkout", checkoutFields({ sku: product.skuId })));
    await app.database.client.execute({ sql: "update orders set channel = 'live', live_session_id = 'liv_endedLongAgo' where id = ?", args: [orderId] });

    const run = await retention.run();
    expect(run.failed).toEqual({});
    expect(run.purged).toMatchObject({ live_sessions: 2, live_webhook_events: 1 });
    const left = async (table: string, column = "session_id") =>
      scalar(app, `select count(*) from ${table} where ${column} in ('liv_endedLongAgo', 'liv_neverHeld')`);
    for (const table of ["live_session_products", "live_chat_messages", "live_removed_viewers"]) expect(await left(table)).toBe(0);
    expect(await left("live_sessions", "id")).toBe(0);
    expect(await scalar(app, "select count(*) from live_sessions where id in ('liv_endedRecently', 'liv_onAirSinceLongAgo')")).toBe(2);
    expect(await scalar(app, "select count(*) from live_webhook_events where event_id = 'evt_new'")).toBe(1);
    expect((await app.client().request(coverUrl)).status).toBe(404);
    expect(await scalar(app, "select count(*) from orders where id = ? and live_session_id = 'liv_endedLongAgo'", [orderId])).toBe(1);
    expect((await shopper.client.get(`/orders/${orderId}`)).status).toBe(200);

    const [entry] = await app.services.audit.recent(1);
    expect(entry!.action).toBe("retention.purged");
    expect(entry!.data).toMatchObject({ purged: { live_sessions: 2, live_webhook_events: 1 } });
    expect((await retention.run()).purged).toMatchObject({ live_sessions: 0, live_webhook_events: 0 });
  });
});
