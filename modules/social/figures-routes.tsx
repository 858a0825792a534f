// GET /figures/social: the charts page for hosts (their followers) and merchants (each store they run).
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { SocialFiguresPage } from "../../views/social/figures.tsx";
import type { Catalog } from "../orders/index.ts";
import { FIGURE_DAYS, type SocialFigures } from "./social-figures.ts";

export function figuresRoutes({ figures, catalog }: { figures: SocialFigures; catalog: Pick<Catalog, "managedStores"> }) {
  const app = new Hono<AppEnv>();

  app.get("/figures/social", allow.roles("host", "merchant"), async (c) => {
    const v = viewContext(c);
    const user = c.var.user!;
    const host = user.roles.includes("host") ? await figures.forHost(user.id) : null;
    const stores = user.roles.includes("merchant") ? await catalog.managedStores(user.id) : [];
    const sections = await Promise.all(stores.map(async (store) => ({ name: v.pick(store.nameZh, store.nameEn), figures: await figures.forStore(store.id) })));
    const range = host ?? sections[0]?.figures ?? (await figures.forHost(user.id));
    return renderPage(c, v.t("figures.title"), <SocialFiguresPage v={v} days={FIGURE_DAYS} from={range.from} to={range.to} host={host?.followers ?? null} stores={sections} />);
  });

  return app;
}
