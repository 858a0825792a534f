// Hosts' own shows: the list, giving one a new title, and scheduling a new one for a store they host for.
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { wallTimeToUtc } from "../../src/platform/zoned-time.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { MyShowsPage, ScheduleForm, ShowCard, type RetitleState, type ScheduleValues } from "../../views/live/schedule.tsx";
import { sniffImageType, type Catalog } from "../orders/index.ts";
import { NotTheHost } from "./errors.ts";
import { COVER_MAX_BYTES, type Live } from "./service.ts";

const MAX_AHEAD_MS = 90 * 24 * 60 * 60 * 1000;

const showTitleShape = v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty("live.schedule.title_invalid"), v.maxLength(80, "live.schedule.title_invalid"));

const scheduleShape = v.object({
  title: showTitleShape,
  startsAt: v.string(),
  storeId: v.pipe(v.string(), v.regex(/^sto_[0-9A-Z]{26}$/, "error.bad_request")),
  productIds: v.pipe(v.array(v.pipe(v.string(), v.regex(/^prd_[0-9A-Z]{26}$/, "error.bad_request"))), v.minLength(1, "live.schedule.products_invalid"), v.maxLength(30, "live.schedule.products_invalid")),
});

export function scheduleRoutes({ live, catalog }: { live: Live; catalog: Catalog }) {
  const app = new Hono<AppEnv>();

  async function page(c: Context<AppEnv>, values: ScheduleValues, errors?: FieldErrors, retitle?: RetitleState) {
    const vc = viewContext(c);
    const userId = c.var.user!.id;
    const stores = await catalog.storesOf(userId);
    const storeId = values.storeId ?? stores[0]?.id;
    const products = (await catalog.listPublishedProducts(200)).filter((product) => product.storeId === storeId);
    const form = stores.length ? <ScheduleForm v={vc} stores={stores} products={products} values={{ ...values, storeId }} errors={errors} timeZone={c.var.timeZone} /> : null;
    if (c.req.header("hx-request") && c.req.method === "POST") return c.html(form ?? <></>, errors ? 422 : 200);
    const status = errors || retitle?.error ? 422 : 200;
    return renderPage(c, vc.t("live.my_shows"), <MyShowsPage v={vc} sessions={await live.sessionsOfHost(userId)} form={form} retitle={retitle} />, status);
  }

  app.get("/studio", allow.roles("host"), (c) => page(c, {}));

  app.post("/studio", allow.roles("host"), async (c) => {
    const body = await c.req.parseBody({ all: true });
    const productIds = body.productIds === undefined ? [] : [body.productIds].flat().map(String);
    const values: ScheduleValues = { title: String(body.title ?? ""), startsAt: String(body.startsAt ?? ""), storeId: String(body.storeId ?? ""), productIds };
    const form = parseForm(scheduleShape, { ...body, productIds });
    const errors: FieldErrors = form.ok ? {} : { ...form.errors };
    const cover = body.cover instanceof File && body.cover.size > 0 ? new Uint8Array(await body.cover.arrayBuffer()) : null;
    if (cover && (cover.length > COVER_MAX_BYTES || !sniffImageType(cover))) errors.cover = "live.schedule.cover_invalid";
    const at = wallTimeToUtc(values.startsAt ?? "", c.var.timeZone);
    const now = Date.now();
    if (!at || at.getTime() < now - 5 * 60_000 || at.getTime() > now + MAX_AHEAD_MS) errors.startsAt = "live.schedule.time_invalid";
    const userId = c.var.user!.id;
    const stores = await catalog.storesOf(userId);
    if (!stores.some((store) => store.id === values.storeId)) errors.storeId = "error.forbidden";
    const storeProducts = new Set((await catalog.listPublishedProducts(500)).filter((p) => p.storeId === values.storeId).map((p) => p.id));
    if (productIds.some((id) => !storeProducts.has(id))) errors.productIds = "live.schedule.products_invalid";
    if (!form.ok || Object.keys(errors).length > 0) return page(c, values, errors);
    const session = await live.scheduleSession({ type: "user", id: userId }, { storeId: values.storeId!, hostId: userId, title: form.value.title, scheduledAt: at!, productIds });
    if (cover) await live.setCover({ type: "user", id: userId }, session.id, cover);
    return redirectAfterPost(c, `/studio/${session.id}`);
  });

  // A new title is checked by the term list again (the composition wraps retitleSession).
  app.post("/studio/:id/title", allow.roles("host"), async (c) => {
    const sessionId = c.req.param("id");
    const actor = { type: "user" as const, id: c.var.user!.id };
    const session = await live.getSession(sessionId);
    if (session.host.id !== actor.id) throw new NotTheHost();
    const body = await c.req.parseBody();
    const form = parseForm(v.object({ title: showTitleShape }), body);
    const state: RetitleState = form.ok ? { sessionId, saved: true } : { sessionId, title: String(body.title ?? ""), error: form.errors.title ?? "live.schedule.title_invalid" };
    const shown = form.ok ? await live.retitleSession(actor, sessionId, form.value.title) : session;
    if (c.req.header("hx-request")) return c.html(<ShowCard v={viewContext(c)} session={shown} state={state} />, form.ok ? 200 : 422);
    return form.ok ? redirectAfterPost(c, "/studio") : page(c, {}, undefined, state);
  });

  app.get("/media/covers/:key", allow.public(), async (c) => {
    const image = await live.openCover(c.req.param("key"));
    if (!image) return c.notFound();
    return c.body(image.bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": image.contentType,
      // Keys are never reused, so a cover can be cached for good.
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; sandbox",
    });
  });

  return app;
}
