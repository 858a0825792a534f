// Content moderation through the real app: evasive spellings are caught, officers' allowed phrases
// pass, officers' banned terms block chat, product copy is flagged on save and the officers'
// decisions (dismiss, remove, warn) are audited; shoppers and merchants are refused the pages.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { DEMO_PASSWORD } from "../db/seed-data.ts";
import type { Actor } from "../modules/compliance/index.ts";
import { newShopper } from "./fixtures/commerce.ts";
import { fastTestPasswords, startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

let app: TestApp;
let officer: TestClient;
let officerActor: Actor;
let owner: Actor;
let storeId: string;

beforeAll(async () => {
  app = await startTestApp({ passwords: fastTestPasswords() });
  await app.services.moderation.ready();
  officer = app.client();
  await officer.signIn("officer@demo.broadcart.test", DEMO_PASSWORD);
  officerActor = { type: "user", id: (await app.services.accounts.findByEmail("officer@demo.broadcart.test"))!.id };
  const ownerId = (await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!.id;
  owner = { type: "user", id: ownerId };
  storeId = (await app.services.catalog.managedStores(ownerId))[0]!.id;
}, 60_000);
afterAll(() => app.close());

const auditOf = async (action: string, subject: string) => (await app.services.audit.recent(100)).filter((e) => e.action === action && e.subject === subject);

let codeSeq = 0;
function product(titleZh: string) {
  return app.services.catalog.createProduct(owner, {
    storeId,
    status: "published",
    titleZh,
    titleEn: "Green tea",
    descriptionZh: "清香",
    descriptionEn: "Fresh",
    skus: [{ code: `MOD-${++codeSeq}`, optionZh: "一盒", optionEn: "One box", priceFen: 1000, stock: 5 }],
  });
}

describe("matching", () => {
  it("catches 最 好, ＮＯ．１ and 第 一, and lets an allow-listed phrase through", () => {
    const m = app.services.moderation;
    expect(m.bannedTerms("这是最 好的茶")).toEqual(["最好"]);
    expect(m.bannedTerms("销量ＮＯ．１")).toEqual(["no.1"]);
    expect(m.bannedTerms("全店第 一")).toEqual(["第一"]);
    expect(m.bannedTerms("第一次来")).toEqual([]);
  });

  it("highlights the offending words", () => {
    const segments = app.services.moderation.highlight("好茶，最 好！");
    expect(segments.map((s) => [s.text, s.term])).toEqual([["好茶，", null], ["最 好", "最好"], ["！", null]]);
  });

  it("lets an officer-added allowed phrase through, audited", async () => {
    expect(app.services.moderation.bannedTerms("顶级联赛门票")).toEqual(["顶级"]);
    const before = (await app.client().get("/")).status; // warm up
    expect(before).toBe(200);
    await officer.get("/compliance/moderation");
    const response = await officer.post("/compliance/moderation/terms", { term: "顶级联赛", kind: "allowed" });
    expect(response.status).toBe(303);
    expect(app.services.moderation.bannedTerms("顶级联赛门票")).toEqual([]);
    expect(app.services.moderation.bannedTerms("顶级好茶")).toEqual(["顶级"]);
    expect(await auditOf("moderation.term_added", "moderation_term:顶级联赛")).toHaveLength(1);
    expect(await (await officer.get("/compliance/moderation")).text()).toContain("顶级联赛");
  });
});

describe("chat", () => {
  it("blocks a chat message with an officer-added banned term, with the reason shown", async () => {
    const session = (await app.services.live.board(10)).upcoming.find((s) => s.host.name === "林小夏")!;
    await app.services.live.startSession({ type: "user", id: session.host.id }, session.id);
    await app.services.moderation.addTerm(officerActor, { term: "神仙茶", kind: "banned", category: "medical" });
    const { client } = await newShopper(app, "moderated");
    await client.get(`/live/${session.id}`);
    const refused = await client.post(`/live/${session.id}/chat`, { body: "快来买 神 仙 茶！" }, { htmx: true });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("神仙茶");
    await app.services.moderation.removeTerm(officerActor, "神仙茶");
    expect(app.services.moderation.bannedTerms("神仙茶")).toEqual([]);
    expect(await auditOf("moderation.term_removed", "moderation_term:神仙茶")).toHaveLength(1);
  });
});

describe("review queue", () => {
  it("flags a product saved with 国家级 in its title; removing it unpublishes it, audited", async () => {
    const saved = await product("国家级龙井");
    const [flag] = await app.services.moderation.flagsOf("product", saved.id);
    expect(flag).toMatchObject({ field: "titleZh", status: "open", storeId });
    expect(flag!.terms.map((t) => t.term)).toEqual(["国家级"]);
    expect(await auditOf("moderation.flagged", `moderation_flag:${flag!.id}`)).toHaveLength(1);

    const page = await (await officer.get("/compliance/moderation")).text();
    expect(page).toContain(`<mark title="国家级">国家级</mark>`);
    const decided = await officer.post(`/compliance/moderation/flags/${flag!.id}/decide`, { decision: "removed", note: "absolute claim" });
    expect(decided.status).toBe(303);
    expect((await app.services.catalog.productForStaff(owner, saved.id)).status).toBe("draft");
    expect(await auditOf("product.unpublished", `product:${saved.id}`)).toHaveLength(1);
    const [entry] = await auditOf("moderation.decided", `moderation_flag:${flag!.id}`);
    expect(entry?.data).toMatchObject({ decision: "removed", note: "absolute claim", contentRemoved: true });
    expect(entry?.actor).toEqual(officerActor);
    // A decided flag cannot be decided again.
    expect((await officer.post(`/compliance/moderation/flags/${flag!.id}/decide`, { decision: "dismissed" })).status).toBe(409);
  });

  it("audits dismissing and warning too; a clean product is not flagged", async () => {
    const clean = await product("明前龙井");
    expect(await app.services.moderation.flagsOf("product", clean.id)).toEqual([]);
    for (const decision of ["dismissed", "warned"] as const) {
      const saved = await product("最佳龙井");
      const [flag] = await app.services.moderation.flagsOf("product", saved.id);
      const result = await app.services.moderation.decide(officerActor, flag!.id, decision, "");
      expect(result.status).toBe(decision);
      expect((await app.services.catalog.productForStaff(owner, saved.id)).status).toBe("published");
      expect(await auditOf("moderation.decided", `moderation_flag:${flag!.id}`)).toHaveLength(1);
    }
  });

  it("flags a show title with its host as the author; removing it blanks the title", async () => {
    const host = (await app.services.accounts.findByEmail("host.zhou@demo.broadcart.test"))!.id;
    const show = await app.services.live.scheduleSession({ type: "user", id: host }, { storeId, hostId: host, title: "全网最低价专场", scheduledAt: new Date(Date.now() + 3_600_000), productIds: [] });
    const [flag] = await app.services.moderation.flagsOf("live_title", show.id);
    expect(flag!.terms.map((t) => t.term)).toEqual(["全网最低价"]);
    expect(flag!.authorId).toBe(host);
    const result = await app.services.moderation.decide(officerActor, flag!.id, "removed", "title");
    expect(result).toMatchObject({ status: "removed", contentRemoved: true });
    expect(await app.services.live.getSession(show.id)).toMatchObject({ title: "", titleRemoved: true });
    expect(await auditOf("moderation.decided", `moderation_flag:${flag!.id}`)).toHaveLength(1);
  });
});

describe("access", () => {
  it("refuses shoppers and merchants", async () => {
    for (const email of ["shopper@demo.broadcart.test", "owner@demo.broadcart.test"]) {
      const client = app.client();
      await client.signIn(email, DEMO_PASSWORD);
      expect((await client.get("/compliance/moderation")).status).toBe(403);
      expect((await client.post("/compliance/moderation/terms", { term: "x", kind: "banned" })).status).toBe(403);
    }
  });
});
