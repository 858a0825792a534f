// Group-buy pages: the offer and a group's share link (public), joining or starting a group (signed
// in: address and payment here, the order through the orders service, then its order page takes the
// payment), the offers a live show features, and the merchant's offers page (store staff).
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../src/platform/context.ts";
import { allow } from "../../src/platform/access.ts";
import { randomToken } from "../../src/platform/crypto.ts";
import { DomainError, NotFound } from "../../src/platform/errors.ts";
import { parseForm, type FieldErrors } from "../../src/platform/forms.ts";
import { redirectAfterPost, renderPage } from "../../views/render.tsx";
import { viewContext } from "../../views/view-context.ts";
import { GroupPage, JoinPage, OfferPage, RoomGroupOffers, type JoinValues } from "../../views/social/group-buy-pages.tsx";
import { browserId, orderOrigin, type Catalog, type Orders, type Quote } from "../orders/index.ts";
import type { Live } from "../live/index.ts";
import type { GroupBuys } from "./group-buys.ts";
import type { GroupOffer } from "./group-buy-offers.ts";
import { merchantGroupBuyRoutes } from "./group-buy-merchant-routes.tsx";

const idPattern = (prefix: string) => new RegExp(`^${prefix}_[0-9A-Z]{26}$`);
const optionalId = (prefix: string) => v.optional(v.union([v.literal(""), v.pipe(v.string(), v.regex(idPattern(prefix), "error.bad_request"))]), "");
const text = (max: number, message: string) => v.pipe(v.optional(v.string(), ""), v.trim(), v.nonEmpty(message), v.maxLength(max, message));

/** The checkout page's address and payment fields, with its messages. */
const joinShape = v.object({
  recipient: text(40, "validation.recipient"),
  phone: v.pipe(v.optional(v.string(), ""), v.trim(), v.regex(/^\+?[0-9 -]{6,20}$/, "validation.phone")),
  region: text(80, "validation.region"),
  street: text(200, "validation.street"),
  paymentMethod: v.picklist(["card", "offline"], "error.bad_request"),
  idempotencyKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,64}$/, "error.bad_request")),
  group: optionalId("gbu"),
  live: optionalId("liv"),
});

export interface GroupBuyRouteDeps {
  groupBuys: GroupBuys;
  orders: Pick<Orders, "checkout" | "queries" | "cardPaymentsEnabled" | "clientAddress">;
  catalog: Pick<Catalog, "getPublishedProduct" | "managedStores" | "listPublishedProducts">;
  live: Pick<Live, "getSession" | "board">;
}

export function groupBuyRoutes(deps: GroupBuyRouteDeps) {
  const { groupBuys, orders, catalog, live } = deps;
  const app = new Hono<AppEnv>();
  type C = Context<AppEnv>;
  const idOrNull = (value: string | undefined, prefix: string) => (value && idPattern(prefix).test(value) ? value : null);
  // Open groups hold their units: the offer stays open for joining them when no new group can start.
  const isOpen = (offer: GroupOffer, now: Date, openGroups: number) => offer.active && offer.startsAt <= now && offer.endsAt > now && (offer.stockLeft >= offer.groupSize || openGroups > 0);
  /** A show's order when the shopper came from the show the offer is featured in. */
  const channelOf = (offer: GroupOffer, liveId: string | null) => (liveId && liveId === offer.liveSessionId ? { channel: "live" as const, liveSessionId: liveId } : { channel: "storefront" as const, liveSessionId: null });

  app.get("/groups/offers/:offerId", allow.public(), async (c) => {
    const vc = viewContext(c);
    const offer = await groupBuys.offerOf(c.req.param("offerId"));
    const now = groupBuys.now();
    const product = await catalog.getPublishedProduct(offer.productId).catch(() => null);
    const regularFen = product?.skus.find((sku) => sku.id === offer.skuId)?.price.amount ?? null;
    const groups = await groupBuys.openGroups(offer.id);
    const page = <OfferPage v={vc} offer={offer} regularFen={regularFen} groups={groups} open={isOpen(offer, now, groups.length)} now={now} live={idOrNull(c.req.query("live"), "liv")} />;
    return renderPage(c, vc.t("groups.offer_title", { title: vc.pick(offer.titleZh, offer.titleEn) }), page);
  });

  app.get("/groups/for-order/:orderId", allow.signedIn(), async (c) => {
    const groupId = await groupBuys.groupOfOrder(c.var.user!.id, c.req.param("orderId"));
    if (!groupId) throw new NotFound("group_not_found");
    return c.redirect(`/groups/${groupId}`, 303);
  });

  app.get("/groups/:groupId", allow.public(), async (c) => {
    const vc = viewContext(c);
    const group = await groupBuys.group(c.req.param("groupId"), c.var.user?.id ?? null);
    const shareUrl = `${new URL(c.req.url).origin}/groups/${group.id}`;
    return renderPage(c, vc.t("groups.group_title", { name: group.leaderName, title: vc.pick(group.offer.titleZh, group.offer.titleEn) }), <GroupPage v={vc} group={group} now={groupBuys.now()} shareUrl={shareUrl} />);
  });

  async function quoteOf(c: C, offer: GroupOffer, values: JoinValues): Promise<{ quote: Quote | null; refusal: DomainError | null }> {
    try {
      const quote = await orders.checkout.quote({ userId: c.var.user!.id, lines: [{ skuId: offer.skuId, quantity: 1 }], couponCode: null, ...channelOf(offer, values.live), groupBuy: { offerId: offer.id, groupId: values.group } });
      return { quote, refusal: null };
    } catch (error) {
      if (error instanceof DomainError && error.status !== 404) return { quote: null, refusal: error };
      throw error;
    }
  }

  async function joinPage(c: C, offer: GroupOffer, values: JoinValues, state: { status?: 200 | 409 | 422; errors?: FieldErrors; problem?: string } = {}) {
    const vc = viewContext(c);
    const { quote, refusal } = await quoteOf(c, offer, values);
    const problem = state.problem ?? (refusal ? vc.t(refusal.messageKey) : undefined);
    const status = state.status ?? (refusal ? 409 : 200);
    const title = vc.t(values.group ? "groups.join_title" : "groups.start_title", { title: vc.pick(offer.titleZh, offer.titleEn) });
    return renderPage(c, title, <JoinPage v={vc} offer={offer} quote={quote} values={values} errors={state.errors} problem={problem} cardEnabled={orders.cardPaymentsEnabled} />, status);
  }

  app.get("/groups/offers/:offerId/join", allow.signedIn(), async (c) => {
    const offer = await groupBuys.offerOf(c.req.param("offerId"));
    const values: JoinValues = { idempotencyKey: randomToken(24), group: idOrNull(c.req.query("group"), "gbu"), live: idOrNull(c.req.query("live"), "liv") };
    Object.assign(values, (await orders.queries.lastAddress(c.var.user!.id)) ?? {});
    browserId(c); // the risk rules count orders per browser: the cookie is set before the order
    return joinPage(c, offer, values);
  });

  app.post("/groups/offers/:offerId/join", allow.signedIn(), async (c) => {
    const offer = await groupBuys.offerOf(c.req.param("offerId"));
    const body = await c.req.parseBody();
    const field = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
    const values: JoinValues = {
      recipient: field("recipient"),
      phone: field("phone"),
      region: field("region"),
      street: field("street"),
      paymentMethod: field("paymentMethod") === "card" ? "card" : "offline",
      idempotencyKey: field("idempotencyKey") ?? randomToken(24),
      group: idOrNull(field("group"), "gbu"),
      live: idOrNull(field("live"), "liv"),
    };
    const form = parseForm(joinShape, body);
    if (!form.ok) return joinPage(c, offer, values, { status: 422, errors: form.errors });
    const { recipient, phone, region, street, paymentMethod, idempotencyKey, group, live: liveId } = form.value;
    try {
      const order = await orders.checkout.placeOrder({
        userId: c.var.user!.id,
        idempotencyKey,
        lines: [{ skuId: offer.skuId, quantity: 1 }],
        address: { recipient, phone, region, street },
        couponCode: null,
        paymentMethod,
        ...channelOf(offer, liveId || null),
        fromCart: false,
        ...orderOrigin(c, orders.clientAddress),
        groupBuy: { offerId: offer.id, groupId: group || null },
      });
      return redirectAfterPost(c, `/orders/${order.id}`);
    } catch (error) {
      if (!(error instanceof DomainError) || error.status === 404 || error.status === 403) throw error;
      return joinPage(c, offer, values, { status: error.status === 422 ? 422 : 409, problem: viewContext(c).t(error.messageKey) });
    }
  });

  app.get("/live/:sessionId/group-offers", allow.public(), async (c) => {
    const session = await live.getSession(c.req.param("sessionId"));
    const vc = viewContext(c);
    return renderPage(c, vc.t("groups.room_title"), <RoomGroupOffers v={vc} sessionId={session.id} offers={await groupBuys.activeOffersOfSession(session.id)} />);
  });

  app.route("/", merchantGroupBuyRoutes({ groupBuys, catalog, live }));
  return app;
}
