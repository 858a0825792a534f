// Browse as anyone: the home page lists the shows and the products; a product page shows its SKUs,
// each with its price, and switching SKU shows that one's price and stock.
import { expect } from "bun:test";
import { demoProducts } from "../../db/seed-data.ts";
import { escapeHtml, escapeRegExp, formatYuan, productPath, skuIdOnPage } from "./storefront.ts";
import type { Journey } from "./target.ts";
import { page, webClient } from "./web-client.ts";

export const browseShowsAndProducts: Journey = async (target) => {
  const browser = webClient(target);
  const home = await page(await browser.get("/"));
  expect(home).toContain("Spring tea launch");
  expect(home).toContain("Silk favourites");
  for (const product of demoProducts) expect(home).toContain(escapeHtml(product.titleEn));

  const longjing = demoProducts.find((product) => product.skus.length > 1)!;
  const href = await productPath(browser, longjing.titleEn);
  const product = await page(await browser.get(href));
  expect(product).toContain(`<h1>${escapeHtml(longjing.titleEn)}</h1>`);
  expect([...product.matchAll(/name="sku" value="sku_[0-9A-Z]+"/g)]).toHaveLength(longjing.skus.length);
  for (const sku of longjing.skus) {
    skuIdOnPage(product, sku.optionEn);
    expect(product).toContain(formatYuan(sku.priceFen));
  }

  const second = longjing.skus[1]!;
  const chosen = await page(await browser.get(`${href}?sku=${skuIdOnPage(product, second.optionEn)}`));
  expect(chosen).toMatch(new RegExp(`data-testid="price">[\\s\\S]*?${escapeRegExp(formatYuan(second.priceFen))}</p>`));
  expect(chosen).toContain(`In stock: ${second.stock}`);
  expect(chosen).toContain(`SKU ${second.code}`);

  expect((await browser.request("/products/prd_00000000000000000000000000")).status).toBe(404);
};
