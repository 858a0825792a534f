// Route access policies. Every route declares one as its first handler, e.g.
//   app.get("/compliance/audit", allow.roles("officer", "admin"), handler)
// The route/role matrix test (tests/route-matrix.test.ts) reads the policy of every registered route,
// so a route added later without one fails the suite, and one with one is tested automatically.
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { Forbidden, NotSignedIn } from "./errors.ts";
import type { Role } from "./roles.ts";

export type AccessPolicy =
  | { readonly kind: "public" }
  | { readonly kind: "signedIn" }
  | { readonly kind: "roles"; readonly roles: readonly Role[] };

const policies = new WeakMap<Function, AccessPolicy>();

export function policyOf(handler: Function): AccessPolicy | undefined {
  return policies.get(handler);
}

function guard(policy: AccessPolicy): MiddlewareHandler<AppEnv> {
  const handler: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (policy.kind !== "public") {
      const user = c.var.user;
      if (!user) return refuseAnonymous(c);
      if (policy.kind === "roles" && !user.roles.some((role) => policy.roles.includes(role))) throw new Forbidden();
    }
    await next();
  };
  policies.set(handler, policy);
  return handler;
}

export const allow = {
  public: () => guard({ kind: "public" }),
  signedIn: () => guard({ kind: "signedIn" }),
  roles: (...roles: [Role, ...Role[]]) => guard({ kind: "roles", roles }),
};

/** A person browsing is sent to sign in and brought back; HTMX and API callers get 401. */
function refuseAnonymous(c: Context<AppEnv>): Response {
  const wantsPage = c.req.method === "GET" && !c.req.header("hx-request") && (c.req.header("accept") ?? "").includes("text/html");
  if (wantsPage) {
    const next = c.req.path + (new URL(c.req.url).search || "");
    return c.redirect(`/signin?next=${encodeURIComponent(next)}`, 303);
  }
  if (c.req.header("hx-request")) c.header("HX-Redirect", "/signin");
  throw new NotSignedIn();
}
