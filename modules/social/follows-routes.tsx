// Following hosts and stores, "remind me" on a scheduled show, the reader's Following page and a
// host's public schedule. Each button posts a form and comes back to `next`; HTMX swaps the button.
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { BadRequest } from "../../src/platform/errors.ts";
import { isHtmx, redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { FollowButton, RemindButton, type FollowTargetView } from "../../views/social/follows.tsx";
import { FollowingPage, HostSchedulePage } from "../../views/social/follows-pages.tsx";
import type { LiveSession } from "../live/index.ts";
import type { Store } from "../orders/index.ts";
import type { FollowTarget, Follows } from "./follows.ts";
import type { ShowCalendarFeed } from "./show-calendar-feed.ts";

const idOf = (prefix: string) => v.pipe(v.string(), v.regex(new RegExp(`^${prefix}_[0-9A-Z]{26}$`)));
const targetShape = v.variant("type", [v.object({ type: v.literal("host"), id: idOf("usr") }), v.object({ type: v.literal("store"), id: idOf("sto") })]);
const sessionIdShape = idOf("liv");
/** Where to come back to: a path on this site, never another site ("//evil.example"). */
const nextShape = v.optional(v.pipe(v.string(), v.regex(/^\/(?![/\\])\S*$/)), "/following");

export interface FollowsRoutesDeps {
  follows: Follows;
  calendar: ShowCalendarFeed;
  displayNames: (ids: readonly string[]) => Promise<Map<string, string>>;
  catalog: { getStore(id: string): Promise<Store> };
  live: { getSession(id: string): Promise<LiveSession> };
}

export function followsRoutes({ follows, calendar, displayNames, catalog, live }: FollowsRoutesDeps) {
  const app = new Hono<AppEnv>();
  type C = Context<AppEnv>;
  const userId = (c: C) => c.var.user!.id;

  function parsed<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
    const result = v.safeParse(schema, input);
    if (!result.success) throw new BadRequest("bad_request");
    return result.output;
  }
  const targetOf = (c: C): FollowTarget => parsed(targetShape, { type: c.req.param("type"), id: c.req.param("id") });
  const sessionOf = (c: C): string => parsed(sessionIdShape, c.req.param("sessionId"));
  const nextOf = async (c: C): Promise<string> => parsed(nextShape, (await c.req.parseBody()).next);

  async function named(c: C, target: FollowTarget): Promise<FollowTargetView> {
    if (target.type === "host") return { ...target, name: (await displayNames([target.id])).get(target.id) ?? "—" };
    const store = await catalog.getStore(target.id);
    return { ...target, name: viewContext(c).pick(store.nameZh, store.nameEn) };
  }

  async function followButton(c: C, target: FollowTarget, next: string) {
    const following = await follows.isFollowing(userId(c), target);
    return c.html(<FollowButton v={viewContext(c)} target={await named(c, target)} following={following} next={next} />);
  }

  async function remindButton(c: C, sessionId: string, next: string) {
    const reminded = (await follows.remindedAmong(userId(c), [sessionId])).has(sessionId);
    return c.html(<RemindButton v={viewContext(c)} sessionId={sessionId} reminded={reminded} next={next} />);
  }

  // ---- follow ----
  app.get("/follows/:type/:id/button", allow.signedIn(), (c) => followButton(c, targetOf(c), parsed(nextShape, c.req.query("next"))));

  app.post("/follows/:type/:id", allow.signedIn(), async (c) => {
    const target = targetOf(c);
    const next = await nextOf(c);
    await follows.follow(userId(c), target);
    return isHtmx(c) ? followButton(c, target, next) : redirectAfterPost(c, next);
  });

  app.post("/follows/:type/:id/unfollow", allow.signedIn(), async (c) => {
    const target = targetOf(c);
    const next = await nextOf(c);
    await follows.unfollow(userId(c), target);
    return isHtmx(c) ? followButton(c, target, next) : redirectAfterPost(c, next);
  });

  // ---- remind me ----
  app.get("/reminders/:sessionId/button", allow.signedIn(), (c) => remindButton(c, sessionOf(c), parsed(nextShape, c.req.query("next"))));

  app.post("/reminders/:sessionId", allow.signedIn(), async (c) => {
    const sessionId = sessionOf(c);
    const next = await nextOf(c);
    await follows.remind(userId(c), sessionId);
    return isHtmx(c) ? remindButton(c, sessionId, next) : redirectAfterPost(c, next);
  });

  app.post("/reminders/:sessionId/cancel", allow.signedIn(), async (c) => {
    const sessionId = sessionOf(c);
    const next = await nextOf(c);
    await follows.cancelReminder(userId(c), sessionId);
    return isHtmx(c) ? remindButton(c, sessionId, next) : redirectAfterPost(c, next);
  });

  // ---- pages ----
  app.get("/following", allow.signedIn(), async (c) => {
    const vc = viewContext(c);
    const [followed, reminders] = await Promise.all([follows.following(userId(c)), follows.reminders(userId(c))]);
    const hostNames = await displayNames(followed.filter((f) => f.type === "host").map((f) => f.id));
    const views = await Promise.all(
      followed.map(async (f) => {
        const name = f.type === "host" ? (hostNames.get(f.id) ?? "—") : await catalog.getStore(f.id).then((store) => vc.pick(store.nameZh, store.nameEn), () => "—");
        return { ...f, name, href: f.type === "host" ? `/hosts/${f.id}` : `/stores/${f.id}/community` };
      }),
    );
    const sessions = await Promise.all(reminders.map((r) => live.getSession(r.sessionId).catch(() => null)));
    const upcoming = sessions.filter((s): s is LiveSession => s !== null && s.status === "scheduled");
    return renderPage(c, vc.t("follows.following_title"), <FollowingPage v={vc} followed={views} reminded={upcoming} />);
  });

  app.get("/hosts/:hostId", allow.public(), async (c) => {
    const vc = viewContext(c);
    const hostId = parsed(idOf("usr"), c.req.param("hostId"));
    const host = await calendar.host(hostId);
    const target = { type: "host", id: host.id } as const;
    const [followers, shows] = await Promise.all([follows.followerCount(target), calendar.upcomingShows(host.id)]);
    const viewer = c.var.user;
    const following = viewer ? await follows.isFollowing(viewer.id, target) : null;
    const reminded = viewer ? await follows.remindedAmong(viewer.id, shows.map((show) => show.id)) : new Set<string>();
    const feed = new URL(`/hosts/${host.id}/shows.ics`, c.req.url);
    const calendarUrl = { https: feed.href, webcal: `webcal://${feed.host}${feed.pathname}` };
    return renderPage(c, vc.t("follows.host_title", { name: host.name }), <HostSchedulePage v={vc} host={host} followers={followers} following={following} shows={shows} reminded={reminded} calendarUrl={calendarUrl} />);
  });

  app.get("/hosts/:hostId/shows.ics", allow.public(), async (c) => {
    const hostId = parsed(idOf("usr"), c.req.param("hostId"));
    const text = await calendar.feed(hostId, new URL(c.req.url).origin, c.var.t);
    return c.body(text, 200, { "content-type": "text/calendar; charset=utf-8", "cache-control": "public, max-age=300" });
  });

  return app;
}
