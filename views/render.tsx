// One way to answer with HTML: the full document for a normal request, the fragment alone for HTMX.
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../src/platform/context.ts";
import { Layout } from "./layout.tsx";
import { viewContext } from "./view-context.ts";

export function isHtmx(c: Context<AppEnv>): boolean {
  return c.req.header("hx-request") === "true" && c.req.header("hx-boosted") !== "true";
}

export function renderPage(c: Context<AppEnv>, title: string, body: Child, status: ContentfulStatusCode = 200) {
  if (isHtmx(c)) return c.html(<>{body}</>, status);
  return c.html(
    <>
      {raw("<!doctype html>")}
      <Layout v={viewContext(c)} title={title}>
        {body}
      </Layout>
    </>,
    status,
  );
}

/** After a successful form post: HTMX follows HX-Redirect, a plain form follows 303 See Other. */
export function redirectAfterPost(c: Context<AppEnv>, location: string) {
  if (isHtmx(c)) {
    c.header("HX-Redirect", location);
    return c.body(null, 200);
  }
  return c.redirect(location, 303);
}
