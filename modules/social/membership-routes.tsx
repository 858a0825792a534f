// The member page (/member): balance, tier and progress, tier benefits, member code, points history. Signed-in only.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { MemberPage } from "../../views/social/member.tsx";
import type { Membership } from "./membership.ts";
import type { TierCoupons } from "./tier-coupons.ts";

export function membershipRoutes({ membership, tierCoupons }: { membership: Pick<Membership, "summary" | "history">; tierCoupons: Pick<TierCoupons, "benefitsOf"> }) {
  const app = new Hono<AppEnv>();

  app.get("/member", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    const userId = c.var.user!.id;
    const summary = await membership.summary(userId);
    const history = await membership.history(userId);
    const benefits = await tierCoupons.benefitsOf(userId, summary.progress.tier.id);
    return renderPage(c, v.t("points.page_title"), <MemberPage v={v} summary={summary} history={history} benefits={benefits} />);
  });

  return app;
}
