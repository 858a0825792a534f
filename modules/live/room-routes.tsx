// Live room pages: the watch page and its actions (join, like, chat), the host's studio and its
// actions (go live, end, pin, flash sale, remove a viewer), the after-show figures, and LiveKit's
// webhooks. Each action that changes what the room shows is sent to the room as a data packet.
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { DomainError, Forbidden } from "../../src/platform/errors.ts";
import { MoneyError, parseMoney } from "../../src/platform/money.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { ShowcaseCardView } from "../../views/live/showcase.tsx";
import { ChatForm, CouponOffer, WatchPage } from "../../views/live/watch.tsx";
import { StudioNotice, StudioPage } from "../../views/live/studio.tsx";
import { SummaryPage } from "../../views/live/summary.tsx";
import { showTitle } from "../../views/live/show-title.ts";
import type { Catalog, Orders } from "../orders/index.ts";
import { ChatRefused, ChatTooFast, MutedInRoom, RemovedFromRoom, SessionNotLive } from "./errors.ts";
import type { Rooms, RoomEvent } from "./room.ts";
import type { Live } from "./service.ts";
import type { Showcase } from "./showcase.ts";
import type { RoomGateway } from "./room-gateway.ts";
import type { RoomFeed } from "./room-feed.ts";
import { CHAT_LIMIT } from "./room.ts";

export interface RoomRouteDeps {
  live: Live;
  rooms: Rooms;
  showcase: Showcase;
  catalog: Catalog;
  orders: Orders;
  feed: RoomFeed;
  /** LiveKit, for verifying its webhooks; null without a LiveKit server. */
  gateway: RoomGateway | null;
}

type C = Context<AppEnv>;

export function roomRoutes({ live, rooms, showcase, catalog, orders, feed, gateway }: RoomRouteDeps) {
  const app = new Hono<AppEnv>();
  const actor = (c: C) => ({ type: "user" as const, id: c.var.user!.id });

  async function cardOf(sessionId: string) {
    return showcase.card(sessionId, (await rooms.stats(sessionId)).pinnedProductId);
  }

  const pushCard = (sessionId: string) => feed.pushCard(sessionId);

  async function figures(sessionId: string) {
    const [stats, sales, session] = await Promise.all([rooms.stats(sessionId), orders.queries.liveFigures(sessionId), live.getSession(sessionId)]);
    return { ...stats, orders: sales.orders, gmvFen: sales.gmvFen, buyers: sales.buyers, soldProductIds: sales.productIds, currency: session.store.currency };
  }

  // ---- the watch page ----
  app.get("/live/:id", allow.public(), async (c) => {
    const v = viewContext(c);
    const id = c.req.param("id");
    const [session, stats, card, chat] = await Promise.all([live.getSession(id), rooms.stats(id), cardOf(id), rooms.recentChat(id)]);
    const coupons = (await orders.coupons.claimable(session.store.id, id))
      .filter((coupon) => coupon.scope === "live_session" && coupon.kind === "amount_off")
      .map((coupon) => ({ id: coupon.id, offFen: coupon.value, currency: coupon.currency }));
    return renderPage(c, showTitle(v, session), <WatchPage v={v} session={session} card={card} chat={chat} stats={stats} available={rooms.available} coupons={coupons} />);
  });

  app.get("/live/:id/coupons/:couponId", allow.signedIn(), async (c) => {
    const id = c.req.param("id");
    const coupon = (await orders.coupons.claimable((await live.getSession(id)).store.id, id)).find((candidate) => candidate.id === c.req.param("couponId"));
    if (!coupon) return c.body(null, 204);
    return c.html(<CouponOffer v={viewContext(c)} sessionId={id} coupon={{ id: coupon.id, offFen: coupon.value, currency: coupon.currency }} />);
  });

  app.get("/live/:id/card", allow.public(), async (c) => {
    const id = c.req.param("id");
    return c.html(<ShowcaseCardView v={viewContext(c)} card={await cardOf(id)} sessionId={id} buyable={c.req.query("studio") === undefined} />);
  });

  app.post("/live/:id/join", allow.public(), async (c) => c.json(await rooms.viewerJoin(c.var.user?.id ?? null, c.req.param("id"))));

  app.post("/live/:id/like", allow.public(), async (c) => c.json({ likes: await rooms.like(c.req.param("id")) }));

  app.post("/live/:id/chat", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    const id = c.req.param("id");
    const body = String((await c.req.parseBody()).body ?? "").trim();
    const again = (message: string, status: 409 | 403 | 422 | 429) => c.html(<ChatForm v={v} sessionId={id} error={message} body={body} />, status);
    if (body.length === 0 || body.length > CHAT_LIMIT.maxLength) return again(v.t("live.chat.placeholder"), 422);
    try {
      await rooms.chat(c.var.user!.id, id, body);
    } catch (error) {
      if (error instanceof ChatRefused) return again(v.t("live.chat.refused", { terms: error.terms.map((term) => `“${term}”`).join("、") }), 422);
      if (error instanceof ChatTooFast || error instanceof RemovedFromRoom || error instanceof MutedInRoom || error instanceof SessionNotLive) return again(v.t(error.messageKey), error.status as 403 | 409 | 429);
      throw error;
    }
    return c.html(<ChatForm v={v} sessionId={id} />);
  });

  // ---- the host's studio ----
  async function hostSession(c: C) {
    const session = await live.getSession(c.req.param("id")!);
    if (session.host.id !== c.var.user!.id) throw new Forbidden();
    return session;
  }

  app.get("/studio/:id", allow.roles("host"), async (c) => {
    const v = viewContext(c);
    const session = await hostSession(c);
    const [lineUp, card, chat, figs] = await Promise.all([
      Promise.all(session.productIds.map((productId) => catalog.getPublishedProduct(productId).catch(() => null))),
      cardOf(session.id),
      rooms.recentChat(session.id),
      figures(session.id),
    ]);
    const page = <StudioPage v={v} session={session} lineUp={lineUp.filter((p) => p !== null)} card={card} chat={chat} figures={figs} available={rooms.available} />;
    return renderPage(c, `${v.t("live.studio")}: ${showTitle(v, session)}`, page);
  });

  app.post("/studio/:id/go-live", allow.roles("host"), async (c) => {
    await rooms.goLive(actor(c), c.req.param("id"));
    return redirectAfterPost(c, `/studio/${c.req.param("id")}`);
  });

  app.post("/studio/:id/end", allow.roles("host"), async (c) => {
    await rooms.end(actor(c), c.req.param("id"));
    return redirectAfterPost(c, `/live/${c.req.param("id")}/summary`);
  });

  app.post("/studio/:id/join", allow.roles("host"), async (c) => c.json(await rooms.hostJoin(actor(c), c.req.param("id"))));

  app.post("/studio/:id/pin", allow.roles("host"), async (c) => {
    const id = c.req.param("id");
    const productId = (await c.req.parseBody()).productId;
    await rooms.pin(actor(c), id, typeof productId === "string" && productId ? productId : null);
    await pushCard(id);
    return c.html(<StudioNotice message={viewContext(c).t(productId ? "live.pinned" : "live.unpin")} />);
  });

  app.post("/studio/:id/flash-sale", allow.roles("host"), async (c) => {
    const v = viewContext(c);
    const session = await hostSession(c);
    const body = await c.req.parseBody();
    const units = Number(body.units);
    const minutes = Number(body.minutes);
    let priceFen: number;
    try {
      priceFen = parseMoney(String(body.price ?? ""), session.store.currency).amount;
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      return c.html(<StudioNotice kind="error" message={v.t("validation.coupon.amount")} />, 422);
    }
    if (!Number.isSafeInteger(units) || !Number.isSafeInteger(minutes)) return c.html(<StudioNotice kind="error" message={v.t("error.bad_request")} />, 422);
    await orders.flashSales.start(actor(c), { storeId: session.store.id, liveSessionId: session.id, skuId: String(body.skuId ?? ""), priceFen, units, durationSeconds: minutes * 60 });
    await pushCard(session.id);
    return c.html(<StudioNotice message={v.t("live.flash_sale.start")} />);
  });

  // A live coupon: amount off, for this show only, claimed from the room while it lasts.
  app.post("/studio/:id/coupon", allow.roles("host"), async (c) => {
    const v = viewContext(c);
    const session = await hostSession(c);
    const body = await c.req.parseBody();
    const total = Number(body.total);
    const minutes = Number(body.minutes);
    let offFen: number;
    let minSpendFen: number;
    try {
      offFen = parseMoney(String(body.amount ?? ""), session.store.currency).amount;
      minSpendFen = String(body.minSpend ?? "").trim() ? parseMoney(String(body.minSpend), session.store.currency).amount : 0;
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      return c.html(<StudioNotice kind="error" message={v.t("validation.coupon.amount")} />, 422);
    }
    if (offFen <= 0 || !Number.isSafeInteger(total) || total < 1 || total > 100_000 || !Number.isSafeInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
      return c.html(<StudioNotice kind="error" message={v.t("validation.coupon.limit")} />, 422);
    }
    const now = Date.now();
    const coupon = await orders.coupons.create(actor(c), {
      storeId: session.store.id,
      code: `LIVE-${session.id.slice(-6)}-${crypto.randomUUID().slice(0, 4).toUpperCase()}`,
      nameZh: `直播间专享券 ${session.titleRemoved ? "" : session.title}`.trim().slice(0, 40),
      nameEn: (session.titleRemoved ? "Live coupon" : `Live coupon: ${session.title}`).slice(0, 60),
      kind: "amount_off",
      value: offFen,
      minSpendFen,
      capFen: null,
      audience: "everyone",
      scope: "live_session",
      liveSessionId: session.id,
      startsAt: new Date(now),
      endsAt: new Date(now + minutes * 60_000),
      perShopperLimit: 1,
      totalLimit: total,
    });
    await rooms.broadcast(session.id, "coupon", { id: coupon.id, offFen, minSpendFen, currency: session.store.currency, endsAt: coupon.endsAt.toISOString(), total });
    return c.html(<StudioNotice message={v.t("live.coupon.issued", { off: v.formatMoney({ amount: offFen, currency: session.store.currency }) })} />);
  });

  app.post("/live/:id/coupons/:couponId/claim", allow.signedIn(), async (c) => {
    const v = viewContext(c);
    const sessionId = c.req.param("id");
    const coupon = (await orders.coupons.claimable((await live.getSession(sessionId)).store.id, sessionId)).find((candidate) => candidate.id === c.req.param("couponId"));
    if (!coupon) return c.html(<p class="field__error" role="alert">{v.t("coupons.refused.claimed_out")}</p>, 409);
    try {
      await orders.coupons.claim(c.var.user!.id, coupon.code);
    } catch (error) {
      if (error instanceof DomainError && error.status < 500) return c.html(<p class="field__error" role="alert">{v.t(error.messageKey)}</p>, error.status as 409 | 422);
      throw error;
    }
    return c.html(<p class="notice notice--success" role="status">{v.t("coupons.claimed")}</p>);
  });

  app.post("/studio/:id/remove", allow.roles("host"), async (c) => {
    const body = await c.req.parseBody();
    await rooms.restrictViewer(actor(c), c.req.param("id"), String(body.userId ?? ""), body.kind === "muted" ? "muted" : "removed");
    return c.body(null, 204);
  });

  // ---- after the show ----
  app.get("/live/:id/summary", allow.roles("host", "merchant"), async (c) => {
    const v = viewContext(c);
    const session = await live.getSession(c.req.param("id"));
    const user = c.var.user!;
    const allowed = session.host.id === user.id || (await orders.managedStore(user.id))?.id === session.store.id;
    if (!allowed) throw new Forbidden();
    const figs = await figures(session.id);
    const shown = await Promise.all(session.productIds.map((productId) => catalog.getPublishedProduct(productId).catch(() => null)));
    return renderPage(c, showTitle(v, session), <SummaryPage v={v} session={session} figures={figs} products={shown.filter((p) => p !== null)} />);
  });

  // ---- LiveKit ----
  app.post("/webhooks/livekit", allow.public(), async (c) => {
    if (!gateway) return c.json({ error: { code: "not_configured" } }, 404);
    const raw = await c.req.text();
    let event: RoomEvent;
    try {
      const received = await gateway.receiveWebhook(raw, c.req.header("authorization"));
      event = { id: received.id, event: received.event, roomName: received.room?.name ?? null, participantIdentity: received.participant?.identity ?? null };
    } catch (error) {
      c.var.log?.warn("livekit webhook rejected", { error: (error as Error).message });
      return c.json({ error: { code: "bad_signature" } }, 401);
    }
    return c.json({ received: true, outcome: await rooms.applyEvent(event) });
  });

  return app;
}
