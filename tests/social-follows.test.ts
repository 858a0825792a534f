// Follows and show reminders through the real app: followers of a host and of a store, and those who
// asked to be reminded, find "the show started" in their inbox once LiveKit's signed room_started
// webhook arrives (once, however often it is delivered); reminder-setters get the reminder once, 15
// minutes before; the host's .ics feed is valid iCalendar; the routes want a signed-in user and CSRF.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import ICAL from "ical.js";
import { AccessToken } from "livekit-server-sdk";
import { createLiveKitGateway } from "../modules/live/index.ts";
import type { LiveSession } from "../modules/live/index.ts";
import { newShopper } from "./fixtures/commerce.ts";
import { fastTestPasswords, startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

// The gateway only verifies webhooks here: nothing connects to a LiveKit server.
const LIVEKIT = { url: "ws://127.0.0.1:9", apiKey: "follows-test-key", apiSecret: "follows-test-secret-that-is-long-enough" };
const MINUTE = 60_000;

let app: TestApp;
// Whole minutes, as hosts schedule shows (iCalendar times have no milliseconds).
let nowMs = Math.floor(Date.now() / MINUTE) * MINUTE;
const clock = { now: () => new Date(nowMs) };
let hostId: string;
let storeId: string;
let show: LiveSession;
let hostFollower: { id: string; client: TestClient };
let storeFollower: { id: string; client: TestClient };
let reminderSetter: { id: string; client: TestClient };
let followerAndSetter: { id: string; client: TestClient };
let bystander: { id: string; client: TestClient };

beforeAll(async () => {
  app = await startTestApp({ passwords: fastTestPasswords(), clock, roomGateway: createLiveKitGateway(LIVEKIT) });
  const template = (await app.services.live.board(20)).upcoming.find((session) => session.host.name === "林小夏")!;
  hostId = template.host.id;
  storeId = template.store.id;
  show = await scheduleShow("Spring tea tasting", 60 * MINUTE);
  hostFollower = await newShopper(app, "host-fan");
  storeFollower = await newShopper(app, "store-fan");
  reminderSetter = await newShopper(app, "setter");
  followerAndSetter = await newShopper(app, "fan-and-setter");
  bystander = await newShopper(app, "bystander");
}, 60_000);
afterAll(() => app.close());

function scheduleShow(title: string, inMs: number): Promise<LiveSession> {
  return app.services.live.scheduleSession({ type: "user", id: hostId }, { storeId, hostId, title, scheduledAt: new Date(nowMs + inMs), productIds: [] });
}

async function noticesOf(userId: string, kind: string) {
  return (await app.services.notifications.list(userId)).filter((notice) => notice.kind === kind);
}

/** Delivers a webhook as LiveKit does: a JWT from the API key whose sha256 claim is the body's checksum. */
async function deliverWebhook(event: string, eventId: string, roomName: string) {
  const body = JSON.stringify({ event, id: eventId, createdAt: Math.floor(nowMs / 1000), room: { name: roomName, sid: `RM_${roomName}` } });
  const token = new AccessToken(LIVEKIT.apiKey, LIVEKIT.apiSecret, { ttl: "5m" });
  token.sha256 = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body))).toString("base64");
  const response = await app.app.fetch(new Request("http://localhost/webhooks/livekit", { method: "POST", body, headers: { authorization: await token.toJwt(), "content-type": "application/webhook+json" } }));
  expect(response.status).toBe(200);
  return ((await response.json()) as { outcome: string }).outcome;
}

async function followersOfHost() {
  return app.services.follows.followerCount({ type: "host", id: hostId });
}

describe("following and reminders", () => {
  it("follows a host from a button (HTMX swaps it to Unfollow), and following twice changes nothing", async () => {
    const { client } = hostFollower;
    await client.get(`/hosts/${hostId}`);
    const first = await client.post(`/follows/host/${hostId}`, { next: `/hosts/${hostId}` }, { htmx: true });
    expect(first.status).toBe(200);
    const fragment = await first.text();
    expect(fragment).toContain(`action="/follows/host/${hostId}/unfollow"`);
    expect(fragment).toContain('name="_csrf"');
    expect(await followersOfHost()).toBe(1);
    expect((await client.post(`/follows/host/${hostId}`, { next: `/hosts/${hostId}` }, { htmx: true })).status).toBe(200);
    expect(await followersOfHost()).toBe(1);
  });

  it("unfollows idempotently, and a plain form post comes back to the page it came from", async () => {
    const { client, id } = followerAndSetter;
    await client.get(`/hosts/${hostId}`);
    const followed = await client.post(`/follows/host/${hostId}`, { next: `/hosts/${hostId}` });
    expect(followed.status).toBe(303);
    expect(followed.headers.get("location")).toBe(`/hosts/${hostId}`);
    expect(await app.services.follows.isFollowing(id, { type: "host", id: hostId })).toBe(true);
    for (let i = 0; i < 2; i++) expect((await client.post(`/follows/host/${hostId}/unfollow`, { next: "/following" })).status).toBe(303);
    expect(await app.services.follows.isFollowing(id, { type: "host", id: hostId })).toBe(false);
    await client.post(`/follows/host/${hostId}`, { next: "/following" });
    expect(await followersOfHost()).toBe(2);
    expect((await app.services.follows.followerIds({ type: "host", id: hostId })).sort()).toEqual([hostFollower.id, id].sort());
  });

  it("follows a store, and lists what a person follows on /following", async () => {
    const { client } = storeFollower;
    await client.get("/following");
    expect((await client.post(`/follows/store/${storeId}`, { next: "/following" })).status).toBe(303);
    const page = await (await client.get("/following")).text();
    expect(page).toContain(`data-followed="store:${storeId}"`);
    expect(page).toContain(`action="/follows/store/${storeId}/unfollow"`);
  });

  it("refuses to follow someone who is not a host, or to come back to another site", async () => {
    const { client, id } = bystander;
    await client.get("/following");
    expect((await client.post(`/follows/host/${id}`, {})).status).toBe(404);
    expect((await client.post(`/follows/store/${storeId}`, { next: "//evil.example/" })).status).toBe(400);
    expect(await app.services.follows.following(id)).toEqual([]);
  });

  it("sets a reminder on an upcoming show (HTMX toggles the button), but not on one that is live", async () => {
    for (const { client } of [reminderSetter, followerAndSetter]) {
      await client.get(`/hosts/${hostId}`);
      const set = await client.post(`/reminders/${show.id}`, { next: "/" }, { htmx: true });
      expect(set.status).toBe(200);
      expect(await set.text()).toContain(`action="/reminders/${show.id}/cancel"`);
    }
    const started = await scheduleShow("Already on air", 5 * MINUTE);
    await app.services.live.startSession({ type: "user", id: hostId }, started.id);
    expect((await reminderSetter.client.post(`/reminders/${started.id}`, {}, { htmx: true })).status).toBe(409);
  });

  it("cancels a reminder and sets it again without a second row", async () => {
    const { client, id } = reminderSetter;
    expect((await client.post(`/reminders/${show.id}/cancel`, { next: "/" })).status).toBe(303);
    expect((await app.services.follows.remindedAmong(id, [show.id])).has(show.id)).toBe(false);
    await client.post(`/reminders/${show.id}`, { next: "/" });
    await client.post(`/reminders/${show.id}`, { next: "/" });
    expect(await app.services.follows.reminders(id)).toHaveLength(1);
  });

  it("shows the state of the buttons to the HTMX slots of the live pages", async () => {
    const fragment = await (await followerAndSetter.client.request(`/reminders/${show.id}/button?next=/`, { htmx: true })).text();
    expect(fragment).toContain(`action="/reminders/${show.id}/cancel"`);
    const follow = await (await storeFollower.client.request(`/follows/host/${hostId}/button?next=/`, { htmx: true })).text();
    expect(follow).toContain(`action="/follows/host/${hostId}"`);
    const watch = await (await followerAndSetter.client.get(`/live/${show.id}`)).text();
    expect(watch).toContain(`/follows/store/${storeId}/button`);
    expect(watch).toContain(`/reminders/${show.id}/button`);
  });

  it("counts follows per UTC day for charts", async () => {
    const today = new Date(nowMs);
    const yesterday = new Date(nowMs - 24 * 60 * MINUTE);
    const growth = await app.services.follows.followerGrowth("host", hostId, yesterday, today);
    expect(growth).toEqual([
      { day: yesterday.toISOString().slice(0, 10), follows: 0 },
      { day: today.toISOString().slice(0, 10), follows: 2 },
    ]);
  });
});

describe("the reminder before the show", () => {
  it("is not sent an hour or 16 minutes before, is sent once within 15 minutes, to those who asked only", async () => {
    expect(await app.services.showNotices.remindersDue()).toBe(0);
    nowMs = show.scheduledAt.getTime() - 16 * MINUTE;
    expect(await app.services.showNotices.remindersDue()).toBe(0);
    expect(await noticesOf(reminderSetter.id, "show.reminder")).toEqual([]);
    nowMs = show.scheduledAt.getTime() - 14 * MINUTE;
    expect(await app.services.showNotices.remindersDue()).toBe(2);
    expect(await app.services.showNotices.remindersDue()).toBe(0);
    for (const user of [reminderSetter, followerAndSetter]) {
      const [notice, ...more] = await noticesOf(user.id, "show.reminder");
      expect(more).toEqual([]);
      expect(notice).toMatchObject({ link: `/live/${show.id}`, params: { title: "Spring tea tasting", host: "林小夏", startsAt: show.scheduledAt.toISOString() } });
    }
    for (const user of [hostFollower, storeFollower, bystander]) expect(await noticesOf(user.id, "show.reminder")).toEqual([]);
  });
});

describe("the notice that the show started", () => {
  it("reaches the host's and the store's followers and the reminder-setters once, after LiveKit's signed room_started", async () => {
    nowMs = show.scheduledAt.getTime() + MINUTE;
    await app.services.live.startSession({ type: "user", id: hostId }, show.id);
    expect(await noticesOf(hostFollower.id, "show.started")).toEqual([]); // going live alone is not LiveKit's word yet
    expect(await deliverWebhook("room_started", "EV_follows_started_1", show.id)).toBe("applied");
    for (const user of [hostFollower, storeFollower, reminderSetter, followerAndSetter]) {
      const notices = await noticesOf(user.id, "show.started");
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ link: `/live/${show.id}`, params: { title: "Spring tea tasting", host: "林小夏" } });
    }
    expect(await noticesOf(bystander.id, "show.started")).toEqual([]);
    expect(await noticesOf(hostId, "show.started")).toEqual([]);
  });

  it("sends nothing again for a redelivered webhook, or for the room starting a second time", async () => {
    expect(await deliverWebhook("room_started", "EV_follows_started_1", show.id)).toBe("duplicate");
    expect(await deliverWebhook("room_started", "EV_follows_started_2", show.id)).toBe("applied");
    for (const user of [hostFollower, storeFollower, reminderSetter, followerAndSetter]) expect(await noticesOf(user.id, "show.started")).toHaveLength(1);
    const rows = (await app.database.client.execute({ sql: "SELECT kind, recipients FROM show_notices WHERE session_id = ? ORDER BY kind", args: [show.id] })).rows;
    expect(rows.map((row) => [row.kind, Number(row.recipients)])).toEqual([
      ["reminder", 2],
      ["started", 4],
    ]);
  });

  it("does not fail LiveKit's webhook when sending the notices fails", async () => {
    const gone = await scheduleShow("Vanishing show", 30 * MINUTE);
    const failing = app.services.showNotices.announceRoomStarted;
    app.services.showNotices.announceRoomStarted = () => Promise.reject(new Error("inbox is down"));
    try {
      expect(await deliverWebhook("room_started", "EV_follows_failing", gone.id)).toBe("applied");
    } finally {
      app.services.showNotices.announceRoomStarted = failing;
    }
  });

  it("reaches a large following in several transactions, every follower once", async () => {
    const big = await scheduleShow("Big audience", 45 * MINUTE);
    // 2,500 followers of the store (more than one chunk of notices), written directly for speed.
    const ids = Array.from({ length: 2_500 }, (_, i) => `usr_FAN${String(i).padStart(5, "0")}`);
    for (let start = 0; start < ids.length; start += 500) {
      await app.database.client.batch(
        ids.slice(start, start + 500).flatMap((id) => [
          { sql: "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (?, ?, 'Fan', 'x', 0)", args: [id, `${id.toLowerCase()}@fans.test`] },
          { sql: "INSERT INTO follows (user_id, target_type, target_id, created_at) VALUES (?, 'store', ?, 0)", args: [id, storeId] },
        ]),
        "write",
      );
    }
    const storeFollowers = Number((await app.database.client.execute({ sql: "SELECT count(*) FROM follows WHERE target_type = 'store' AND target_id = ?", args: [storeId] })).rows[0]![0]);
    expect(await deliverWebhook("room_started", "EV_big_started", big.id)).toBe("applied");
    const sent = await app.database.client.execute({ sql: "SELECT count(*), count(DISTINCT user_id) FROM notifications WHERE kind = 'show.started' AND link = ?", args: [`/live/${big.id}`] });
    expect(Number(sent.rows[0]![0])).toBeGreaterThanOrEqual(2_500);
    expect(Number(sent.rows[0]![0])).toBe(Number(sent.rows[0]![1]));
    expect(Number(sent.rows[0]![0])).toBeGreaterThanOrEqual(storeFollowers);
    const recorded = Number((await app.database.client.execute({ sql: "SELECT recipients FROM show_notices WHERE session_id = ? AND kind = 'started'", args: [big.id] })).rows[0]![0]);
    expect(recorded).toBe(Number(sent.rows[0]![0]));
  });

  it("is shown in the inbox in English and in Chinese", async () => {
    const { client } = followerAndSetter;
    const english = await (await client.get("/inbox")).text();
    expect(english).toContain("林小夏 is live now: “Spring tea tasting”");
    expect(english).toMatch(/“Spring tea tasting” with 林小夏 \(.+\) starts at /);
    expect(english).toContain(`href="/live/${show.id}"`);
    await client.post("/locale", { locale: "zh-CN" });
    const chinese = await (await client.get("/inbox")).text();
    expect(chinese).toContain("林小夏 正在直播：“Spring tea tasting”");
    expect(chinese).toMatch(/林小夏（.+）的直播“Spring tea tasting”将于 .+ 开播。/);
  });
});

describe("the host's calendar feed", () => {
  const longTitle = "春季新茶直播：明前龙井、碧螺春；白毫银针, 限时秒杀\\主播林小夏带你走进茶园，现场开箱品鉴，下单即送手工茶具一套";
  let feedShow: LiveSession;
  let removedShow: LiveSession;

  beforeAll(async () => {
    feedShow = await scheduleShow(longTitle, 3 * 24 * 60 * MINUTE);
    removedShow = await scheduleShow("A title an officer removes", 4 * 24 * 60 * MINUTE);
    await app.services.live.removeTitle({ type: "user", id: "officer-test" }, removedShow.id);
  });

  async function feed() {
    const response = await app.client().request(`/hosts/${hostId}/shows.ics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    return new Uint8Array(await response.arrayBuffer());
  }

  it("is valid iCalendar by a real parser, with one event per upcoming or live show", async () => {
    const text = new TextDecoder().decode(await feed());
    const calendar = new ICAL.Component(ICAL.parse(text));
    expect(calendar.name).toBe("vcalendar");
    expect(calendar.getFirstPropertyValue("version")).toBe("2.0");
    expect(calendar.getFirstPropertyValue("method")).toBe("PUBLISH");
    expect(String(calendar.getFirstPropertyValue("x-wr-calname"))).toContain("林小夏");
    const events = new Map(calendar.getAllSubcomponents("vevent").map((vevent) => [String(vevent.getFirstPropertyValue("uid")), new ICAL.Event(vevent)]));
    const long = events.get(`${feedShow.id}@localhost`)!;
    expect(long.summary).toBe(longTitle);
    expect(long.startDate.toJSDate().toISOString()).toBe(feedShow.scheduledAt.toISOString());
    expect(long.startDate.zone?.tzid).toBe("UTC");
    expect(long.endDate.toJSDate().getTime() - feedShow.scheduledAt.getTime()).toBe(120 * MINUTE);
    expect(events.get(`${removedShow.id}@localhost`)!.summary).toBe("Live show");
    expect(events.get(`${show.id}@localhost`)!.summary).toBe("Spring tea tasting"); // on air now
    expect(String(long.component.getFirstPropertyValue("url"))).toBe(`http://localhost/live/${feedShow.id}`);
    expect(long.component.getFirstPropertyValue("status")).toBe("CONFIRMED");
    expect(long.component.getFirstPropertyValue("dtstamp")).toBeTruthy();
  });

  it("has CRLF line ends, lines of at most 75 octets, balanced BEGIN/END and the required properties", async () => {
    const bytes = await feed();
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // a character cut in two would throw
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const lines = text.slice(0, -2).split("\r\n");
    for (const line of lines) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(lines.some((line) => line.startsWith(" "))).toBe(true); // the long title was folded
    const stack: string[] = [];
    const unfolded = text.replace(/\r\n[ \t]/g, "").slice(0, -2).split("\r\n");
    const events: string[][] = [];
    for (const line of unfolded) {
      if (line.startsWith("BEGIN:")) {
        stack.push(line.slice(6));
        if (line === "BEGIN:VEVENT") events.push([]);
      } else if (line.startsWith("END:")) expect(stack.pop()).toBe(line.slice(4));
      else if (stack.at(-1) === "VEVENT") events.at(-1)!.push(line.split(/[:;]/)[0]!);
    }
    expect(stack).toEqual([]);
    expect(unfolded[0]).toBe("BEGIN:VCALENDAR");
    for (const name of ["PRODID:", "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:"]) expect(unfolded.some((line) => line.startsWith(name))).toBe(true);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const names of events) for (const required of ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL", "STATUS"]) expect(names).toContain(required);
    for (const line of unfolded.filter((l) => /^DT(START|END|STAMP):/.test(l))) expect(line).toMatch(/:\d{8}T\d{6}Z$/);
  });

  it("is linked from the host's schedule as a calendar subscription", async () => {
    const page = await (await app.client().get(`/hosts/${hostId}`)).text();
    expect(page).toContain(`href="webcal://localhost/hosts/${hostId}/shows.ics"`);
    expect(page).toContain("Subscribe in your calendar");
  });
});

describe("access", () => {
  it("sends an anonymous person to sign in, refuses anonymous posts, and refuses a post without the CSRF token", async () => {
    const anonymous = app.client();
    const page = await anonymous.request("/following");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/signin?next=%2Ffollowing");
    await anonymous.get("/");
    expect((await anonymous.post(`/follows/host/${hostId}`, {})).status).toBe(401);
    expect((await anonymous.post(`/reminders/${show.id}`, {})).status).toBe(401);
    const { client, id } = bystander;
    expect((await client.post(`/follows/store/${storeId}`, {}, { csrf: false })).status).toBe(403);
    expect(await app.services.follows.following(id)).toEqual([]);
  });

  it("erases a person's follows and reminders", async () => {
    expect(await app.services.follows.eraseMember(followerAndSetter.id)).toBe(2);
    expect(await app.services.follows.following(followerAndSetter.id)).toEqual([]);
    expect(await app.services.follows.reminders(followerAndSetter.id)).toEqual([]);
  });
});

describe("a show that never went live", () => {
  it("leaves the reminder job once its start is long past, without a late reminder", async () => {
    const saved = nowMs;
    const stale = await scheduleShow("Never aired", 30 * MINUTE);
    await app.services.follows.remind(bystander.id, stale.id);
    const getSession = app.services.live.getSession;
    let looks = 0;
    app.services.live.getSession = (id) => {
      if (id === stale.id) looks += 1;
      return getSession(id);
    };
    try {
      nowMs = stale.scheduledAt.getTime() + 3 * 60 * MINUTE; // the host never started it
      expect(await app.services.showNotices.remindersDue()).toBe(0);
      expect(await app.services.showNotices.remindersDue()).toBe(0);
      expect(looks).toBe(1);
      expect(await noticesOf(bystander.id, "show.reminder")).toEqual([]);
    } finally {
      app.services.live.getSession = getSession;
      nowMs = saved;
    }
  });
});
