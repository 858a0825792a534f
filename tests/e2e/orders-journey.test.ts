// The orders journey in the browser: a shopper adds to cart, applies a coupon, pays by card, asks for
// a refund; staff approve it; the stock is back. The real server (`bun src/server.ts`) talks to
// Stripe's official mock server, on a phone-sized Chromium. Screenshots land in
// .cache/e2e-screenshots/orders/.
//
// Paying: stripe-mock answers every confirm with requires_payment_method (a declined card), so the
// pay button shows the decline, and the payment then arrives as it does from Stripe in reality: as
// the signed payment_intent.succeeded webhook for the order's PaymentIntent, sent by the test.
import { createClient, type Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import Stripe from "stripe";
import type { Browser, Page, Response } from "playwright-core";
import { DEMO_PASSWORD } from "../../db/seed-data.ts";
import { startStripeMock, STRIPE_MOCK_SECRET_KEY, type StripeMock } from "../fixtures/stripe-mock.ts";
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
  watchForTrouble,
  type RunningServer,
} from "./browser.ts";

const JOURNEY_TIMEOUT_MS = 90_000;
const WEBHOOK_SECRET = "whsec_broadcart_e2e_orders_journey";
const SHOTS = "orders";
const GIFT_BOX = "TEA-LJ-GIFT";
const QUANTITY = 2;

let mock: StripeMock | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;
let db: Client | undefined;

beforeAll(async () => {
  resetScreenshots(SHOTS);
  browser = await launchChromium(); // first: a missing browser fails at once, before anything starts
  // The first run builds stripe-mock with Go (minutes); later runs start the cached binary.
  mock = await startStripeMock({ timeoutMs: 300_000 });
  server = await startServer({ env: { STRIPE_SECRET_KEY: STRIPE_MOCK_SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_URL: mock.url } });
  db = createClient({ url: server.databaseUrl });
}, 320_000);

afterAll(async () => {
  db?.close();
  await browser?.close();
  await server?.stop();
  await mock?.stop();
});

async function row(sql: string, args: (string | number)[] = []): Promise<Record<string, unknown>> {
  const result = await db!.execute({ sql, args });
  const first = result.rows[0];
  if (!first) throw new Error(`no row for ${sql} ${JSON.stringify(args)}`);
  return first as Record<string, unknown>;
}

const giftBoxStock = async () => Number((await row("SELECT stock FROM skus WHERE code = ?", [GIFT_BOX])).stock);

/** Sends Stripe's signed payment_intent.succeeded for `intent` to the server, as Stripe would after a payment. */
async function paymentSucceededWebhook(intent: string, amount: number, currency: string): Promise<unknown> {
  const timestamp = Math.floor(Date.now() / 1000);
  const payload = JSON.stringify({
    id: `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created: timestamp,
    type: "payment_intent.succeeded",
    data: { object: { id: intent, object: "payment_intent", amount, amount_received: amount, currency: currency.toLowerCase(), status: "succeeded" } },
  });
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: WEBHOOK_SECRET, timestamp, cryptoProvider: Stripe.createSubtleCryptoProvider() });
  const response = await fetch(`${server!.baseUrl}/webhooks/stripe`, { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": signature } });
  expect(response.status).toBe(200);
  return response.json();
}

const path = (page: Page) => new URL(page.url()).pathname;
const nav = (page: Page) => page.getByRole("navigation", { name: "main" });
const isPost = (response: Response, pathname: string | RegExp) =>
  response.request().method() === "POST" && (typeof pathname === "string" ? new URL(response.url()).pathname === pathname : pathname.test(new URL(response.url()).pathname));
const fromHtmx = (response: Response) => response.request().headers()["hx-request"] === "true";

describe("orders journey", () => {
  it(
    "a shopper adds to cart, applies a coupon, pays by card and asks for a refund; staff approve it; the stock is back",
    async () => {
      const base = server!.baseUrl;
      const shopperContext = await mobileContext(browser!, "en-US");
      const staffContext = await mobileContext(browser!, "en-US");
      const page = await shopperContext.newPage();
      const staffPage = await staffContext.newPage();
      // The one answer of 400+ on the way: the declined test card (402), shown in place.
      const problems = watchForTrouble(page, (response) => response.status() === 402 && /^\/orders\/[^/]+\/pay$/.test(new URL(response.url()).pathname));
      const staffProblems = watchForTrouble(staffPage);
      let current = page;

      try {
        // Sign up as a new shopper.
        await page.goto(`${base}/signup`);
        await page.getByRole("heading", { name: "Create your account" }).waitFor();
        await htmxReady(page);
        await page.getByLabel("Email").fill(`orders-journey-${Date.now()}@example.test`);
        await page.getByLabel("Display name").fill("Orders Journey");
        await page.getByLabel("Password", { exact: true }).fill("a-long-enough-password");
        await page.getByRole("button", { name: "Sign up" }).click();
        await page.waitForURL(`${base}/account`);

        // The product page: the gift box swaps price, stock and the buy form in place.
        const stockAtStart = await giftBoxStock();
        expect(stockAtStart).toBe(40);
        const giftBoxId = String((await row("SELECT id FROM skus WHERE code = ?", [GIFT_BOX])).id);
        await nav(page).getByRole("link", { name: "Home" }).click();
        await page.getByRole("region", { name: "Products" }).getByRole("link", { name: /West Lake Longjing/ }).click();
        await page.waitForURL(/\/products\/[^/?]+$/);
        const productUrl = page.url();
        await page.getByRole("heading", { level: 1, name: "West Lake Longjing, 2026 pre-Qingming harvest" }).waitFor();
        await htmxReady(page);
        await markDocument(page);
        const swapped = page.waitForResponse((r) => new URL(r.url()).pathname === new URL(productUrl).pathname && fromHtmx(r));
        await page.getByRole("radio", { name: /Gift box, 2 × 200 g/ }).check();
        expect((await swapped).status()).toBe(200);
        await eventually(async () => expect(await page.getByTestId("price").innerText()).toContain("¥318.00"));
        expect(await page.getByTestId("stock").innerText()).toBe(`In stock: ${stockAtStart}`);
        expect(await isSameDocument(page)).toBe(true);
        const buyForm = page.locator("#sku-panel form.buy-form");
        expect(await buyForm.locator('input[name="sku"]').inputValue()).toBe(giftBoxId);

        // Add two to the cart.
        await buyForm.getByLabel("Quantity").fill(String(QUANTITY));
        await buyForm.getByRole("button", { name: "Add to cart" }).click();
        await page.waitForURL(`${base}/cart`);
        await nav(page).getByRole("link", { name: "Cart" }).click();
        await page.waitForURL(`${base}/cart`);
        await page.getByRole("heading", { level: 1, name: "Your cart" }).waitFor();
        const cartLines = page.locator("#cart li.cart-line");
        expect(await cartLines.count()).toBe(1);
        expect(await cartLines.first().innerText()).toContain("Gift box, 2 × 200 g");
        expect(await cartLines.first().innerText()).toContain("¥318.00");
        expect(await cartLines.first().getByLabel("Quantity").inputValue()).toBe(String(QUANTITY));
        await screenshot(page, `${SHOTS}/01-cart`);

        // Check out: address, then the coupon applied in place.
        await page.getByRole("link", { name: "Check out" }).click();
        await page.waitForURL(`${base}/checkout`);
        await page.getByRole("heading", { level: 1, name: "Check out" }).waitFor();
        await htmxReady(page);
        const quote = page.locator("#quote");
        const total = quote.getByTestId("total");
        expect(await total.innerText()).toBe("¥636.00");
        await page.getByLabel("Recipient").fill("王小明");
        await page.getByLabel("Mobile phone").fill("13800138000");
        await page.getByLabel("Province / city / district").fill("浙江省杭州市西湖区");
        await page.getByLabel("Street address").fill("龙井路 1 号");
        await page.getByLabel("Coupon code").fill("TEA299");
        await markDocument(page);
        const quoted = page.waitForResponse((r) => isPost(r, "/checkout/quote") && fromHtmx(r));
        await page.getByRole("button", { name: "Apply" }).click();
        expect((await quoted).status()).toBe(200);
        await eventually(async () => expect(await total.innerText()).toBe("¥606.00"));
        expect(await quote.innerText()).toContain("-¥30.00");
        expect(await quote.getByTestId("coupon-error").count()).toBe(0);
        expect(path(page)).toBe("/checkout");
        expect(await isSameDocument(page)).toBe(true);
        // What was typed around the quote stays.
        expect(await page.getByLabel("Recipient").inputValue()).toBe("王小明");
        expect(await page.getByLabel("Coupon code").inputValue()).toBe("TEA299");
        const card = page.getByRole("radio", { name: "Card (online)" });
        await card.check();
        expect(await card.isChecked()).toBe(true);
        await screenshot(page, `${SHOTS}/02-checkout-coupon-applied`);

        // Place the order: it waits for payment, its units are taken.
        await page.getByRole("button", { name: /^Place order/ }).click();
        await page.waitForURL(/\/orders\/ord_[0-9A-Z]+$/);
        const orderId = path(page).split("/").pop()!;
        const order = await row("SELECT number, status, payment_method, subtotal_fen, discount_fen, total_fen, currency FROM orders WHERE id = ?", [orderId]);
        expect(order).toMatchObject({ status: "pending_payment", payment_method: "card", subtotal_fen: 63_600, discount_fen: 3_000, total_fen: 60_600, currency: "CNY" });
        const orderNumber = String(order.number);
        await page.getByRole("heading", { level: 1, name: `Order ${orderNumber}` }).waitFor();
        const orderCard = page.locator("#order");
        const badge = orderCard.locator(".badge--status");
        expect(await badge.innerText()).toBe("Awaiting payment");
        expect(await orderCard.getByTestId("total").innerText()).toBe("¥606.00");
        expect(await orderCard.locator(".price-breakdown").innerText()).toContain("-¥30.00");
        expect(await giftBoxStock()).toBe(stockAtStart - QUANTITY);
        await screenshot(page, `${SHOTS}/03-order-awaiting-payment`);

        // The test card is declined by stripe-mock: said in place, the order still waits for payment.
        await htmxReady(page);
        await markDocument(page);
        const declined = page.waitForResponse((r) => isPost(r, `/orders/${orderId}/pay`));
        await page.getByRole("button", { name: "Pay ¥606.00 by card" }).click();
        expect((await declined).status()).toBe(402);
        await page.getByText("The card payment did not go through.", { exact: false }).waitFor();
        expect(await isSameDocument(page)).toBe(true);
        expect(await page.locator("#order .badge--status").innerText()).toBe("Awaiting payment");
        await screenshot(page, `${SHOTS}/04-order-card-declined`);

        // Stripe reports the payment: the signed webhook for the order's PaymentIntent.
        const payment = await row("SELECT provider_ref, amount_fen FROM payments WHERE order_id = ? AND provider = 'stripe'", [orderId]);
        const intent = String(payment.provider_ref);
        expect(intent).toStartWith("pi_");
        expect(Number(payment.amount_fen)).toBe(60_600);
        expect(await paymentSucceededWebhook(intent, Number(order.total_fen), String(order.currency))).toEqual({ received: true, outcome: "applied" });
        await page.reload();
        await page.getByRole("heading", { level: 1, name: `Order ${orderNumber}` }).waitFor();
        expect(await page.locator("#order .badge--status").innerText()).toBe("Paid, awaiting shipment");
        expect(await page.getByRole("button", { name: /by card$/ }).count()).toBe(0);
        expect(await giftBoxStock()).toBe(stockAtStart - QUANTITY);
        await screenshot(page, `${SHOTS}/05-order-paid`);

        // Ask for a refund only, with a reason: the request shows in place.
        await htmxReady(page);
        await markDocument(page);
        const afterSaleForm = page.locator("#after-sale");
        expect(await afterSaleForm.getByRole("radio", { name: "Refund only" }).isChecked()).toBe(true);
        // Not shipped yet: a return is not offered.
        expect(await afterSaleForm.getByRole("radio", { name: /Return the goods/ }).count()).toBe(0);
        await afterSaleForm.getByLabel("Reason").fill("下单重复了 Ordered twice by mistake");
        const requested = page.waitForResponse((r) => isPost(r, `/orders/${orderId}/after-sales`) && fromHtmx(r));
        await afterSaleForm.getByRole("button", { name: "Send request" }).click();
        expect((await requested).status()).toBe(200);
        await eventually(async () => expect(await page.getByTestId("after-sale-status").innerText()).toBe("Refund or return: Requested, waiting for the shop"));
        expect(await isSameDocument(page)).toBe(true);
        expect(await page.locator("#after-sale").count()).toBe(0);
        expect(await page.locator("#order .badge--status").innerText()).toBe("Paid, awaiting shipment");
        await screenshot(page, `${SHOTS}/06-order-refund-requested`);

        // Staff sign in, find the order among open requests, and approve.
        current = staffPage;
        await staffPage.goto(`${base}/signin`);
        await staffPage.getByRole("heading", { name: "Sign in" }).waitFor();
        await htmxReady(staffPage);
        await staffPage.getByLabel("Email").fill("staff@demo.broadcart.test");
        await staffPage.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
        await staffPage.getByRole("button", { name: "Sign in" }).click();
        await staffPage.waitForURL(`${base}/`);
        await nav(staffPage).getByRole("link", { name: "Store orders" }).click();
        await staffPage.waitForURL(`${base}/merchant/orders`);
        await staffPage.getByRole("heading", { level: 1, name: "Store orders" }).waitFor();
        await staffPage.getByLabel("Filter").selectOption({ label: "Open refund and return requests" });
        await staffPage.getByRole("button", { name: "Filter" }).click();
        await staffPage.waitForURL((url) => url.pathname === "/merchant/orders" && url.searchParams.get("status") === "after_sales");
        const rows = staffPage.locator("table tbody tr");
        expect(await rows.count()).toBe(1);
        expect(await rows.first().locator(".badge--status").innerText()).toBe("Paid, awaiting shipment");
        expect(await rows.first().innerText()).toContain("¥606.00");
        await screenshot(staffPage, `${SHOTS}/07-merchant-open-requests`);
        await rows.first().getByRole("link", { name: orderNumber }).click();
        await staffPage.waitForURL(`${base}/merchant/orders/${orderId}`);
        await staffPage.getByRole("heading", { level: 1, name: `Order ${orderNumber}` }).waitFor();
        const request = staffPage.getByRole("region", { name: "Refund or return" });
        await request.getByRole("heading", { name: "Refund or return: Refund only" }).waitFor();
        expect(await request.getByTestId("after-sale-status").innerText()).toBe("Requested, waiting for the shop");
        await request.getByText("Reason: 下单重复了 Ordered twice by mistake").waitFor();
        await screenshot(staffPage, `${SHOTS}/08-merchant-order-request`);

        await htmxReady(staffPage);
        await markDocument(staffPage);
        const decided = staffPage.waitForResponse((r) => isPost(r, /^\/merchant\/after-sales\/[^/]+\/decide$/) && fromHtmx(r));
        await request.getByRole("button", { name: "Approve" }).click();
        expect((await decided).status()).toBe(200);
        await eventually(async () => expect(await staffPage.locator("#store-order .badge--status").innerText()).toBe("Refunded"));
        expect(await request.getByTestId("after-sale-status").innerText()).toBe("Refunded");
        expect(await request.getByRole("button").count()).toBe(0);
        expect(await isSameDocument(staffPage)).toBe(true);
        await screenshot(staffPage, `${SHOTS}/09-merchant-order-refunded`);

        // The money went back through Stripe (stripe-mock), and the unshipped units back on sale.
        const afterSale = await row("SELECT status, kind, amount_fen, provider_refund_ref FROM after_sales WHERE order_id = ?", [orderId]);
        expect(afterSale).toMatchObject({ status: "refunded", kind: "refund_only", amount_fen: 60_600 });
        expect(String(afterSale.provider_refund_ref)).toStartWith("re_");
        expect(mock!.output()).toContain("/v1/refunds");
        expect(await giftBoxStock()).toBe(stockAtStart);

        // The shopper sees the refund, and the product page shows the stock back.
        current = page;
        await page.reload();
        await page.getByRole("heading", { level: 1, name: `Order ${orderNumber}` }).waitFor();
        expect(await page.locator("#order .badge--status").innerText()).toBe("Refunded");
        expect(await page.getByTestId("after-sale-status").innerText()).toBe("Refund or return: Refunded");
        expect(await page.locator("#after-sale").count()).toBe(0);
        await screenshot(page, `${SHOTS}/10-order-refunded`);
        await page.locator("#order .order-lines").getByRole("link", { name: /West Lake Longjing/ }).click();
        await page.waitForURL(productUrl);
        await htmxReady(page);
        const swappedBack = page.waitForResponse((r) => new URL(r.url()).pathname === new URL(productUrl).pathname && fromHtmx(r));
        await page.getByRole("radio", { name: /Gift box, 2 × 200 g/ }).check();
        expect((await swappedBack).status()).toBe(200);
        await eventually(async () => expect(await page.getByTestId("stock").innerText()).toBe(`In stock: ${stockAtStart}`));

        expect(problems).toEqual([]);
        expect(staffProblems).toEqual([]);
      } catch (error) {
        await screenshot(current, `${SHOTS}/failure`).catch(() => {});
        throw new Error(`${(error as Error).message}\n--- server output ---\n${server!.output().slice(-4000)}`, { cause: error });
      } finally {
        await shopperContext.close();
        await staffContext.close();
      }
    },
    JOURNEY_TIMEOUT_MS,
  );
});
