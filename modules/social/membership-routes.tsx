// The member page (/member): balance, tier and progress, member code, points history. Signed-in only.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { MemberPage } from "../../views/social/member.tsx";
import type { Membership } from "./membership.ts";

export function membershipRoutes({ membership }: { membership: Pick<Membership, "summary" | "history"> }) {
  const app = new Hono<AppEnv>();

  app.get("/member", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    const userId = c.var.user!.id;
    const summary = await membership.summary(userId);
    const history = await membership.history(userId);
    return renderPage(c, v.t("points.page_title"), <MemberPage v={v} summary={summary} history={history} />);
  });

  return app;
}
