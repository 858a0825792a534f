// A browser for journeys, over the network: the cookie-keeping TestClient (session cookie, CSRF token
// read from the pages, HTMX headers when asked) pointed at a target's base URL instead of an
// in-process app.
import { expect } from "bun:test";
import { DEMO_PASSWORD } from "../../db/seed-data.ts";
import { TestClient } from "../fixtures/test-app.ts";
import type { Target } from "./target.ts";

export const demoEmails = {
  shopper: "shopper@demo.broadcart.test",
  secondShopper: "li.na@demo.broadcart.test",
  owner: "owner@demo.broadcart.test",
  officer: "officer@demo.broadcart.test",
  host: "host.lin@demo.broadcart.test",
} as const;

export function webClient(target: Target): TestClient {
  return new TestClient((request) => fetch(request), target.baseUrl);
}

/** A browser that signed in through the sign-in form with the demo password. */
export async function signedIn(target: Target, email: string): Promise<TestClient> {
  const client = webClient(target);
  await client.signIn(email, DEMO_PASSWORD);
  return client;
}

/** The page's HTML, after checking its status. */
export async function page(response: Response, status = 200): Promise<string> {
  const html = await response.text();
  expect({ status: response.status, excerpt: response.status === status ? "" : html.slice(0, 2_000) }).toEqual({ status, excerpt: "" });
  return html;
}

/** Where a form post redirected to (303, as every form here answers), after checking that it did. */
export async function redirected(response: Response): Promise<string> {
  const excerpt = response.status === 303 ? "" : (await response.text()).slice(0, 2_000);
  expect({ status: response.status, excerpt }).toEqual({ status: 303, excerpt: "" });
  return response.headers.get("location") ?? "";
}

/**
 * What a browser would submit for the form with this id as the page rendered it: every named input's
 * value (text, hidden, number, checked radios and boxes). Fields the journey types go over the top.
 */
export function formFields(html: string, formId: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*\\sid="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1];
  if (form === undefined) throw new Error(`no form #${formId} on the page`);
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input\b[^>]*>/g)) {
    const attribute = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
    const name = attribute("name");
    const type = attribute("type") ?? "text";
    if (!name || name === "_csrf") continue;
    if ((type === "radio" || type === "checkbox") && !/\schecked(=""|\s|\/|>)/.test(tag)) continue;
    fields[name] = decodeEntities(attribute("value") ?? (type === "checkbox" ? "on" : ""));
  }
  return fields;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|quot|amp|lt|gt|#39);/g, (_, entity: string) =>
    entity.startsWith("#") ? String.fromCharCode(Number(entity.slice(1))) : ({ quot: '"', amp: "&", lt: "<", gt: ">" } as Record<string, string>)[entity]!,
  );
}
