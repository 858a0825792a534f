// The order page's card form in the browser. Stripe.js cannot be loaded here (js.stripe.com is not
// reachable), so the test answers its URL with a stand-in that keeps Stripe.js's contract: Stripe(pk)
// → elements({ clientSecret }) → create("payment").mount(selector), and confirmPayment({ elements,
// confirmParams: { return_url } }) that redirects to return_url?payment_intent=…&redirect_status=…
// on success or resolves { error } on a decline. The server side is real: the app on stripe-mock,
// where every PaymentIntent answers "succeeded", so the return visit finds the payment done.
import { createClient, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { startStripeMock, STRIPE_MOCK_SECRET_KEY, type StripeMock } from "../fixtures/stripe-mock.ts";
import { launchChromium, mobileContext, screenshot, startServer, watchForTrouble, type RunningServer } from "./browser.ts";

const PUBLISHABLE_KEY = "pk_test_broadcart_e2e";

/** Stripe.js's surface as the page uses it; `window.__stripeCalls` records what the page asked for. */
const STRIPE_JS_STAND_IN = `
window.__stripeCalls = [];
window.Stripe = function (key, options) {
  window.__stripeCalls.push({ call: "Stripe", key: key, locale: options && options.locale });
  return {
    elements: function (options) {
      window.__stripeCalls.push({ call: "elements", clientSecret: options.clientSecret });
      return {
        create: function (type) {
          window.__stripeCalls.push({ call: "create", type: type });
          return { mount: function (selector) { document.querySelector(selector).textContent = "[Stripe card form]"; window.__stripeCalls.push({ call: "mount", selector: selector }); } };
        },
      };
    },
    confirmPayment: function (params) {
      window.__stripeCalls.push({ call: "confirmPayment", returnUrl: params.confirmParams.return_url });
      if (window.__declineCard) return Promise.resolve({ error: { type: "card_error", message: "Your card was declined." } });
      var url = new URL(params.confirmParams.return_url);
      url.searchParams.set("payment_intent", window.__paymentIntent);
      url.searchParams.set("redirect_status", "succeeded");
      window.location.assign(url.href);
      return new Promise(function () {});
    },
  };
};`;

let mock: StripeMock | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;
let db: Client | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  mock = await startStripeMock({
    timeoutMs: 300_000,
    fixtures: (resources) => {
      resources.payment_intent!.status = "succeeded";
    },
  });
  server = await startServer({ env: { STRIPE_SECRET_KEY: STRIPE_MOCK_SECRET_KEY, STRIPE_WEBHOOK_SECRET: "whsec_broadcart_e2e_card_form", STRIPE_PUBLISHABLE_KEY: PUBLISHABLE_KEY, STRIPE_API_URL: mock.url } });
  db = createClient({ url: server.databaseUrl });
}, 320_000);

afterAll(async () => {
  db?.close();
  await browser?.close();
  await server?.stop();
  await mock?.stop();
});

async function signedInShopperWithCardOrder(page: Page): Promise<{ orderUrl: string; intent: string }> {
  const base = server!.baseUrl;
  await page.goto(`${base}/signup`);
  await page.getByLabel("Email").fill(`card-form-${crypto.randomUUID()}@example.test`);
  await page.getByLabel("Display name").fill("Card Form");
  await page.getByLabel("Password", { exact: true }).fill("a-long-enough-password");
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${base}/account`);
  const sku = (await db!.execute("SELECT id FROM skus WHERE code = 'TEA-LJ-GIFT'")).rows[0]![0];
  await page.goto(`${base}/checkout?sku=${sku}&quantity=1`);
  await page.getByLabel("Recipient").fill("王小明");
  await page.getByLabel("Mobile phone").fill("13800138000");
  await page.getByLabel("Province / city / district").fill("浙江省杭州市西湖区");
  await page.getByLabel("Street address").fill("龙井路 1 号");
  await page.getByRole("radio", { name: "Card (online)" }).check();
  await page.getByRole("button", { name: /^Place order/ }).click();
  await page.waitForURL(/\/orders\/ord_[0-9A-Z]+$/);
  const orderId = new URL(page.url()).pathname.split("/").pop()!;
  const intent = String((await db!.execute({ sql: "SELECT provider_ref FROM payments WHERE order_id = ?", args: [orderId] })).rows[0]![0]);
  return { orderUrl: page.url(), intent };
}

const calls = (page: Page) => page.evaluate(() => (window as unknown as { __stripeCalls: Record<string, unknown>[] }).__stripeCalls);

describe("card form", () => {
  it("mounts Stripe's Payment Element with the order's client secret, and the return from Stripe shows the order paid", async () => {
    const context = await mobileContext(browser!, "en-US");
    await context.route("https://js.stripe.com/v3/", (route) => route.fulfill({ contentType: "application/javascript", body: STRIPE_JS_STAND_IN }));
    const page = await context.newPage();
    const problems = watchForTrouble(page);
    const { orderUrl, intent } = await signedInShopperWithCardOrder(page);
    await page.getByText("[Stripe card form]").waitFor();
    const mounted = await calls(page);
    expect(mounted[0]).toEqual({ call: "Stripe", key: PUBLISHABLE_KEY, locale: "en" });
    expect(String(mounted[1]!.clientSecret)).toContain("_secret_");
    expect(mounted.slice(2)).toEqual([{ call: "create", type: "payment" }, { call: "mount", selector: "#payment-element" }]);
    await screenshot(page, "orders/11-card-form");

    await page.evaluate((id) => ((window as unknown as { __paymentIntent: string }).__paymentIntent = id), intent);
    await page.getByRole("button", { name: /^Pay .* by card$/ }).click();
    await page.waitForURL((url) => url.searchParams.get("payment_intent") === intent);
    expect(new URL(page.url()).pathname).toBe(new URL(orderUrl).pathname);
    await page.getByText("Paid, awaiting shipment").waitFor();
    expect(await page.locator("#card-payment").count()).toBe(0);
    const orderId = new URL(orderUrl).pathname.split("/").pop()!;
    expect((await db!.execute({ sql: "SELECT status FROM orders WHERE id = ?", args: [orderId] })).rows[0]![0]).toBe("paid");
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it("shows Stripe's decline message in place and keeps the order unpaid", async () => {
    const context = await mobileContext(browser!, "en-US");
    await context.route("https://js.stripe.com/v3/", (route) => route.fulfill({ contentType: "application/javascript", body: STRIPE_JS_STAND_IN }));
    const page = await context.newPage();
    const { orderUrl } = await signedInShopperWithCardOrder(page);
    await page.getByText("[Stripe card form]").waitFor();
    await page.evaluate(() => ((window as unknown as { __declineCard: boolean }).__declineCard = true));
    await page.getByRole("button", { name: /^Pay .* by card$/ }).click();
    await page.getByText("Your card was declined.").waitFor();
    expect(page.url()).toBe(orderUrl);
    expect(await page.getByRole("button", { name: /^Pay .* by card$/ }).isEnabled()).toBe(true);
    await context.close();
  }, 90_000);
});
