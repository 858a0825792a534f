// Browser journeys: the real server (`bun src/server.ts`) with demo data, driven through Debian's
// Chromium on a phone-sized screen. Screenshots of key steps land in .cache/e2e-screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser, Page, Response } from "playwright-core";
import {
  eventually,
  htmxReady,
  isSameDocument,
  launchChromium,
  markDocument,
  mobileContext,
  resetScreenshots,
  screenshot,
  startServer,
  type RunningServer,
  watchForTrouble,
} from "./browser.ts";

const JOURNEY_TIMEOUT_MS = 60_000;

let server: RunningServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  resetScreenshots();
  browser = await launchChromium(); // first: a missing browser fails at once, before the server starts
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});


const path = (page: Page) => new URL(page.url()).pathname;
const nav = (page: Page) => page.getByRole("navigation", { name: "main" });

describe("browser journeys", () => {
  it(
    "a shopper signs up, signs out and in, browses shows and picks a SKU; officer pages stay closed",
    async () => {
      const context = await mobileContext(browser!, "en-US");
      const page = await context.newPage();
      const problems = watchForTrouble(page, (response) => response.status() === 422 && new URL(response.url()).pathname === "/signup");
      const base = server!.baseUrl;
      const email = `journey-${Date.now()}@example.test`;
      const password = "a-long-enough-password";

      try {
        // Home, anonymous.
        await page.goto(`${base}/`);
        await page.getByRole("heading", { name: "Upcoming shows" }).waitFor();
        await screenshot(page, "01-home-anonymous");

        // Sign up: a too-short password is refused in place by HTMX, keeping what was typed.
        await nav(page).getByRole("link", { name: "Sign up" }).click();
        await page.waitForURL(`${base}/signup`);
        await page.getByRole("heading", { name: "Create your account" }).waitFor();
        await htmxReady(page);
        await markDocument(page);
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Display name").fill("Journey Tester");
        await page.getByLabel("Password", { exact: true }).fill("short");
        const refused = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/signup");
        await page.getByRole("button", { name: "Sign up" }).click();
        expect((await refused).status()).toBe(422);
        const passwordError = page.getByRole("alert").filter({ hasText: "Use at least 8 characters for your password." });
        await passwordError.waitFor();
        await page.getByRole("alert").filter({ hasText: "Please correct the fields marked below." }).waitFor();
        expect(path(page)).toBe("/signup");
        expect(await isSameDocument(page)).toBe(true);
        expect(await page.getByLabel("Email").inputValue()).toBe(email);
        expect(await page.getByLabel("Display name").inputValue()).toBe("Journey Tester");
        expect(await page.getByLabel("Password", { exact: true }).getAttribute("aria-invalid")).toBe("true");
        await screenshot(page, "02-signup-password-too-short");

        // Sign up for real: lands on the account page, signed in.
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.getByRole("button", { name: "Sign up" }).click();
        await page.waitForURL(`${base}/account`);
        await page.getByRole("heading", { name: "Your account" }).waitFor();
        await page.getByText("Journey Tester", { exact: true }).waitFor();
        await page.getByText(email, { exact: true }).waitFor();
        await nav(page).getByRole("button", { name: "Sign out" }).waitFor();
        await screenshot(page, "03-account-after-signup");

        // Sign out, then sign in with the same credentials.
        await nav(page).getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(`${base}/`);
        await nav(page).getByRole("link", { name: "Sign in" }).waitFor();
        expect(await nav(page).getByRole("link", { name: "Account" }).count()).toBe(0);

        await nav(page).getByRole("link", { name: "Sign in" }).click();
        await page.waitForURL(`${base}/signin`);
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        await htmxReady(page);
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${base}/`);
        await nav(page).getByRole("button", { name: "Sign out" }).waitFor();
        await nav(page).getByRole("link", { name: "Account" }).click();
        await page.waitForURL(`${base}/account`);
        await page.getByText(email, { exact: true }).waitFor();

        // Home shows the seeded shows: none live, the spring tea launch tomorrow, the silk show finished.
        await nav(page).getByRole("link", { name: "Home" }).click();
        await page.waitForURL(`${base}/`);
        await page.getByRole("region", { name: "Live now" }).getByText("Nobody is live right now.").waitFor();
        const upcoming = page.getByRole("region", { name: "Upcoming shows" });
        await upcoming.getByRole("heading", { name: "春茶上新 · 明前龙井开箱 Spring tea launch" }).waitFor();
        await upcoming.getByText("Hosted by 林小夏 · Hillside Tea House").waitFor();
        expect(await upcoming.getByText(/^Starts .*8:00\s?PM · 5 products$/).count()).toBe(1);
        const finished = page.getByRole("region", { name: "Finished shows" });
        await finished.getByRole("heading", { name: "丝绸好物专场 Silk favourites" }).waitFor();
        await finished.getByText("Hosted by 周一鸣 · Hillside Tea House").waitFor();
        expect(await finished.getByText(/^Ended .* · 3 products$/).count()).toBe(1);
        await screenshot(page, "04-home-signed-in");

        // A product page from home; another SKU swaps the price and stock panel in place.
        const products = page.getByRole("region", { name: "Products" });
        await products.getByRole("link", { name: /West Lake Longjing/ }).click();
        await page.waitForURL(/\/products\/[^/?]+$/);
        const productUrl = page.url();
        await page.getByRole("heading", { level: 1, name: "West Lake Longjing, 2026 pre-Qingming harvest" }).waitFor();
        await htmxReady(page);
        const price = page.getByTestId("price");
        const stock = page.getByTestId("stock");
        expect(await price.innerText()).toContain("¥168.00");
        expect(await stock.innerText()).toBe("In stock: 120");
        expect(await page.getByRole("radio", { name: /Tin, 200 g/ }).isChecked()).toBe(true);
        await markDocument(page);
        const swapped = page.waitForResponse((r) => new URL(r.url()).pathname === new URL(productUrl).pathname && r.request().headers()["hx-request"] === "true");
        await page.getByRole("radio", { name: /Gift box, 2 × 200 g/ }).check();
        expect((await swapped).status()).toBe(200);
        await eventually(async () => expect(await price.innerText()).toContain("¥318.00"));
        expect(await stock.innerText()).toBe("In stock: 40");
        await page.getByText("SKU TEA-LJ-GIFT").waitFor();
        expect(page.url()).toBe(productUrl);
        expect(await isSameDocument(page)).toBe(true);
        await screenshot(page, "05-product-gift-box-chosen");

        // Signed out, an officer-only page sends the visitor to sign in and back.
        await nav(page).getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(`${base}/`);
        await nav(page).getByRole("link", { name: "Sign in" }).waitFor();
        await page.goto(`${base}/compliance/audit`);
        expect(path(page)).toBe("/signin");
        expect(new URL(page.url()).searchParams.get("next")).toBe("/compliance/audit");
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        expect(await page.getByRole("heading", { name: "Audit trail" }).count()).toBe(0);
        await screenshot(page, "06-audit-redirects-to-signin");

        // ...and the demo officer who signs in there is brought back to the audit trail.
        await htmxReady(page);
        await page.getByLabel("Email").fill("officer@demo.broadcart.test");
        await page.getByLabel("Password", { exact: true }).fill("broadcart-demo");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${base}/compliance/audit`);
        await page.getByRole("heading", { level: 1, name: "Audit trail" }).waitFor();

        expect(problems).toEqual([]);
      } catch (error) {
        await screenshot(page, "failure-journey").catch(() => {});
        throw error;
      } finally {
        await context.close();
      }
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    "the language switch turns the pages from English to Chinese and back, on the same page",
    async () => {
      const context = await mobileContext(browser!, "en-US");
      const page = await context.newPage();
      const problems = watchForTrouble(page, () => false);
      const base = server!.baseUrl;

      try {
        await page.goto(`${base}/`);
        await page.getByRole("region", { name: "Products" }).getByRole("link", { name: /West Lake Longjing/ }).click();
        await page.waitForURL(/\/products\/[^/?]+$/);
        const productUrl = page.url();
        expect(await page.locator("html").getAttribute("lang")).toBe("en");
        await page.getByRole("heading", { level: 1, name: "West Lake Longjing, 2026 pre-Qingming harvest" }).waitFor();

        // English → 简体中文: the switch posts, then returns to the same product page.
        await page.getByLabel("Language").selectOption("zh-CN");
        await page.getByRole("button", { name: "Switch" }).click();
        await page.getByRole("heading", { level: 1, name: "明前西湖龙井 2026 春茶" }).waitFor();
        expect(page.url()).toBe(productUrl);
        expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
        await nav(page).getByRole("link", { name: "首页" }).waitFor();
        await nav(page).getByRole("link", { name: "登录" }).waitFor();
        expect(await page.getByTestId("stock").innerText()).toBe("库存 120 件");
        expect(await page.getByLabel("语言").inputValue()).toBe("zh-CN");
        await screenshot(page, "07-product-zh-CN");

        // The choice sticks across pages (cookie), over the browser's English Accept-Language.
        await nav(page).getByRole("link", { name: "首页" }).click();
        await page.waitForURL(`${base}/`);
        await page.getByRole("heading", { name: "直播预告" }).waitFor();
        await page.getByRole("region", { name: "往期直播" }).waitFor();

        // 简体中文 → English.
        await page.getByLabel("语言").selectOption("en");
        await page.getByRole("button", { name: "切换" }).click();
        await page.getByRole("heading", { name: "Upcoming shows" }).waitFor();
        expect(path(page)).toBe("/");
        expect(await page.locator("html").getAttribute("lang")).toBe("en");
        await nav(page).getByRole("link", { name: "Home" }).waitFor();

        expect(problems).toEqual([]);
      } catch (error) {
        await screenshot(page, "failure-language").catch(() => {});
        throw error;
      } finally {
        await context.close();
      }
    },
    JOURNEY_TIMEOUT_MS,
  );
});
