// Every registered route declares who may use it, and anonymous and wrong-role requests are refused.
// The routes are read from the app itself, so a route added later is covered without anyone remembering.
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { policyOf, type AccessPolicy } from "../src/platform/access.ts";
import { roles, type Role } from "../src/platform/roles.ts";
import { startTestApp, type TestApp, type TestClient } from "./fixtures/test-app.ts";

const PASSWORD = "matrix-password-1";

interface DeclaredRoute {
  method: string;
  path: string;
  policy: AccessPolicy | undefined;
  policyFirst: boolean;
}

function declaredRoutes(app: TestApp): DeclaredRoute[] {
  const groups = new Map<string, Function[]>();
  for (const route of app.app.routes) {
    if (route.method === "ALL" && route.path === "/*") continue; // platform middleware
    const key = `${route.method} ${route.path}`;
    groups.set(key, [...(groups.get(key) ?? []), route.handler]);
  }
  return [...groups].map(([key, handlers]) => {
    const [method = "", path = ""] = key.split(" ");
    const index = handlers.findIndex((handler) => policyOf(handler));
    return { method, path, policy: index >= 0 ? policyOf(handlers[index]!) : undefined, policyFirst: index === 0 };
  });
}

/** A concrete URL for a route pattern; the guard runs before any parameter is looked up. */
function concretePath(path: string): string {
  return path.replace(/:\w+/g, "x-matrix").replace(/\*$/, "matrix.txt");
}

let app: TestApp;
const clientsByRole = new Map<Role | "none", TestClient>();

beforeAll(async () => {
  app = await startTestApp({ demoData: false });
  const system = { type: "system" as const, id: "route-matrix" };
  for (const role of [...roles, "none"] as const) {
    const email = `matrix-${role}@example.com`;
    await app.services.accounts.createAccount({ email, displayName: role, password: PASSWORD, roles: role === "none" ? [] : [role] }, system);
    const client = app.client();
    await client.signIn(email, PASSWORD);
    clientsByRole.set(role, client);
  }
});
afterAll(() => app.close());

async function call(client: TestClient, route: DeclaredRoute, htmx = false): Promise<Response> {
  const path = concretePath(route.path);
  if (route.method === "GET") return client.request(path, { htmx });
  return client.post(path, {}, { htmx });
}

describe("route/role matrix", () => {
  it("finds the app's routes", () => {
    expect(declaredRoutes(app).length).toBeGreaterThan(10);
  });

  it("has an access policy declared as the first handler of every route", () => {
    const undeclared = declaredRoutes(app)
      .filter((route) => !route.policy || !route.policyFirst)
      .map((route) => `${route.method} ${route.path}`);
    expect(undeclared).toEqual([]);
  });

  it("sends an anonymous person to sign in, and answers anonymous HTMX and form posts with 401", async () => {
    const failures: string[] = [];
    for (const route of declaredRoutes(app).filter((r) => r.policy?.kind !== "public")) {
      const anonymous = app.client();
      await anonymous.get("/signin"); // a CSRF token, so the guard, not CSRF, is what answers
      const response = await call(anonymous, route);
      if (route.method === "GET") {
        const location = response.headers.get("location") ?? "";
        if (response.status !== 303 || !location.startsWith("/signin?next=")) failures.push(`${route.method} ${route.path}: ${response.status} ${location}`);
        const htmx = await call(anonymous, route, true);
        if (htmx.status !== 401 || htmx.headers.get("hx-redirect") !== "/signin") failures.push(`HTMX ${route.method} ${route.path}: ${htmx.status}`);
      } else if (response.status !== 401) {
        failures.push(`${route.method} ${route.path}: ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("refuses every signed-in user whose roles the route does not allow with 403", async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of declaredRoutes(app)) {
      if (route.policy?.kind !== "roles") continue;
      const allowed = route.policy.roles;
      for (const [role, client] of clientsByRole) {
        if (role !== "none" && allowed.includes(role)) continue;
        const response = await call(client, route);
        checked++;
        if (response.status !== 403) failures.push(`${role} → ${route.method} ${route.path}: ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });

  it("lets each allowed role past the guard", async () => {
    const failures: string[] = [];
    for (const route of declaredRoutes(app)) {
      if (route.policy?.kind !== "roles") continue;
      for (const role of route.policy.roles) {
        const response = await call(clientsByRole.get(role)!, route);
        if (response.status === 401 || response.status === 403) failures.push(`${role} → ${route.method} ${route.path}: ${response.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("pins the roles of routes that reveal personal data", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const revealing: Record<string, AccessPolicy> = {
      "POST /merchant/orders/:id/reveal-address": { kind: "roles", roles: ["merchant"] },
      "POST /compliance/risk/holds/:id/reveal-address": { kind: "roles", roles: ["officer", "admin"] },
    };
    for (const [route, policy] of Object.entries(revealing)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("pins the roles of the inbox and of renaming a show", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const pinned: Record<string, AccessPolicy> = {
      "GET /inbox": { kind: "signedIn" },
      "POST /inbox/read": { kind: "signedIn" },
      "POST /studio/:id/title": { kind: "roles", roles: ["host"] },
    };
    for (const [route, policy] of Object.entries(pinned)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("pins the roles of the store community: anyone reads, members join in, staff and hosts post, staff moderate", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const pinned: Record<string, AccessPolicy> = {
      "GET /stores/:storeId/community": { kind: "public" },
      "GET /media/community/:key": { kind: "public" },
      "POST /stores/:storeId/community/posts": { kind: "roles", roles: ["merchant", "host"] },
      "POST /community/posts/:postId/comments": { kind: "signedIn" },
      "POST /community/posts/:postId/like": { kind: "signedIn" },
      "POST /community/posts/:postId/unlike": { kind: "signedIn" },
      "POST /community/posts/:postId/remove": { kind: "roles", roles: ["merchant"] },
      "POST /community/comments/:commentId/remove": { kind: "roles", roles: ["merchant"] },
      "POST /stores/:storeId/community/mutes": { kind: "roles", roles: ["merchant"] },
      "POST /stores/:storeId/community/mutes/:userId/remove": { kind: "roles", roles: ["merchant"] },
    };
    for (const [route, policy] of Object.entries(pinned)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("pins following and reminders to signed-in people, and the host's schedule and calendar feed to everyone", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const pinned: Record<string, AccessPolicy> = {
      "GET /following": { kind: "signedIn" },
      "POST /follows/:type/:id": { kind: "signedIn" },
      "POST /follows/:type/:id/unfollow": { kind: "signedIn" },
      "POST /reminders/:sessionId": { kind: "signedIn" },
      "POST /reminders/:sessionId/cancel": { kind: "signedIn" },
      "GET /hosts/:hostId": { kind: "public" },
      "GET /hosts/:hostId/shows.ics": { kind: "public" },
    };
    for (const [route, policy] of Object.entries(pinned)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("pins the member page (points, tier, member code) and checkout with points to signed-in people", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const pinned: Record<string, AccessPolicy> = {
      "GET /member": { kind: "signedIn" },
      "POST /checkout": { kind: "signedIn" },
    };
    for (const [route, policy] of Object.entries(pinned)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("pins group buys: anyone sees offers, groups and a show's offers, signed-in people join, merchants define offers", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const pinned: Record<string, AccessPolicy> = {
      "GET /groups/offers/:offerId": { kind: "public" },
      "GET /groups/:groupId": { kind: "public" },
      "GET /live/:sessionId/group-offers": { kind: "public" },
      "GET /groups/offers/:offerId/join": { kind: "signedIn" },
      "POST /groups/offers/:offerId/join": { kind: "signedIn" },
      "GET /merchant/group-buys": { kind: "roles", roles: ["merchant"] },
      "POST /merchant/group-buys": { kind: "roles", roles: ["merchant"] },
      "POST /merchant/group-buys/:offerId/deactivate": { kind: "roles", roles: ["merchant"] },
    };
    for (const [route, policy] of Object.entries(pinned)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("pins referral links: anyone follows a short link, signed-in people share and see theirs, merchants set the reward", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const pinned: Record<string, AccessPolicy> = {
      "GET /r/:code": { kind: "public" },
      "POST /referrals/links": { kind: "signedIn" },
      "GET /account/referrals": { kind: "signedIn" },
      "GET /merchant/referrals": { kind: "roles", roles: ["merchant"] },
      "POST /merchant/referrals": { kind: "roles", roles: ["merchant"] },
    };
    for (const [route, policy] of Object.entries(pinned)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("pins tier coupons: merchants register and remove them, members see theirs on the member page", () => {
    const declared = new Map(declaredRoutes(app).map((route) => [`${route.method} ${route.path}`, route.policy]));
    const pinned: Record<string, AccessPolicy> = {
      "GET /merchant/tier-coupons": { kind: "roles", roles: ["merchant"] },
      "POST /merchant/tier-coupons": { kind: "roles", roles: ["merchant"] },
      "POST /merchant/tier-coupons/remove": { kind: "roles", roles: ["merchant"] },
      "GET /member": { kind: "signedIn" },
    };
    for (const [route, policy] of Object.entries(pinned)) expect({ route, policy: declared.get(route) }).toEqual({ route, policy });
  });

  it("shows a 403 page a person can read, and a fragment to HTMX", async () => {
    const shopper = clientsByRole.get("shopper")!;
    const page = await shopper.request("/compliance/audit");
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain("<!doctype html>");
    expect(html).toContain("may not open this page");
    const fragment = await shopper.request("/compliance/audit", { htmx: true });
    expect(fragment.status).toBe(403);
    expect(await fragment.text()).toMatch(/^<div class="notice notice--error" role="alert"/);
  });
});
