// Group-buy pages for shoppers: the offer (its open groups with seats left and time left), a group's
// share link, the join page (address and payment, then the order page takes the payment), and the
// list a live room shows. Time left is plain text, fresh on every load: no script needed.
import type { Quote } from "../../modules/orders/index.ts";
import type { GroupOffer, GroupView, OpenGroup } from "../../modules/social/index.ts";
import type { FieldErrors } from "../../src/platform/forms.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { PriceBreakdown } from "../orders/order-bits.tsx";
import { PaymentMethodFields, ShippingAddressFields } from "../orders/checkout.tsx";

const money = (v: ViewContext, amount: number, currency: string) => v.formatMoney({ amount, currency });

/** "1 h 05 min" or "12 min": whole minutes left, never below one while the group is open. */
export function timeLeft(v: ViewContext, until: Date, now: Date): string {
  const minutes = Math.max(Math.ceil((until.getTime() - now.getTime()) / 60_000), 1);
  if (minutes < 60) return v.t("groups.minutes", { minutes });
  return v.t("groups.hours_minutes", { hours: Math.floor(minutes / 60), minutes: String(minutes % 60).padStart(2, "0") });
}

const windowText = (v: ViewContext, minutes: number) => (minutes < 60 ? v.t("groups.minutes", { minutes }) : v.t("groups.hours_minutes", { hours: Math.floor(minutes / 60), minutes: String(minutes % 60).padStart(2, "0") }));

function joinPath(offerId: string, groupId: string | null, live: string | null) {
  const query = new URLSearchParams();
  if (groupId) query.set("group", groupId);
  if (live) query.set("live", live);
  const text = query.toString();
  return `/groups/offers/${offerId}/join${text ? `?${text}` : ""}`;
}

function OfferTerms({ v, offer, regularFen }: { v: ViewContext; offer: GroupOffer; regularFen: number | null }) {
  return (
    <>
      <p class="price">
        <strong data-testid="group-price">{v.t("groups.group_price", { price: money(v, offer.groupPriceFen, offer.currency) })}</strong>{" "}
        {regularFen !== null && <s class="muted">{v.t("groups.regular_price", { price: money(v, regularFen, offer.currency) })}</s>}
      </p>
      <p>
        {v.t("groups.size", { size: offer.groupSize })} · {v.t("groups.window", { window: windowText(v, offer.windowMinutes) })}
      </p>
    </>
  );
}

export function OfferPage(props: { v: ViewContext; offer: GroupOffer; regularFen: number | null; groups: OpenGroup[]; open: boolean; now: Date; live: string | null }) {
  const { v, offer, regularFen, groups, open, now, live } = props;
  return (
    <article class="card group-offer">
      <h1>{v.t("groups.offer_title", { title: v.pick(offer.titleZh, offer.titleEn) })}</h1>
      <OfferTerms v={v} offer={offer} regularFen={regularFen} />
      <p class="muted">
        {v.t("groups.offer_ends", { time: v.formatTime(offer.endsAt) })} · {v.t("groups.units_left", { count: offer.stockLeft })}
      </p>
      <p>{v.t("groups.how")}</p>
      {!open && <Notice kind="info">{v.t("groups.offer_over")}</Notice>}
      {open && offer.stockLeft >= offer.groupSize && (
        <p>
          <a class="button button--primary" href={joinPath(offer.id, null, live)}>
            {v.t("groups.start")}
          </a>
        </p>
      )}
      <h2>{v.t("groups.open_groups")}</h2>
      {groups.length === 0 ? (
        <p class="muted">{v.t("groups.no_open_groups")}</p>
      ) : (
        <ul class="group-list" data-testid="open-groups">
          {groups.map((group) => (
            <li>
              <a href={`/groups/${group.id}`}>{v.t("groups.led_by", { name: group.leaderName })}</a> · {v.t("groups.seats_left", { count: group.seatsLeft })} ·{" "}
              <span class="countdown">{v.t("groups.time_left", { time: timeLeft(v, group.expiresAt, now) })}</span>{" "}
              {open && (
                <a class="button" href={joinPath(offer.id, group.id, live)}>
                  {v.t("groups.join")}
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

export function GroupPage({ v, group, now, shareUrl }: { v: ViewContext; group: GroupView; now: Date; shareUrl: string }) {
  const title = v.pick(group.offer.titleZh, group.offer.titleEn);
  const joinable = group.status === "open" && group.seatsLeft > 0 && group.expiresAt > now && !group.viewerOrderId;
  return (
    <article class="card group">
      <h1>{v.t("groups.group_title", { name: group.leaderName, title })}</h1>
      <OfferTerms v={v} offer={group.offer} regularFen={null} />
      {group.status === "open" ? (
        <p data-testid="group-state">
          {v.t("groups.status.open")} · {v.t("groups.seats_left", { count: group.seatsLeft })} ·{" "}
          <span class="countdown">{v.t("groups.time_left", { time: timeLeft(v, group.expiresAt, now) })}</span>
        </p>
      ) : (
        <Notice kind="info">{v.t(group.status === "filled" ? "groups.status.filled" : "groups.status.failed")}</Notice>
      )}
      <h2>{v.t("groups.members")}</h2>
      <ul class="group-members" data-testid="group-members">
        {group.members.map((member) => (
          <li>
            {member.name}
            {member.leader && <span class="badge"> {v.t("groups.leader")}</span>} <span class="muted">· {v.t(member.paid ? "groups.member_paid" : "groups.member_paying")}</span>
          </li>
        ))}
      </ul>
      {joinable && (
        <p>
          <a class="button button--primary" href={joinPath(group.offer.id, group.id, null)}>
            {v.t("groups.join")}
          </a>
        </p>
      )}
      {group.viewerOrderId && (
        <p>
          <a href={`/orders/${group.viewerOrderId}`}>{v.t("groups.your_order")}</a>
        </p>
      )}
      {group.status === "open" && (
        <p class="muted small">
          {v.t("groups.share")} <code class="share-link">{shareUrl}</code>
        </p>
      )}
      <p>
        <a href={`/groups/offers/${group.offer.id}`}>{v.t("groups.view_offer")}</a>
      </p>
    </article>
  );
}

export interface JoinValues {
  recipient?: string;
  phone?: string;
  region?: string;
  street?: string;
  paymentMethod?: "card" | "offline";
  idempotencyKey: string;
  group: string | null;
  live: string | null;
}

export function JoinPage(props: { v: ViewContext; offer: GroupOffer; quote: Quote | null; values: JoinValues; errors?: FieldErrors; problem?: string; cardEnabled: boolean }) {
  const { v, offer, quote, values, errors = {}, problem, cardEnabled } = props;
  const title = v.pick(offer.titleZh, offer.titleEn);
  const method = values.paymentMethod ?? (cardEnabled ? "card" : "offline");
  const action = `/groups/offers/${offer.id}/join`;
  return (
    <form id="group-join" method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class="card form form--wide" novalidate>
      <h1>{v.t(values.group ? "groups.join_title" : "groups.start_title", { title })}</h1>
      {problem && <Notice kind="error">{problem}</Notice>}
      {Object.keys(errors).length > 0 && <Notice kind="error">{v.t("validation.form")}</Notice>}
      <CsrfField v={v} />
      <input type="hidden" name="idempotencyKey" value={values.idempotencyKey} />
      {values.group && <input type="hidden" name="group" value={values.group} />}
      {values.live && <input type="hidden" name="live" value={values.live} />}
      <p>
        {v.t("groups.group_price", { price: money(v, offer.groupPriceFen, offer.currency) })} · {v.t("groups.size", { size: offer.groupSize })}
      </p>
      <p class="muted">{v.t("groups.join_note")}</p>
      <ShippingAddressFields v={v} values={values} errors={errors} />
      <PaymentMethodFields v={v} method={method} cardEnabled={cardEnabled} />
      {quote && <PriceBreakdown v={v} price={quote} />}
      {quote && (
        <button type="submit" class="button button--primary">
          {v.t("groups.join_place", { total: v.formatMoney(quote.total) })}
        </button>
      )}
      <p>
        <a href={`/groups/offers/${offer.id}`}>{v.t("groups.view_offer")}</a>
      </p>
    </form>
  );
}

/** The group offers a live show features, for its watch page (loaded into the slot below). */
export function RoomGroupOffers({ v, sessionId, offers }: { v: ViewContext; sessionId: string; offers: GroupOffer[] }) {
  return (
    <section id="group-offers" class="room-group-offers" aria-label={v.t("groups.room_title")}>
      {offers.length === 0 ? (
        <p class="muted small">{v.t("groups.room_none")}</p>
      ) : (
        <ul>
          {offers.map((offer) => (
            <li>
              <a href={`/groups/offers/${offer.id}?live=${sessionId}`}>{v.t("groups.room_offer", { title: v.pick(offer.titleZh, offer.titleEn), price: money(v, offer.groupPriceFen, offer.currency), size: offer.groupSize })}</a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** On the watch page: replaced by the show's group offers when the page loads; a plain link without script. */
export function RoomGroupOffersSlot({ v, sessionId }: { v: ViewContext; sessionId: string }) {
  const path = `/live/${sessionId}/group-offers`;
  return (
    <div hx-get={path} hx-trigger="load" hx-swap="outerHTML">
      <a href={path}>{v.t("groups.room_link")}</a>
    </div>
  );
}
