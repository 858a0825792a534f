// The review queue's decisions reaching the content and the people behind it, through the real app:
// refused chat lands in the queue with its poster, "remove" redacts it or blanks a show's title on
// every page, "warn" puts a notice in the author's inbox (in their language), and the merchant's
// product editor marks the words that were flagged.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import type { Actor } from "../modules/compliance/index.ts";
import { createRooms, REMOVED_CHAT_BODY } from "../modules/live/index.ts";
import { ChatRefused } from "../modules/live/errors.ts";
import { systemClock } from "../src/platform/clock.ts";
import { newShopper } from "./fixtures/commerce.ts";
import { fastTestPasswords, startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let officer: TestClient;
let officerActor: Actor;
let ownerActor: Actor;
let storeId: string;
let liveSessionId: string;

beforeAll(async () => {
  app = await startTestApp({ passwords: fastTestPasswords() });
  await app.services.moderation.ready();
  officer = app.client();
  await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
  officerActor = { type: "user", id: (await app.services.accounts.findByEmail("officer@demo.broadcart.test"))!.id };
  const ownerId = (await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!.id;
  ownerActor = { type: "user", id: ownerId };
  storeId = (await app.services.catalog.managedStores(ownerId))[0]!.id;
  const session = (await app.services.live.board(10)).upcoming.find((s) => s.host.name === "林小夏")!;
  liveSessionId = session.id;
  await app.services.live.startSession({ type: "user", id: session.host.id }, liveSessionId);
}, 60_000);
afterAll(() => app.close());

const auditOf = async (action: string, subject: string) => (await app.services.audit.recent(200)).filter((e) => e.action === action && e.subject === subject);

async function chatRowsOf(userId: string) {
  const result = await app.database.client.execute({ sql: "SELECT id, body, status FROM live_chat_messages WHERE user_id = ? ORDER BY created_at", args: [userId] });
  return result.rows.map((row) => ({ id: String(row.id), body: String(row.body), status: String(row.status) }));
}

let codeSeq = 0;
function ownersProduct(titleZh: string) {
  return app.services.catalog.createProduct(ownerActor, {
    storeId,
    status: "published",
    titleZh,
    titleEn: "Green tea",
    descriptionZh: "清香",
    descriptionEn: "Fresh",
    skus: [{ code: `REVIEW-${++codeSeq}`, optionZh: "一盒", optionEn: "One box", priceFen: 1000, stock: 5 }],
  });
}

describe("refused chat", () => {
  it("reaches the officers' queue with its poster; removing it redacts the stored message, audited", async () => {
    const { client, id: posterId } = await newShopper(app, "poster");
    await client.get(`/live/${liveSessionId}`);
    expect((await client.post(`/live/${liveSessionId}/chat`, { body: "国家级好茶，快来买" }, { htmx: true })).status).toBe(422);
    const [message] = await chatRowsOf(posterId);
    expect(message).toMatchObject({ status: "refused", body: "国家级好茶，快来买" });

    const [flag] = await app.services.moderation.flagsOf("chat", message!.id);
    expect(flag).toMatchObject({ kind: "chat", field: "body", authorId: posterId, storeId, text: "国家级好茶，快来买", status: "open" });
    const queue = await (await officer.get("/compliance/moderation")).text();
    expect(queue).toContain(`<mark title="国家级">国家级</mark>好茶`);
    const posterName = (await app.services.accounts.displayNames([posterId])).get(posterId)!;
    expect(queue).toContain(`by ${posterName}`);

    const decided = await officer.post(`/compliance/moderation/flags/${flag!.id}/decide`, { decision: "removed", note: "chat spam" });
    expect(decided.status).toBe(303);
    expect(decided.headers.get("location")).toBe("/compliance/moderation?done=removed");
    expect(await chatRowsOf(posterId)).toEqual([{ id: message!.id, body: REMOVED_CHAT_BODY, status: "refused" }]);
    const [removal] = await auditOf("live.chat_removed", `live_session:${liveSessionId}`);
    expect(removal).toMatchObject({ actor: officerActor, data: { messageId: message!.id, userId: posterId } });
    const [decision] = await auditOf("moderation.decided", `moderation_flag:${flag!.id}`);
    expect(decision?.data).toMatchObject({ decision: "removed", contentRemoved: true, authorId: posterId });
  });

  it("still refuses the message, and records it, when the review queue cannot take it", async () => {
    const errors: string[] = [];
    const rooms = createRooms({
      database: app.database,
      audit: app.services.audit,
      clock: systemClock,
      live: app.services.live,
      gateway: null,
      bannedTerms: (text) => (text.includes("国家级") ? ["国家级"] : []),
      flagRefusedChat: async () => {
        throw new Error("queue down");
      },
      log: { ...app.logger, error: (message) => errors.push(message) },
      hostApproved: async () => true,
      hostNotVerified: () => new Error("not verified"),
      displayName: async () => "someone",
    });
    const { id: posterId } = await newShopper(app, "unflagged");
    const refused = await rooms.chat(posterId, liveSessionId, "国家级好茶").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ChatRefused);
    expect(errors).toEqual(["live.chat_flag_failed"]);
    expect((await chatRowsOf(posterId)).map((row) => row.status)).toEqual(["refused"]);
  });
});

describe("warning the author", () => {
  it("puts a notice in the merchant's inbox, in Chinese and in English, until they mark it read", async () => {
    const product = await ownersProduct("国家级龙井");
    const [flag] = await app.services.moderation.flagsOf("product", product.id);
    expect(flag!.authorId).toBe(ownerActor.id);
    expect((await officer.post(`/compliance/moderation/flags/${flag!.id}/decide`, { decision: "warned", note: "请修改标题" })).status).toBe(303);
    const [decision] = await auditOf("moderation.decided", `moderation_flag:${flag!.id}`);
    expect(decision?.data).toMatchObject({ decision: "warned", authorWarned: true, authorId: ownerActor.id });

    const owner = app.client();
    await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
    const english = await (await owner.get("/inbox")).text();
    expect(english).toContain("A compliance officer warned you about your product (Chinese title): advertising rules do not allow “国家级”.");
    expect(english).toContain("请修改标题");
    expect(english).toContain(`href="/merchant/products/${product.id}"`);
    expect(english).toContain("Inbox (1 new)");

    await owner.post("/locale", { locale: "zh-CN" });
    const chinese = await (await owner.get("/inbox")).text();
    expect(chinese).toContain("合规专员就您的商品（中文标题）向您发出警告：广告法规不允许使用“国家级”。");
    expect(chinese).toContain("专员备注：请修改标题");
    expect(chinese).toContain("消息（1 条新）");

    // Nobody else can mark the merchant's notices read.
    const [notice] = await app.services.notifications.list(ownerActor.id);
    const { id: strangerId } = await newShopper(app, "stranger");
    expect(await app.services.notifications.markRead(strangerId, [notice!.id])).toBe(0);
    expect(await app.services.notifications.unreadCount(ownerActor.id)).toBe(1);

    const read = await owner.post("/inbox/read", {});
    expect(read.status).toBe(303);
    expect(await app.services.notifications.unreadCount(ownerActor.id)).toBe(0);
    const after = await (await owner.get("/inbox")).text();
    expect(after).toContain(`<a href="/inbox" data-unread="0">消息</a>`);
    expect(after).toContain("合规专员就您的商品");
  });

  it("refuses a malformed notice id, and sends anonymous people to sign in", async () => {
    const owner = app.client();
    await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
    expect((await owner.post("/inbox/read", { id: "not-a-notice" })).status).toBe(400);
    const anonymous = await app.client().request("/inbox");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/signin?next=%2Finbox");
  });
});

describe("removing a show's title", () => {
  it("blanks it on every page and lets the host give a new one, which is checked again", async () => {
    const hostId = (await app.services.accounts.findByEmail("host.zhou@demo.broadcart.test"))!.id;
    const title = "全网最低价专场";
    const show = await app.services.live.scheduleSession({ type: "user", id: hostId }, { storeId, hostId, title, scheduledAt: new Date(Date.now() + 3_600_000), productIds: [] });
    const host = app.client();
    await host.signIn("host.zhou@demo.broadcart.test", DEMO_PASSWORD);
    expect(await (await app.client().get(`/live/${show.id}`)).text()).toContain(title);

    const [flag] = await app.services.moderation.flagsOf("live_title", show.id);
    expect(flag!.authorId).toBe(hostId);
    expect((await officer.post(`/compliance/moderation/flags/${flag!.id}/decide`, { decision: "removed", note: "" })).headers.get("location")).toBe("/compliance/moderation?done=removed");
    const [removal] = await auditOf("live.title_removed", `live_session:${show.id}`);
    expect(removal?.actor).toEqual(officerActor);
    expect((await auditOf("moderation.decided", `moderation_flag:${flag!.id}`))[0]?.data).toMatchObject({ decision: "removed", contentRemoved: true });

    const pages = [await app.client().get("/"), await app.client().get(`/live/${show.id}`), await host.get("/studio"), await host.get(`/studio/${show.id}`)];
    for (const page of pages) {
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toContain(title);
      expect(html).toContain("Live show");
    }
    const viewer = app.client();
    await viewer.post("/locale", { locale: "zh-CN" });
    expect(await (await viewer.get(`/live/${show.id}`)).text()).toContain(`<h1 class="room__title">直播</h1>`);
    expect(await (await host.get("/studio")).text()).toMatch(/A compliance officer removed this show(&#39;|')s title/);

    // Another host may not rename it; a blank title is refused in place.
    const otherHost = app.client();
    await otherHost.signIn("host.lin@demo.broadcart.test", DEMO_PASSWORD);
    expect((await otherHost.post(`/studio/${show.id}/title`, { title: "别人的直播" })).status).toBe(403);
    const blank = await host.post(`/studio/${show.id}/title`, { title: "  " }, { htmx: true });
    expect(blank.status).toBe(422);
    expect(await blank.text()).toContain("Give the show a title of up to 80 characters.");

    const renamed = await host.post(`/studio/${show.id}/title`, { title: "最佳龙井专场" });
    expect(renamed.status).toBe(303);
    expect(await app.services.live.getSession(show.id)).toMatchObject({ title: "最佳龙井专场", titleRemoved: false });
    expect(await (await app.client().get(`/live/${show.id}`)).text()).toContain(`<h1 class="room__title">最佳龙井专场</h1>`);
    expect(await auditOf("live.retitled", `live_session:${show.id}`)).toHaveLength(1);
    const [again] = await app.services.moderation.flagsOf("live_title", show.id);
    expect(again).toMatchObject({ text: "最佳龙井专场", authorId: hostId, status: "open" });
  });

  it("keeps a title the host gave after the flagged one: the removal is then recorded only", async () => {
    const hostId = (await app.services.accounts.findByEmail("host.zhou@demo.broadcart.test"))!.id;
    const host = { type: "user" as const, id: hostId };
    const show = await app.services.live.scheduleSession(host, { storeId, hostId, title: "国家级好茶专场", scheduledAt: new Date(Date.now() + 3_600_000), productIds: [] });
    const [flag] = await app.services.moderation.flagsOf("live_title", show.id);
    await app.services.live.retitleSession(host, show.id, "春茶专场");
    expect(await app.services.moderation.decide(officerActor, flag!.id, "removed", "")).toMatchObject({ status: "removed", contentRemoved: false });
    expect(await app.services.live.getSession(show.id)).toMatchObject({ title: "春茶专场", titleRemoved: false });
  });
});

describe("the merchant's product editor", () => {
  it("marks the flagged words above the copy, and shows no notice for clean copy", async () => {
    const owner = app.client();
    await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
    const flagged = await ownersProduct("最佳龙井");
    const page = await (await owner.get(`/merchant/products/${flagged.id}`)).text();
    expect(page).toContain("Advertising rules do not allow the marked words");
    expect(page).toMatch(/<dt>Title \(Chinese\)<\/dt><dd class="moderation-text"><mark title="[^"]+">最佳<\/mark>龙井<\/dd>/);

    const clean = await ownersProduct("明前龙井");
    expect(await (await owner.get(`/merchant/products/${clean.id}`)).text()).not.toContain(`id="flagged-copy"`);

    // Saving copy with a banned word flags it on save: the answer marks the word at once.
    const saved = await owner.post(`/merchant/products/${clean.id}`, { titleZh: "明前龙井", titleEn: "Green tea", descriptionZh: "全网第一的好茶", descriptionEn: "Fresh" }, { htmx: true });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain(`<dt>Description (Chinese)</dt><dd class="moderation-text"><mark title="全网第一">全网第一</mark>的好茶</dd>`);
  });
});
