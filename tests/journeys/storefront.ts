// Finding things the way a shopper does, on the public pages: a product by its title on the home
// page, a SKU by its option on the product page, and the stock that page shows for it.
import { expect } from "bun:test";
import type { TestClient } from "../fixtures/test-app.ts";
import { page } from "./web-client.ts";

export const formatYuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The product page's path, from the product's card on the home page. */
export async function productPath(browser: TestClient, titleEn: string): Promise<string> {
  const home = await page(await browser.get("/"));
  const path = new RegExp(`<a href="(/products/prd_[0-9A-Z]+)">\\s*<h3>${escapeRegExp(escapeHtml(titleEn))}</h3>`).exec(home)?.[1];
  if (!path) throw new Error(`the home page has no card for ${titleEn}`);
  return path;
}

/** The id of the SKU whose option (English) the product page offers. */
export function skuIdOnPage(productHtml: string, optionEn: string): string {
  const id = new RegExp(`name="sku" value="(sku_[0-9A-Z]+)"[^>]*/>\\s*<span>${escapeRegExp(escapeHtml(optionEn))}</span>`).exec(productHtml)?.[1];
  if (!id) throw new Error(`the product page offers no option ${optionEn}`);
  return id;
}

/** The stock the product page shows for one SKU. */
export async function stockShown(browser: TestClient, path: string, skuId: string): Promise<number> {
  const html = await page(await browser.get(`${path}?sku=${skuId}`));
  const stock = /data-testid="stock">In stock: (\d+)</.exec(html)?.[1];
  expect(stock).toBeDefined();
  return Number(stock);
}

/** A product's page path and the id of one of its SKUs, found on the pages. */
export async function findSku(browser: TestClient, titleEn: string, optionEn: string): Promise<{ path: string; skuId: string }> {
  const path = await productPath(browser, titleEn);
  return { path, skuId: skuIdOnPage(await page(await browser.get(path)), optionEn) };
}
