// CSRF protection for every unsafe method, HTMX requests included (signed double-submit token).
// Each browser gets a random nonce in an HttpOnly cookie; pages embed HMAC(secret, nonce) in
// forms (`_csrf`) and in an `X-CSRF-Token` header for HTMX. A cross-site request can neither
// read the token nor forge it. Origin is checked as well where the browser sends it.
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "./context.ts";
import { constantTimeEqual, hmacSha256, randomToken } from "./crypto.ts";
import { CsrfRejected } from "./errors.ts";

export const CSRF_COOKIE = "bc_csrf";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";
const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);
const noncePattern = /^[A-Za-z0-9_-]{32,64}$/;

export interface CsrfOptions {
  secret: string;
  /** Path prefixes whose callers authenticate every request themselves (signed device batches, verified webhooks). */
  exemptPrefixes?: readonly string[];
}

export function csrfProtection({ secret, exemptPrefixes = [] }: CsrfOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let nonce = getCookie(c, CSRF_COOKIE);
    const hadNonce = nonce !== undefined && noncePattern.test(nonce);
    if (!hadNonce) nonce = randomToken(32);
    const expected = await hmacSha256(secret, `csrf|${nonce}`);
    c.set("csrfToken", expected);

    const exempt = exemptPrefixes.some((prefix) => c.req.path.startsWith(prefix));
    if (!safeMethods.has(c.req.method) && !exempt) {
      if (!hadNonce || crossOrigin(c)) throw new CsrfRejected();
      const presented = c.req.header(CSRF_HEADER) ?? (await formToken(c));
      if (!presented || !constantTimeEqual(presented, expected)) throw new CsrfRejected();
    }
    if (!hadNonce) {
      setCookie(c, CSRF_COOKIE, nonce!, { path: "/", httpOnly: true, sameSite: "Lax", secure: c.var.secureCookies });
    }
    await next();
  };
}

function crossOrigin(c: Context<AppEnv>): boolean {
  if (c.req.header("sec-fetch-site") === "cross-site") return true;
  const origin = c.req.header("origin");
  if (!origin || origin === "null") return origin === "null";
  const host = c.req.header("x-forwarded-host") ?? c.req.header("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

async function formToken(c: Context<AppEnv>): Promise<string | undefined> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return undefined;
  const body = await c.req.parseBody();
  const token = body[CSRF_FIELD];
  return typeof token === "string" ? token : undefined;
}
