// Whether cookies get the Secure flag: always, never, or when the request arrived over https.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";

export interface CookiePolicy {
  secure: "auto" | "always" | "never";
  trustProxy: boolean;
}

export function cookiePolicy(policy: CookiePolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("secureCookies", cookiesSecureFor(policy, c.req.raw));
    await next();
  };
}

/** The Secure flag for the cookies of an answer to `request` (also used outside the app, by db/read-your-writes.ts). */
export function cookiesSecureFor(policy: CookiePolicy, request: Request): boolean {
  if (policy.secure !== "auto") return policy.secure === "always";
  const forwarded = policy.trustProxy ? request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() : undefined;
  return (forwarded ?? new URL(request.url).protocol.replace(":", "")) === "https";
}
