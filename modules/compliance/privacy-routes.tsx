// Personal-data rights: a shopper's privacy page (download their data, ask for erasure) and the
// officers' queue of erasure requests with their due dates.
import { Hono } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { CsrfField, Notice } from "../../views/components.tsx";
import { ErasureAlreadyRequested, type Erasure } from "./erasure.ts";

export function privacyRoutes({ erasure, displayNames }: { erasure: Erasure; displayNames: (ids: readonly string[]) => Promise<Map<string, string>> }) {
  const app = new Hono<AppEnv>();

  app.get("/account/privacy", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    const open = await erasure.openRequestOf(c.var.user!.id);
    return renderPage(
      c,
      v.t("privacy.erasure.request"),
      <article class="card">
        <h1>{v.t("privacy.erasure.request")}</h1>
        <p>
          <a href="/account/export">{v.t("privacy.export.button")}</a>
        </p>
        <p class="muted">{v.t("privacy.erasure.explain")}</p>
        {open ? (
          <Notice kind="info">{v.t("privacy.erasure.requested", { time: v.formatTime(open.requestedAt), due: v.formatTime(open.dueAt) })}</Notice>
        ) : (
          <form method="post" action="/account/erasure">
            <CsrfField v={v} />
            <button type="submit" class="button">{v.t("privacy.erasure.request")}</button>
          </form>
        )}
      </article>,
    );
  });

  app.post("/account/erasure", allow.signedIn(), async (c) => {
    try {
      await erasure.request(c.var.user!.id);
    } catch (error) {
      if (!(error instanceof ErasureAlreadyRequested)) throw error;
    }
    return redirectAfterPost(c, "/account/privacy");
  });

  app.get("/compliance/privacy", allow.roles("officer", "admin"), async (c) => {
    const v = viewContext(c);
    const queue = await erasure.queue();
    const names = await displayNames(queue.map((row) => row.userId));
    return renderPage(
      c,
      v.t("privacy.queue"),
      <article>
        <h1>{v.t("privacy.queue")}</h1>
        {queue.length === 0 && <p class="muted">{v.t("privacy.queue.none")}</p>}
        <ul class="card-list">
          {queue.map((row) => (
            <li class="card">
              <h2 class="card__title">{names.get(row.userId) ?? row.userId}</h2>
              <p class={row.dueAt.getTime() < Date.now() ? "sold-out" : "muted"}>{v.t("privacy.queue.due", { time: v.formatTime(row.dueAt) })}</p>
              <form method="post" action={`/compliance/privacy/${row.id}/erase`} hx-post={`/compliance/privacy/${row.id}/erase`} hx-target="closest li" hx-swap="innerHTML">
                <CsrfField v={v} />
                <button type="submit" class="button">{v.t("privacy.queue.carry_out")}</button>
              </form>
            </li>
          ))}
        </ul>
      </article>,
    );
  });

  app.post("/compliance/privacy/:id/erase", allow.roles("officer", "admin"), async (c) => {
    await erasure.carryOut({ type: "user", id: c.var.user!.id }, c.req.param("id"));
    return c.html(<Notice kind="success">{viewContext(c).t("privacy.queue.done")}</Notice>);
  });

  return app;
}
