import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp } from "./fixtures/test-app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

async function firstProductId(): Promise<string> {
  const [product] = await app.services.catalog.listPublishedProducts(50).then((list) => list.filter((p) => p.titleEn.startsWith("West Lake")));
  return product!.id;
}

async function longjingGiftBox() {
  const product = await app.services.catalog.getPublishedProduct(await firstProductId());
  return { product, gift: product.skus.find((sku) => sku.code === "TEA-LJ-GIFT")! };
}

describe("home page", () => {
  it("lists upcoming and finished sessions and products from the database", async () => {
    const response = await app.client().get("/");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<!doctype html>");
    expect(html).toContain("Spring tea launch");
    expect(html).toContain("Silk favourites");
    expect(html).toContain("Nobody is live right now.");
    expect(html).toContain("West Lake Longjing");
    expect(html).toContain("Sold out");
  });

  it("shows a session under 'Live now' once its host goes live", async () => {
    const seeded = (await app.services.live.board(10)).upcoming[0]!;
    const upcoming = await app.services.live.scheduleSession(
      { type: "user", id: seeded.host.id },
      { storeId: seeded.store.id, hostId: seeded.host.id, title: "Late-night snack hour", scheduledAt: new Date(), productIds: [] },
    );
    await app.services.live.startSession({ type: "user", id: upcoming.host.id }, upcoming.id);
    const html = await (await app.client().get("/")).text();
    const liveSection = html.slice(html.indexOf('id="live-now"'), html.indexOf('id="upcoming"'));
    expect(liveSection).toContain(upcoming.title);
    expect(liveSection).toContain("LIVE");
  });

  it("is a fragment without the layout for an HTMX request", async () => {
    const html = await (await app.client().get("/", { htmx: true })).text();
    expect(html).not.toContain("<html");
    expect(html).toContain('id="upcoming"');
  });

  it("speaks Chinese or English by Accept-Language, and the switch overrides it", async () => {
    const zh = await (await app.client().get("/", { headers: { "accept-language": "zh-CN,zh;q=0.9" } })).text();
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain("直播预告");
    expect(zh).toContain("明前西湖龙井");
    const client = app.client();
    await client.get("/", { headers: { "accept-language": "zh-CN" } });
    const switched = await client.post("/locale", { locale: "en" });
    expect(switched.status).toBe(303);
    const en = await (await client.get("/", { headers: { "accept-language": "zh-CN" } })).text();
    expect(en).toContain("Upcoming shows");
  });

  it("shows times in China Standard Time", async () => {
    const html = await (await app.client().get("/")).text();
    expect(html).toMatch(/Starts [A-Z][a-z]{2} \d{1,2}, \d{4}, 8:00\s?PM/);
  });
});

describe("product page", () => {
  it("shows the price, stock and every SKU to choose from", async () => {
    const html = await (await app.client().get(`/products/${await firstProductId()}`)).text();
    expect(html).toContain("West Lake Longjing");
    expect(html).toContain("¥168.00");
    expect(html).toContain("In stock: 120");
    expect(html).toContain("Gift box, 2 × 200 g");
    expect(html).toContain("Sold by Hillside Tea House");
  });

  it("answers a SKU choice from HTMX with just the price panel", async () => {
    const { product, gift } = await longjingGiftBox();
    const response = await app.client().get(`/products/${product.id}?sku=${gift.id}`, { htmx: true });
    const html = await response.text();
    expect(html.startsWith('<div id="sku-panel"')).toBe(true);
    expect(html).toContain("¥318.00");
    expect(html).toContain("In stock: 40");
  });

  it("works without JavaScript: the same choice as a plain GET renders the whole page", async () => {
    const { product, gift } = await longjingGiftBox();
    const html = await (await app.client().get(`/products/${product.id}?sku=${gift.id}`)).text();
    expect(html).toContain("<!doctype html>");
    expect(html).toContain("¥318.00");
    expect(html).toMatch(new RegExp(`value="${gift.id}" checked`));
  });

  it("says sold out for a SKU without stock", async () => {
    const basket = (await app.services.catalog.listPublishedProducts(50)).find((p) => p.titleEn.includes("bamboo basket"))!;
    const html = await (await app.client().get(`/products/${basket.id}`)).text();
    expect(html).toContain("Sold out");
  });

  it("answers an unknown product with a 404 page", async () => {
    const response = await app.client().get("/products/prd_nope");
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("We could not find that page.");
  });
});

describe("platform", () => {
  it("tags every answer with a request id", async () => {
    const response = await app.client().get("/healthz");
    expect(await response.text()).toBe("ok");
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("serves htmx and the stylesheet from our own static folder", async () => {
    const htmx = await app.client().get("/static/vendor/htmx.min.js");
    expect(htmx.status).toBe(200);
    expect(await htmx.text()).toContain("htmx");
    expect((await app.client().get("/static/app.css")).status).toBe(200);
  });

  it("answers an unknown path with 404", async () => {
    expect((await app.client().get("/no-such-page")).status).toBe(404);
  });
});
