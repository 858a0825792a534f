// Signed session cookies. The cookie holds a random token signed with SESSION_SECRET; the server
// keeps only the token's hash, so signing out or revoking a session ends it everywhere at once.
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AppEnv, CurrentUser } from "./context.ts";

export const SESSION_COOKIE = "bc_session";
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export type ResolveSession = (token: string) => Promise<CurrentUser | null>;

export function sessions(secret: string, resolve: ResolveSession): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = await getSignedCookie(c, secret, SESSION_COOKIE);
    const user = token ? await resolve(token) : null;
    c.set("user", user);
    c.set("sessionToken", user && token ? token : null);
    if (token === false || (token && !user)) deleteCookie(c, SESSION_COOKIE, { path: "/" });
    await next();
  };
}

export async function startSessionCookie(c: Context<AppEnv>, secret: string, token: string): Promise<void> {
  await setSignedCookie(c, SESSION_COOKIE, token, secret, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: c.var.secureCookies,
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function endSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: c.var.secureCookies });
}
