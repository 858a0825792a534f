// Where a checkout comes from, for the risk rules: the client's IP and a long-lived browser id.
//
// IP: with TRUST_PROXY (OrderSettings.trustProxy) the app sits behind one reverse proxy, so the
// client is the last X-Forwarded-For entry (the one our proxy appended; entries before it are the
// client's own claims). On Cloudflare Workers the header Cloudflare sets (OrderSettings.clientIpHeader:
// CF-Connecting-IP, which clients cannot forge through Cloudflare). Otherwise the socket's address, as
// Bun.serve reports it (the server is Hono's `c.env` on Bun) or Deno.serve (its handler info); where
// none is known it is null and the IP rule is skipped.
// Browser id: the `bc_device` cookie (random, HttpOnly, SameSite=Lax, 400 days: the most browsers keep), set when missing.
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../src/platform/context.ts";
import { randomToken } from "../../src/platform/crypto.ts";

export const DEVICE_COOKIE = "bc_device";
const deviceId = /^[A-Za-z0-9_-]{16,64}$/;

const ipLike = (value: string | undefined): value is string => !!value && /^[0-9A-Fa-f.:]{2,45}$/.test(value);

export function clientIp(c: Context<AppEnv>, trustProxy: boolean, clientIpHeader?: string): string | null {
  if (clientIpHeader) {
    const value = c.req.header(clientIpHeader)?.trim();
    return ipLike(value) ? value : null;
  }
  if (trustProxy) {
    const last = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (ipLike(last)) return last;
  }
  const server = c.env as { requestIP?: (request: Request) => { address: string } | null; remoteAddr?: { hostname?: string } } | undefined;
  try {
    return server?.requestIP?.(c.req.raw)?.address ?? server?.remoteAddr?.hostname ?? null;
  } catch {
    return null;
  }
}

/** The browser's id from its bc_device cookie, set now when it has none (or a malformed one). */
export function browserId(c: Context<AppEnv>): string {
  const known = getCookie(c, DEVICE_COOKIE);
  if (known && deviceId.test(known)) return known;
  const id = randomToken(24).replace(/[^A-Za-z0-9_-]/g, "");
  setCookie(c, DEVICE_COOKIE, id, { path: "/", httpOnly: true, sameSite: "Lax", secure: c.var.secureCookies, maxAge: 400 * 24 * 3600 });
  return id;
}

/** Where a checkout comes from, for placeOrder: the client's IP (as `address` says to read it) and the browser id. */
export function orderOrigin(c: Context<AppEnv>, address: { trustProxy: boolean; clientIpHeader?: string }): { clientIp: string | null; clientDevice: string } {
  return { clientIp: clientIp(c, address.trustProxy, address.clientIpHeader), clientDevice: browserId(c) };
}
