// The social-selling journey in the browser: a new shopper follows a host and sets a reminder for the
// host's upcoming show; the store owner creates a group offer; a second shopper starts a group and
// shares its link; the first shopper joins through that link and pays on delivery; the owner confirms
// both payments, the group fills, and the first shopper's member page shows the points the order
// earned. The real server (`bun src/server.ts`, demo data, no card payments) on a phone-sized
// Chromium. Screenshots land in .cache/e2e-screenshots/social/.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { DEMO_PASSWORD } from "../../db/seed-data.ts";
import {
  eventually,
  htmxReady,
  isSameDocument,
  launchChromium,
  markDocument,
  mobileContext,
  resetScreenshots,
  screenshot,
  signIn,
  signUp,
  startServer,
  watchForTrouble,
  type RunningServer,
} from "./browser.ts";

const JOURNEY_TIMEOUT_MS = 60_000;
const SHOTS = "social";
const HOST = "林小夏";
const SHOW = "春茶上新 · 明前龙井开箱 Spring tea launch";
const PRODUCT = "West Lake Longjing, 2026 pre-Qingming harvest";
/** The offer is named after its product and option. */
const OFFER = `${PRODUCT} · Tin, 200 g`;
const OPTION = `${OFFER} (¥168.00)`;
const GROUP_PRICE = "128.00";
/** A group's page is named after its leader, masked ("G**"), and the offer. */
const GROUP_HEADING = new RegExp(`^\\S+'s group: ${OFFER.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

let server: RunningServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  resetScreenshots(SHOTS);
  browser = await launchChromium(); // first: a missing browser fails at once, before the server starts
  server = await startServer();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const path = (page: Page) => new URL(page.url()).pathname;
const nav = (page: Page) => page.getByRole("navigation", { name: "main" });
const fromHtmx = (response: Response) => response.request().headers()["hx-request"] === "true";
const isPost = (response: Response, pathname: RegExp) => response.request().method() === "POST" && pathname.test(new URL(response.url()).pathname);

/** Fills the group-buy join page's address, picks paying on delivery, places the order and lands on it. */
async function placeGroupOrder(page: Page, address: { recipient: string; phone: string; region: string; street: string }): Promise<{ id: string; number: string }> {
  await htmxReady(page);
  const form = page.locator("#group-join");
  await form.getByLabel("Recipient").fill(address.recipient);
  await form.getByLabel("Mobile phone").fill(address.phone);
  await form.getByLabel("Province / city / district").fill(address.region);
  await form.getByLabel("Street address").fill(address.street);
  const offline = form.getByRole("radio", { name: "Pay in store or on delivery" });
  await offline.check();
  expect(await offline.isChecked()).toBe(true);
  expect(await form.getByTestId("total").innerText()).toBe(`¥${GROUP_PRICE}`);
  await form.getByRole("button", { name: `Place order · ¥${GROUP_PRICE}` }).click();
  await page.waitForURL(/\/orders\/ord_[0-9A-Z]+$/);
  const id = path(page).split("/").pop()!;
  const heading = page.getByRole("heading", { level: 1, name: /^Order / });
  await heading.waitFor();
  const number = (await heading.innerText()).replace(/^Order /, "").trim();
  expect(await page.locator("#order .badge--status").innerText()).toBe("Awaiting payment");
  await page.getByText("Pay at the store or to the courier; the shop confirms your payment.").waitFor();
  return { id, number };
}

/** The owner finds the order by its number among the store's orders and confirms the payment (HTMX, in place). */
async function confirmPayment(owner: Page, base: string, order: { id: string; number: string }): Promise<void> {
  await nav(owner).getByRole("link", { name: "Store orders" }).click();
  await owner.waitForURL(`${base}/merchant/orders`);
  await owner.getByRole("heading", { level: 1, name: "Store orders" }).waitFor();
  await owner.getByRole("searchbox", { name: "Order number, SKU code or product" }).fill(order.number);
  await owner.getByRole("button", { name: "Filter" }).click();
  await owner.waitForURL((url) => url.pathname === "/merchant/orders" && url.searchParams.get("q") === order.number);
  const rows = owner.locator("table tbody tr");
  expect(await rows.count()).toBe(1);
  expect(await rows.first().locator(".badge--status").innerText()).toBe("Awaiting payment");
  expect(await rows.first().innerText()).toContain(`¥${GROUP_PRICE}`);
  await rows.first().getByRole("link", { name: order.number }).click();
  await owner.waitForURL(`${base}/merchant/orders/${order.id}`);
  await owner.getByRole("heading", { level: 1, name: `Order ${order.number}` }).waitFor();
  await htmxReady(owner);
  await markDocument(owner);
  const confirmed = owner.waitForResponse((r) => isPost(r, new RegExp(`^/merchant/orders/${order.id}/confirm-payment$`)) && fromHtmx(r));
  await owner.getByRole("button", { name: "Confirm payment received" }).click();
  expect((await confirmed).status()).toBe(200);
  await eventually(async () => expect(await owner.locator("#store-order .badge--status").innerText()).toBe("Paid, awaiting shipment"));
  expect(await owner.getByRole("button", { name: "Confirm payment received" }).count()).toBe(0);
  expect(await isSameDocument(owner)).toBe(true);
}

describe("social selling journey", () => {
  it(
    "a shopper follows a host, sets a reminder, joins a group buy through a shared link and sees points after payment",
    async () => {
      const base = server!.baseUrl;
      const contexts: BrowserContext[] = [];
      const context = async () => {
        const made = await mobileContext(browser!, "en-US");
        contexts.push(made);
        return made;
      };
      const page = await (await context()).newPage();
      const owner = await (await context()).newPage();
      const leader = await (await context()).newPage();
      const problems = watchForTrouble(page);
      const ownerProblems = watchForTrouble(owner);
      const leaderProblems = watchForTrouble(leader);
      let current = page;
      const stamp = Date.now();

      try {
        // 1. A new shopper signs up.
        await signUp(page, base, { email: `social-journey-${stamp}@example.test`, name: "Social Journey", password: "a-long-enough-password" });

        // 2. From the upcoming show's card on home to its host's page; Follow turns into Unfollow in place.
        await nav(page).getByRole("link", { name: "Home" }).click();
        await page.waitForURL(`${base}/`);
        const upcoming = page.getByRole("region", { name: "Upcoming shows" });
        const showCard = upcoming.getByRole("listitem").filter({ has: page.getByRole("heading", { name: SHOW }) });
        await showCard.getByRole("link", { name: `${HOST}'s shows` }).click();
        await page.waitForURL(/\/hosts\/usr_[0-9A-Z]{26}$/);
        const hostPath = path(page);
        const hostId = hostPath.split("/").pop()!;
        await page.getByRole("heading", { level: 1, name: `${HOST}'s shows` }).waitFor();
        await page.getByText("0 followers", { exact: true }).waitFor();
        await htmxReady(page);
        await markDocument(page);
        const followed = page.waitForResponse((r) => isPost(r, new RegExp(`^/follows/host/${hostId}$`)) && fromHtmx(r));
        await page.getByRole("button", { name: `Follow ${HOST}` }).click();
        expect((await followed).status()).toBe(200);
        const unfollow = page.getByRole("button", { name: `Unfollow ${HOST}` });
        await unfollow.waitFor();
        expect(await unfollow.getAttribute("aria-pressed")).toBe("true");
        expect(await page.getByRole("button", { name: `Follow ${HOST}`, exact: true }).count()).toBe(0);
        expect(await isSameDocument(page)).toBe(true);
        expect(path(page)).toBe(hostPath);
        await screenshot(page, `${SHOTS}/01-host-followed`);

        // 3. "Remind me" on the host's upcoming show: set in place.
        const hostShows = page.getByRole("region", { name: "Upcoming and live shows" });
        const hostShow = hostShows.getByRole("listitem").filter({ has: page.getByRole("link", { name: SHOW }) });
        const reminded = page.waitForResponse((r) => isPost(r, /^\/reminders\/liv_[0-9A-Z]{26}$/) && fromHtmx(r));
        await hostShow.getByRole("button", { name: "Remind me" }).click();
        expect((await reminded).status()).toBe(200);
        const reminderSet = hostShow.getByRole("button", { name: "Reminder set · cancel" });
        await reminderSet.waitFor();
        expect(await reminderSet.getAttribute("aria-pressed")).toBe("true");
        expect(await isSameDocument(page)).toBe(true);
        await screenshot(page, `${SHOTS}/02-reminder-set`);

        // Both stick: the host page after a reload, and the show's card on home (its slot asks for the state).
        await page.reload();
        await page.getByText("1 follower", { exact: true }).waitFor();
        await page.getByRole("button", { name: `Unfollow ${HOST}` }).waitFor();
        await hostShow.getByRole("button", { name: "Reminder set · cancel" }).waitFor();
        await nav(page).getByRole("link", { name: "Home" }).click();
        await page.waitForURL(`${base}/`);
        await htmxReady(page);
        await showCard.getByRole("button", { name: "Reminder set · cancel" }).waitFor();
        expect(await showCard.getByRole("button", { name: "Remind me" }).count()).toBe(0);

        // /following lists the host and the reminder.
        await page.goto(`${base}/following`);
        await page.getByRole("heading", { level: 1, name: "Following" }).waitFor();
        const followedHost = page.locator(`#following li[data-followed="host:${hostId}"]`);
        await followedHost.getByRole("link", { name: HOST, exact: true }).waitFor();
        expect(await followedHost.locator(".badge").innerText()).toBe("Host");
        expect(await followedHost.getByRole("link", { name: HOST, exact: true }).getAttribute("href")).toBe(hostPath);
        expect(await page.locator("#following li[data-followed]").count()).toBe(1);
        const reminders = page.getByRole("region", { name: "Shows you will be reminded of" });
        await reminders.getByRole("link", { name: SHOW }).waitFor();
        await reminders.getByRole("button", { name: "Reminder set · cancel" }).waitFor();
        expect(await reminders.getByRole("listitem").count()).toBe(1);
        await screenshot(page, `${SHOTS}/03-following`);

        // 4. The store owner creates a group offer: groups of 2, ¥128 instead of ¥168.
        current = owner;
        await signIn(owner, base, "owner@demo.broadcart.test", DEMO_PASSWORD);
        await nav(owner).getByRole("link", { name: "Group buys" }).click();
        await owner.waitForURL(`${base}/merchant/group-buys`);
        await owner.getByRole("heading", { level: 1, name: /^Group buys · / }).waitFor();
        await owner.getByText("No group offers yet.").waitFor();
        const offerForm = owner.locator("#group-offer-form");
        await offerForm.getByLabel("Product option").selectOption({ label: OPTION });
        await offerForm.getByLabel("Group price", { exact: true }).fill(GROUP_PRICE);
        expect(await offerForm.getByLabel("Group size (2–50)").inputValue()).toBe("2");
        await offerForm.getByLabel("Group size (2–50)").fill("2");
        await offerForm.getByLabel("Units at the group price (at least the group size)").fill("10");
        await offerForm.getByRole("button", { name: "Create offer" }).click();
        await owner.waitForURL(`${base}/merchant/group-buys?created=1`);
        await owner.getByText("The group offer is live.").waitFor();
        const offerRows = owner.getByTestId("group-offers").locator("tbody tr");
        expect(await offerRows.count()).toBe(1);
        expect(await offerRows.first().innerText()).toContain("¥128.00 · 2 people · 1440 min");
        await screenshot(owner, `${SHOTS}/04-merchant-offer-created`);
        await offerRows.first().getByRole("link", { name: PRODUCT }).click();
        await owner.waitForURL(/\/groups\/offers\/[^/]+$/);
        const offerUrl = owner.url();
        await owner.getByRole("heading", { level: 1, name: `Group buy: ${OFFER}`, exact: true }).waitFor();

        // 5. A second shopper opens the offer the owner shared, starts a group and finds its share link.
        current = leader;
        await signUp(leader, base, { email: `social-leader-${stamp}@example.test`, name: "Group Leader", password: "a-long-enough-password" });
        await leader.goto(offerUrl);
        await leader.getByRole("heading", { level: 1, name: `Group buy: ${OFFER}`, exact: true }).waitFor();
        expect(await leader.getByTestId("group-price").innerText()).toBe(`Group price ¥${GROUP_PRICE}`);
        await leader.getByText("Regular price ¥168.00").waitFor();
        await leader.getByText("2 people per group", { exact: false }).waitFor();
        await leader.getByText("No group is open right now: start one and share its link.").waitFor();
        await leader.getByRole("link", { name: "Start a group" }).click();
        await leader.waitForURL((url) => url.pathname === `${new URL(offerUrl).pathname}/join`);
        await leader.getByRole("heading", { level: 1, name: `Start a group: ${OFFER}`, exact: true }).waitFor();
        const leaderOrder = await placeGroupOrder(leader, { recipient: "李雷", phone: "13900139000", region: "浙江省杭州市上城区", street: "南山路 8 号" });
        await leader.goto(offerUrl);
        const openGroups = leader.getByTestId("open-groups").getByRole("listitem");
        expect(await openGroups.count()).toBe(1);
        expect(await openGroups.first().innerText()).toContain("1 more needed");
        await openGroups.first().getByRole("link", { name: /'s group$/ }).click();
        await leader.waitForURL(/\/groups\/gbu_[0-9A-Z]{26}$/);
        const groupPath = path(leader);
        await leader.getByRole("heading", { level: 1, name: GROUP_HEADING }).waitFor();
        expect(await leader.getByTestId("group-state").innerText()).toContain("Open · 1 more needed");
        expect(await leader.getByRole("link", { name: "You are in this group: see your order" }).getAttribute("href")).toBe(`/orders/${leaderOrder.id}`);
        const shareUrl = (await leader.locator("p", { hasText: "Share this link to fill the group:" }).locator("code").innerText()).trim();
        expect(shareUrl).toBe(`${base}${groupPath}`);
        await screenshot(leader, `${SHOTS}/05-group-started-share-link`);

        // 6. The first shopper opens the shared link, joins, gives an address and pays on delivery.
        current = page;
        await page.goto(shareUrl);
        await page.getByRole("heading", { level: 1, name: GROUP_HEADING }).waitFor();
        expect(await page.getByTestId("group-state").innerText()).toContain("1 more needed");
        const members = page.getByTestId("group-members").getByRole("listitem");
        expect(await members.count()).toBe(1);
        expect(await members.first().innerText()).toMatch(/leader.*· paying$/s);
        await page.getByRole("link", { name: "Join", exact: true }).click();
        await page.waitForURL((url) => url.pathname === `${new URL(offerUrl).pathname}/join` && url.searchParams.get("group") === groupPath.split("/").pop());
        await page.getByRole("heading", { level: 1, name: `Join the group: ${OFFER}`, exact: true }).waitFor();
        await screenshot(page, `${SHOTS}/06-join-form`);
        const order = await placeGroupOrder(page, { recipient: "王小明", phone: "13800138000", region: "浙江省杭州市西湖区", street: "龙井路 1 号" });
        await screenshot(page, `${SHOTS}/07-order-awaiting-payment`);
        await page.goto(shareUrl);
        expect(await page.getByTestId("group-state").innerText()).toContain("Open · 0 more needed");
        expect(await page.getByRole("link", { name: "Join", exact: true }).count()).toBe(0);
        expect(await page.getByRole("link", { name: "You are in this group: see your order" }).getAttribute("href")).toBe(`/orders/${order.id}`);

        // Before anything is paid, the member page has no points.
        await nav(page).getByRole("link", { name: "Points" }).click();
        await page.waitForURL(`${base}/member`);
        expect(await page.getByTestId("points-balance").innerText()).toBe("0 points");

        // The owner confirms both payments on the store's order pages.
        current = owner;
        await confirmPayment(owner, base, order);
        await confirmPayment(owner, base, leaderOrder);
        await screenshot(owner, `${SHOTS}/08-merchant-payment-confirmed`);

        // The group page now says it filled; both members paid.
        current = page;
        await page.goto(shareUrl);
        await page.getByText("Filled: every order ships.").waitFor();
        expect(await page.getByTestId("group-state").count()).toBe(0);
        expect(await members.count()).toBe(2);
        for (const text of await members.allInnerTexts()) expect(text).toMatch(/· paid$/);
        expect(await page.getByText("Share this link to fill the group:").count()).toBe(0);
        await screenshot(page, `${SHOTS}/09-group-filled`);
        await page.getByRole("link", { name: "You are in this group: see your order" }).click();
        await page.waitForURL(`${base}/orders/${order.id}`);
        expect(await page.locator("#order .badge--status").innerText()).toBe("Paid, awaiting shipment");

        // 7. The member page: points for the paid order (1 point per yuan), the order in the history.
        await nav(page).getByRole("link", { name: "Points" }).click();
        await page.waitForURL(`${base}/member`);
        await page.getByRole("heading", { level: 1, name: "My membership" }).waitFor();
        const points = Math.floor(Number(GROUP_PRICE));
        expect(await page.getByTestId("points-balance").innerText()).toBe(`${points} points`);
        const history = page.getByRole("region", { name: "Points history" }).locator("tbody tr");
        expect(await history.count()).toBe(1);
        const earned = history.first();
        expect(await earned.getAttribute("data-reason")).toBe("order_paid");
        expect(await earned.innerText()).toContain("Earned on a paid order");
        expect(await earned.getByTestId("points-delta").innerText()).toBe(`+${points}`);
        expect(await earned.getByRole("link", { name: "Order" }).getAttribute("href")).toBe(`/orders/${order.id}`);
        await screenshot(page, `${SHOTS}/10-member-points`);

        expect(problems).toEqual([]);
        expect(ownerProblems).toEqual([]);
        expect(leaderProblems).toEqual([]);
      } catch (error) {
        await screenshot(current, `${SHOTS}/failure`).catch(() => {});
        throw new Error(`${(error as Error).message}\n--- server output ---\n${server!.output().slice(-4000)}`, { cause: error });
      } finally {
        for (const made of contexts) await made.close();
      }
    },
    JOURNEY_TIMEOUT_MS,
  );
});
