// Whether cookies get the Secure flag: always, never, or when the request arrived over https.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";

export interface CookiePolicy {
  secure: "auto" | "always" | "never";
  trustProxy: boolean;
}

export function cookiePolicy(policy: CookiePolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let secure = policy.secure === "always";
    if (policy.secure === "auto") {
      const forwarded = policy.trustProxy ? c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() : undefined;
      secure = (forwarded ?? new URL(c.req.url).protocol.replace(":", "")) === "https";
    }
    c.set("secureCookies", secure);
    await next();
  };
}
