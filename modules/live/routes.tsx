// Public pages of the live module: the home page lists live, upcoming and finished sessions.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { HomePage } from "../../views/live/home.tsx";
import type { Catalog } from "../orders/index.ts";
import type { Live } from "./service.ts";

export function liveRoutes({ live, catalog }: { live: Live; catalog: Catalog }) {
  const app = new Hono<AppEnv>();

  app.get("/", allow.public(), async (c) => {
    const v = viewContext(c);
    const [board, products] = await Promise.all([live.board(12), catalog.listPublishedProducts(24)]);
    return renderPage(c, v.t("app.tagline"), <HomePage v={v} board={board} products={products} />);
  });

  return app;
}
