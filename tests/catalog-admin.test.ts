// The merchant catalog through the real app: store staff create and edit products with SKUs, adjust
// stock with a reason, upload photos and publish; other people and other stores' staff are refused.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";
import { DEMO_PASSWORD, ean13 } from "../db/seed-data.ts";
import type { Actor } from "../modules/compliance/index.ts";

const system: Actor = { type: "system", id: "catalog-admin-test" };
/** A real 1×1 PNG. */
const TINY_PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="), (ch) => ch.charCodeAt(0));

let app: TestApp;
let owner: TestClient;
let staff: TestClient;
let storeId: string;

beforeAll(async () => {
  app = await startTestApp();
  owner = app.client();
  await owner.signIn("owner@demo.broadcart.test", DEMO_PASSWORD);
  staff = app.client();
  await staff.signIn("staff@demo.broadcart.test", DEMO_PASSWORD);
  const ownerId = (await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!.id;
  storeId = (await app.services.catalog.managedStores(ownerId))[0]!.id;
});
afterAll(() => app.close());

const productCount = async () => (await app.services.catalog.storeProducts(system, storeId)).length;
const productOf = (id: string) => app.services.catalog.productForStaff(system, id);
const historyOf = async (productId: string, skuId: string) => (await app.services.catalog.stockHistory(system, productId)).get(skuId) ?? [];

/** The newest audit entries, newest first. */
async function recentAudit(count = 20) {
  return app.services.audit.recent(count);
}

/** An audit entry of `action` on `subject` whose data holds `data` is among the latest ones. */
async function expectAudited(action: string, subject: string, data: Record<string, unknown> = {}) {
  const entries = (await recentAudit(50)).filter((candidate) => candidate.action === action && candidate.subject === subject);
  // On a miss, compare with what is there, so the failure shows the difference.
  if (!entries.some((entry) => holds(entry.data, data))) expect({ action, subject, data: entries.map((entry) => entry.data) }).toEqual({ action, subject, data: [data] });
}

/** `actual` has every field of `expected`, recursively (arrays in full). */
function holds(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => holds(actual[i], item));
  if (expected && typeof expected === "object") {
    return !!actual && typeof actual === "object" && Object.entries(expected).every(([key, value]) => holds((actual as Record<string, unknown>)[key], value));
  }
  return Object.is(actual, expected);
}

let codeSeq = 0;
const uniqueCode = (stem: string) => `${stem}-${++codeSeq}`;

function newProductFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    storeId,
    rows: "2",
    titleZh: "纯棉圆领T恤",
    titleEn: "Cotton crew-neck tee",
    descriptionZh: "新疆长绒棉。",
    descriptionEn: "Long-staple Xinjiang cotton.",
    "sku.0.optionZh": "红色 M 码",
    "sku.0.optionEn": "Red, size M",
    "sku.0.code": uniqueCode("tee-red-m").toLowerCase(),
    "sku.0.barcode": ean13(`69299999${String(codeSeq).padStart(4, "0")}`),
    "sku.0.price": "129",
    "sku.0.stock": "20",
    "sku.1.optionZh": "蓝色 L 码",
    "sku.1.optionEn": "Blue, size L",
    "sku.1.code": uniqueCode("TEE-BLUE-L"),
    "sku.1.barcode": "",
    "sku.1.price": "45.9",
    "sku.1.stock": "5",
    ...overrides,
  };
}

/** Creates a product through the page as the owner and returns its id. */
async function createProduct(overrides: Record<string, string> = {}): Promise<string> {
  await owner.get("/merchant/products/new");
  const response = await owner.post("/merchant/products", newProductFields(overrides));
  expect(response.status).toBe(303);
  const location = response.headers.get("location")!;
  expect(location).toMatch(/^\/merchant\/products\/prd_\w+$/);
  return location.split("/").at(-1)!;
}

function upload(client: TestClient, productId: string, file: File, htmx = false): Promise<Response> {
  return client.postMultipart(`/merchant/products/${productId}/images`, {}, { image: file }, { htmx });
}

describe("creating a product", () => {
  it("creates a draft with two SKUs, prices parsed from yuan text, and the initial stock as movements", async () => {
    const page = await owner.get("/merchant/products/new");
    expect(page.status).toBe(200);
    const form = await page.text();
    expect(form).toContain('<label for="new-title-zh">');
    expect(form).toContain('name="sku.1.code"');

    const before = await productCount();
    const id = await createProduct();
    expect(await productCount()).toBe(before + 1);
    const product = await productOf(id);
    expect(product.status).toBe("draft");
    expect(product.titleEn).toBe("Cotton crew-neck tee");
    expect(product.skus.map((sku) => [sku.code, sku.price.amount, sku.stock])).toEqual([
      [`TEE-RED-M-${codeSeq - 1}`, 12900, 20],
      [`TEE-BLUE-L-${codeSeq}`, 4590, 5],
    ]);
    expect(product.skus[0]!.barcode).toMatch(/^\d{13}$/);
    expect(product.skus[1]!.barcode).toBeNull();

    const [initial] = await historyOf(id, product.skus[0]!.id);
    expect(initial).toMatchObject({ delta: 20, reason: "adjustment", initial: true });
    await expectAudited("product.created", `product:${id}`, { storeId, status: "draft" });

    // A draft is not in the shop.
    expect((await app.client().get(`/products/${id}`)).status).toBe(404);
    const editor = await (await owner.get(`/merchant/products/${id}`)).text();
    expect(editor).toContain("Cotton crew-neck tee");
    expect(editor).toContain("Initial stock");
    expect(editor).toContain('value="129.00"');
  });

  it("keeps what was typed and adds a row when asked for more rows", async () => {
    await owner.get("/merchant/products/new");
    const before = await productCount();
    const response = await owner.post("/merchant/products", { ...newProductFields({ titleEn: "Keep me" }), intent: "add_row" });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('value="Keep me"');
    expect(html).toContain('name="sku.2.code"');
    expect(await productCount()).toBe(before);
  });

  it("lists the store's products with status, stock and price range, and finds them by title or SKU code", async () => {
    const id = await createProduct({ titleEn: "Searchable linen apron", titleZh: "亚麻围裙" });
    const code = (await productOf(id)).skus[1]!.code;
    const list = await owner.get("/merchant/products");
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("Searchable linen apron");
    expect(html).toContain("West Lake Longjing");
    expect(html).toContain("¥45.90 – ¥129.00");
    expect(html).toContain("Draft");

    const byCode = await (await owner.get(`/merchant/products?q=${encodeURIComponent(code.toLowerCase())}`)).text();
    expect(byCode).toContain("Searchable linen apron");
    expect(byCode).not.toContain("West Lake Longjing");
    const fragment = await owner.request("/merchant/products?q=%E4%BA%9A%E9%BA%BB", { htmx: true });
    const results = await fragment.text();
    expect(results.startsWith('<div id="product-results"')).toBe(true);
    expect(results).toContain("Searchable linen apron");
    expect(await (await owner.get("/merchant/products?q=no-such-thing")).text()).toContain("No product matches");
    // LIKE wildcards are searched for as characters, not used as wildcards.
    expect(await (await owner.get("/merchant/products?q=%25")).text()).toContain("No product matches");
    expect(await (await owner.get("/merchant/products?q=_")).text()).toContain("No product matches");
  });
});

describe("refusing bad input in place", () => {
  const good = ean13("692999990500");
  const badCheckDigit = good.slice(0, 12) + String((Number(good.at(-1)) + 1) % 10);
  const invalid: [string, Record<string, string>, string, RegExp][] = [
    ["an empty title", { titleZh: " ", titleEn: "" }, "titleZh", /Enter a title in Chinese or English/],
    ["a price with three decimals", { "sku.0.price": "12.345" }, "sku.0.price", /at most two decimals/],
    ["a price that is not a number", { "sku.1.price": "12,90" }, "sku.1.price", /at most two decimals/],
    ["a negative stock", { "sku.1.stock": "-3" }, "sku.1.stock", /whole number from 0/],
    ["a SKU code another product uses", { "sku.1.code": "tea-lj-200" }, "sku.1.code", /Another product already uses this SKU code/],
    ["the same SKU code twice", { "sku.1.code": "TWICE-1", "sku.0.code": "twice-1" }, "sku.1.code", /used twice in this form/],
    ["a barcode with a wrong check digit", { "sku.0.barcode": badCheckDigit }, "sku.0.barcode", /check digit is wrong/],
    ["a UPC-A with a wrong check digit", { "sku.0.barcode": "036000291453" }, "sku.0.barcode", /check digit is wrong/],
    ["no SKU at all", { "sku.0.code": "", "sku.0.optionZh": "", "sku.0.optionEn": "", "sku.0.barcode": "", "sku.0.price": "", "sku.1.code": "", "sku.1.optionZh": "", "sku.1.optionEn": "", "sku.1.price": "" }, "sku.0.code", /at least one option/],
  ];
  for (const [what, overrides, fieldName, messageText] of invalid) {
    it(`re-renders the form with the message in place (422) and creates nothing for ${what}`, async () => {
      const before = await productCount();
      const auditBefore = (await recentAudit(1))[0]!.seq;
      await owner.get("/merchant/products/new");
      const response = await owner.post("/merchant/products", newProductFields(overrides));
      expect(response.status).toBe(422);
      const html = await response.text();
      expect(html).toContain("<!doctype html>");
      expect(html).toMatch(messageText);
      const input = new RegExp(`<input[^>]*name="${fieldName.replace(/\./g, "\\.")}"[^>]*aria-invalid="true"`);
      expect(html).toMatch(input);
      expect(await productCount()).toBe(before);
      expect((await recentAudit(1))[0]!.seq).toBe(auditBefore);
    });
  }

  it("accepts a valid UPC-A and a store's own non-numeric barcode", async () => {
    const id = await createProduct({ "sku.0.barcode": "036000291452", "sku.1.barcode": "INSTORE-0042" });
    expect((await productOf(id)).skus.map((sku) => sku.barcode)).toEqual(["036000291452", "INSTORE-0042"]);
  });

  it("answers an HTMX submit with just the form, errors in place", async () => {
    await owner.get("/merchant/products/new");
    const response = await owner.post("/merchant/products", newProductFields({ titleZh: "", titleEn: "" }), { htmx: true });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html.startsWith('<form id="new-product"')).toBe(true);
    expect(html).toContain("Enter a title in Chinese or English");
  });

  it("refuses a bad price or a taken code when editing a SKU, and changes nothing", async () => {
    const id = await createProduct();
    const [first] = (await productOf(id)).skus;
    await owner.get(`/merchant/products/${id}`);
    const fields = { optionZh: "红色 M 码", optionEn: "Red, size M", code: first!.code, barcode: first!.barcode ?? "", price: "12.345" };
    const badPrice = await owner.post(`/merchant/products/${id}/skus/${first!.id}`, fields, { htmx: true });
    expect(badPrice.status).toBe(422);
    const html = await badPrice.text();
    expect(html.startsWith(`<form id="sku-${first!.id}"`)).toBe(true);
    expect(html).toContain("at most two decimals");
    const taken = await owner.post(`/merchant/products/${id}/skus/${first!.id}`, { ...fields, price: "10", code: "TEA-LJ-200" });
    expect(taken.status).toBe(422);
    expect(await taken.text()).toContain("Another product already uses this SKU code");
    expect((await productOf(id)).skus[0]).toEqual(first!);
  });
});

describe("editing and publishing", () => {
  it("saves details and SKUs, never sets stock from the SKU form, and publishing shows it in the shop", async () => {
    const id = await createProduct();
    const [red, blue] = (await productOf(id)).skus;
    await staff.get(`/merchant/products/${id}`);

    const details = await staff.post(`/merchant/products/${id}`, { titleZh: "有机棉T恤", titleEn: "", descriptionZh: "柔软。", descriptionEn: "Soft." }, { htmx: true });
    expect(details.status).toBe(200);
    expect(await details.text()).toContain("Details saved.");
    const renamed = await productOf(id);
    expect([renamed.titleZh, renamed.titleEn]).toEqual(["有机棉T恤", "有机棉T恤"]);
    await expectAudited("product.updated", `product:${id}`, { changes: { titleZh: ["纯棉圆领T恤", "有机棉T恤"] } });

    const sku = await staff.post(`/merchant/products/${id}/skus/${red!.id}`, { optionZh: "正红 M", optionEn: "True red, M", code: red!.code, barcode: red!.barcode!, price: "139.50", stock: "999" }, { htmx: true });
    expect(sku.status).toBe(200);
    expect(await sku.text()).toContain("Option saved.");
    const edited = (await productOf(id)).skus[0]!;
    expect([edited.optionEn, edited.price.amount, edited.stock]).toEqual(["True red, M", 13950, 20]);
    await expectAudited("sku.updated", `sku:${red!.id}`, { changes: { priceFen: [12900, 13950] } });

    const added = await staff.post(`/merchant/products/${id}/skus`, { optionZh: "白色 S 码", optionEn: "White, size S", code: uniqueCode("tee-white-s"), barcode: "", price: "99", stock: "7" }, { htmx: true });
    expect(added.status).toBe(200);
    expect(await added.text()).toContain("added");
    const white = (await productOf(id)).skus[2]!;
    expect([white.price.amount, white.stock]).toEqual([9900, 7]);
    expect(await historyOf(id, white.id)).toMatchObject([{ delta: 7, initial: true }]);
    await expectAudited("sku.added", `sku:${white.id}`, { productId: id, stock: 7 });

    const publish = await staff.post(`/merchant/products/${id}/publish`, {}, { htmx: true });
    expect(publish.status).toBe(200);
    expect(await publish.text()).toContain("Unpublish");
    await expectAudited("product.published", `product:${id}`);
    const shopPage = await app.client().get(`/products/${id}`);
    expect(shopPage.status).toBe(200);
    const shop = await shopPage.text();
    expect(shop).toContain("有机棉T恤");
    expect(shop).toContain("¥139.50");
    expect(shop).toContain("White, size S");
    expect(shop).toContain(blue!.optionEn);

    const unpublish = await staff.post(`/merchant/products/${id}/unpublish`);
    expect(unpublish.status).toBe(303);
    expect(unpublish.headers.get("location")).toBe(`/merchant/products/${id}`);
    await expectAudited("product.unpublished", `product:${id}`);
    expect((await app.client().get(`/products/${id}`)).status).toBe(404);
  });
});

describe("who may manage a store's catalog", () => {
  let productId: string;
  beforeAll(async () => {
    productId = await createProduct();
  });

  it("refuses a shopper with 403 everywhere", async () => {
    const shopper = app.client();
    await shopper.signIn("shopper@demo.broadcart.test", DEMO_PASSWORD);
    expect((await shopper.get("/merchant/products")).status).toBe(403);
    expect((await shopper.get(`/merchant/products/${productId}`)).status).toBe(403);
    expect((await shopper.post(`/merchant/products/${productId}/publish`)).status).toBe(403);
    expect((await productOf(productId)).status).toBe("draft");
  });

  it("refuses a merchant of another store with 403 on this store's product, and changes nothing", async () => {
    const email = "rival.owner@example.com";
    const rival = await app.services.accounts.createAccount({ email, displayName: "Rival", password: "rival-password-1", roles: ["merchant"] }, system);
    const rivalStore = await app.services.catalog.createStore(system, { nameZh: "对面茶铺", nameEn: "Tea Across the Road", currency: "CNY" });
    await app.services.catalog.addStaff(system, rivalStore.id, rival.id, "owner");
    const client = app.client();
    await client.signIn(email, "rival-password-1");

    const own = await (await client.get("/merchant/products")).text();
    expect(own).toContain("No products yet.");
    expect(own).not.toContain("West Lake Longjing");
    const skuId = (await productOf(productId)).skus[0]!.id;
    const auditBefore = (await recentAudit(1))[0]!.seq;
    expect((await client.get(`/merchant/products/${productId}`)).status).toBe(403);
    expect((await client.post(`/merchant/products/${productId}`, { titleZh: "抢走", titleEn: "Stolen" })).status).toBe(403);
    expect((await client.post(`/merchant/products/${productId}/publish`)).status).toBe(403);
    expect((await client.post(`/merchant/products/${productId}/skus/${skuId}/stock`, { delta: "-5", reason: "theft" })).status).toBe(403);
    expect((await client.post(`/merchant/products/${productId}/skus/${skuId}/remove`)).status).toBe(403);
    expect((await upload(client, productId, new File([TINY_PNG], "a.png", { type: "image/png" }))).status).toBe(403);
    expect((await client.get(`/merchant/products?store=${storeId}`)).status).toBe(403);
    expect((await client.post("/merchant/products", newProductFields())).status).toBe(403);
    const product = await productOf(productId);
    expect([product.titleEn, product.status, product.skus[0]!.stock, product.images.length]).toEqual(["Cotton crew-neck tee", "draft", 20, 0]);
    expect((await recentAudit(1))[0]!.seq).toBe(auditBefore);
  });

  it("refuses a merchant who is only a host of the store", async () => {
    const email = "merchant.host@example.com";
    const user = await app.services.accounts.createAccount({ email, displayName: "Host merchant", password: "host-password-1", roles: ["merchant"] }, system);
    await app.services.catalog.addStaff(system, storeId, user.id, "host");
    const client = app.client();
    await client.signIn(email, "host-password-1");
    expect((await client.get(`/merchant/products/${productId}`)).status).toBe(403);
    expect(await (await client.get("/merchant/products")).text()).toContain("not on the staff of any store");
  });
});

describe("stock adjustments", () => {
  it("adds and takes away with a reason, shows the history, and refuses going below zero without changing anything", async () => {
    const id = await createProduct();
    const sku = (await productOf(id)).skus[0]!;
    const path = `/merchant/products/${id}/skus/${sku.id}/stock`;
    await owner.get(`/merchant/products/${id}`);

    const plus = await owner.post(path, { delta: "+10", reason: "Delivery from supplier" }, { htmx: true });
    expect(plus.status).toBe(200);
    const plusHtml = await plus.text();
    expect(plusHtml.startsWith(`<div id="stock-${sku.id}"`)).toBe(true);
    expect(plusHtml).toContain("Stock changed by +10; now 30.");
    const minus = await owner.post(path, { delta: "-5", reason: "Damaged in store" });
    expect(minus.status).toBe(303);
    expect((await productOf(id)).skus[0]!.stock).toBe(25);
    await expectAudited("sku.stock_adjusted", `sku:${sku.id}`, { delta: 10, reason: "Delivery from supplier", stockAfter: 30 });
    await expectAudited("sku.stock_adjusted", `sku:${sku.id}`, { delta: -5, reason: "Damaged in store", stockAfter: 25 });

    const history = await historyOf(id, sku.id);
    expect(history.map((movement) => [movement.delta, movement.reason, movement.note])).toEqual([
      [-5, "adjustment", "Damaged in store"],
      [10, "adjustment", "Delivery from supplier"],
      [20, "adjustment", "initial stock"],
    ]);
    const ownerId = (await app.services.accounts.findByEmail("owner@demo.broadcart.test"))!.id;
    expect(history[0]!.actorId).toBe(ownerId);
    const page = await (await owner.get(`/merchant/products/${id}`)).text();
    expect(page).toContain("Delivery from supplier");
    expect(page).toContain("Damaged in store");
    expect(page).toContain("+10");

    const auditBefore = (await recentAudit(1))[0]!.seq;
    const tooMany = await owner.post(path, { delta: "-26", reason: "Stocktake" }, { htmx: true });
    expect(tooMany.status).toBe(422);
    const refused = await tooMany.text();
    expect(refused).toContain("Only 25 in stock");
    expect(refused).toContain('value="-26"');
    expect((await productOf(id)).skus[0]!.stock).toBe(25);
    expect(await historyOf(id, sku.id)).toHaveLength(3);
    expect((await recentAudit(1))[0]!.seq).toBe(auditBefore);

    for (const [fields, text] of [
      [{ delta: "5", reason: "  " }, "Say why the stock changes"],
      [{ delta: "0", reason: "nothing" }, "other than 0"],
      [{ delta: "2.5", reason: "half" }, "other than 0"],
    ] as const) {
      const response = await owner.post(path, fields);
      expect(response.status).toBe(422);
      expect(await response.text()).toContain(text);
    }
    expect((await productOf(id)).skus[0]!.stock).toBe(25);
    // Taking everything that is left is fine.
    expect((await owner.post(path, { delta: "−25", reason: "Sent back to supplier" })).status).toBe(303);
    expect((await productOf(id)).skus[0]!.stock).toBe(0);
  });
});

describe("removing a SKU", () => {
  it("removes a SKU that only has its initial stock, keeps one with history, and never the last one", async () => {
    const id = await createProduct();
    const [red, blue] = (await productOf(id)).skus;
    await owner.get(`/merchant/products/${id}`);

    await owner.post(`/merchant/products/${id}/skus/${red!.id}/stock`, { delta: "1", reason: "Found one more" });
    const kept = await owner.post(`/merchant/products/${id}/skus/${red!.id}/remove`, {}, { htmx: true });
    expect(kept.status).toBe(409);
    const keptHtml = await kept.text();
    expect(keptHtml.startsWith('<section id="skus"')).toBe(true);
    expect(keptHtml).toContain(`Option ${red!.code} has sales or stock changes on record`);
    expect((await productOf(id)).skus).toHaveLength(2);

    const removed = await owner.post(`/merchant/products/${id}/skus/${blue!.id}/remove`, {}, { htmx: true });
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain(`Option ${blue!.code} removed.`);
    expect((await productOf(id)).skus.map((sku) => sku.id)).toEqual([red!.id]);
    await expectAudited("sku.removed", `sku:${blue!.id}`, { productId: id, code: blue!.code, stock: 5 });

    const last = await owner.post(`/merchant/products/${id}/skus/${red!.id}/remove`);
    expect(last.status).toBe(409);
    expect(await last.text()).toContain("at least one option");
  });
});

describe("photos", () => {
  it("stores an uploaded PNG, serves it with its type once published, and shows it on the product page", async () => {
    const id = await createProduct();
    await owner.get(`/merchant/products/${id}`);
    const response = await upload(owner, id, new File([TINY_PNG], "tee.png", { type: "image/png" }), true);
    expect(response.status).toBe(200);
    const section = await response.text();
    expect(section.startsWith('<section id="images"')).toBe(true);
    expect(section).toContain("Photo added.");
    const [image] = (await productOf(id)).images;
    expect(image).toMatchObject({ contentType: "image/png", byteSize: TINY_PNG.byteLength });
    expect(image!.url).toMatch(/^\/media\/products\/img_\w+\.png$/);
    await expectAudited("image.added", `product:${id}`, { imageId: image!.id, contentType: "image/png" });

    // A draft's photo is for its store's staff only.
    expect((await app.client().request(image!.url)).status).toBe(404);
    const preview = await owner.request(image!.url);
    expect(preview.status).toBe(200);
    expect(preview.headers.get("cache-control")).toBe("private, no-store");

    await owner.post(`/merchant/products/${id}/publish`);
    const served = await app.client().request(image!.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(TINY_PNG);
    expect(await (await app.client().get(`/products/${id}`)).text()).toContain(`src="${image!.url}"`);

    // A second photo, moved first; then the first one removed.
    expect((await upload(owner, id, new File([TINY_PNG], "second.png", { type: "image/png" }))).status).toBe(303);
    const second = (await productOf(id)).images[1]!;
    expect((await owner.post(`/merchant/products/${id}/images/${second.id}/move`, { direction: "up" }, { htmx: true })).status).toBe(200);
    expect((await productOf(id)).images.map((candidate) => candidate.id)).toEqual([second.id, image!.id]);
    await expectAudited("image.moved", `product:${id}`, { imageId: second.id, from: 1, to: 0 });
    const removal = await owner.post(`/merchant/products/${id}/images/${image!.id}/remove`, {}, { htmx: true });
    expect(removal.status).toBe(200);
    expect(await removal.text()).toContain("Photo removed.");
    expect((await productOf(id)).images.map((candidate) => candidate.id)).toEqual([second.id]);
    await expectAudited("image.removed", `product:${id}`, { imageId: image!.id });
    expect((await app.client().request(image!.url)).status).toBe(404);
  });

  it("refuses a file that only claims to be an image, and an empty upload, storing nothing", async () => {
    const id = await createProduct();
    await owner.get(`/merchant/products/${id}`);
    const html = new File(["<html><script>alert(1)</script></html>"], "evil.png", { type: "image/png" });
    const response = await upload(owner, id, html, true);
    expect(response.status).toBe(422);
    const section = await response.text();
    expect(section.startsWith('<section id="images"')).toBe(true);
    expect(section).toContain("not a JPEG, PNG or WebP image");
    const truncated = await upload(owner, id, new File([TINY_PNG.slice(0, 8)], "cut.png", { type: "image/png" }));
    expect(truncated.status).toBe(422);
    expect(await truncated.text()).toContain("<!doctype html>");
    expect((await upload(owner, id, new File([], "none.png", { type: "image/png" }))).status).toBe(422);
    expect((await productOf(id)).images).toEqual([]);
  });

  it("never serves a key that is not a stored photo", async () => {
    for (const key of ["..%2F..%2Fpackage.json", "img_unknown.png", "x.svg"]) expect((await app.client().request(`/media/products/${key}`)).status).toBe(404);
  });
});

describe("the audit trail", () => {
  it("stays an intact chain after every change above", async () => {
    const verdict = await app.services.audit.verifyChain();
    expect(verdict.intact).toBe(true);
  });
});
