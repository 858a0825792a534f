// Sign in with the demo shopper's password, see the account, sign out; a wrong password is refused.
import { expect } from "bun:test";
import { DEMO_PASSWORD, demoAccounts } from "../../db/seed-data.ts";
import type { Journey } from "./target.ts";
import { demoEmails, page, redirected, webClient } from "./web-client.ts";

export const signInAndOut: Journey = async (target) => {
  const shopper = demoAccounts.find((account) => account.email === demoEmails.shopper)!;
  const browser = webClient(target);

  await browser.get("/signin");
  const refused = await browser.post("/signin", { email: shopper.email, password: `${DEMO_PASSWORD}-wrong` });
  expect(await page(refused, 422)).toContain("That email and password do not match an account.");
  expect(browser.cookie("bc_session")).toBeUndefined();
  expect((await browser.request("/account")).status).toBe(303);

  await redirected(await browser.post("/signin", { email: shopper.email, password: DEMO_PASSWORD }));
  expect(browser.cookie("bc_session")).toBeDefined();
  const account = await page(await browser.get("/account"));
  expect(account).toContain(shopper.displayName);
  expect(account).toContain('action="/signout"');

  expect(await redirected(await browser.post("/signout"))).toBe("/");
  expect(browser.cookie("bc_session")).toBeUndefined();
  const after = await browser.request("/account");
  expect(after.status).toBe(303);
  expect(after.headers.get("location")).toStartWith("/signin");
};
