// The watch page: video, pinned product with live price and stock, chat, likes, purchase ticker.
import type { ChatLine, LiveSession, ShowcaseCard } from "../../modules/live/index.ts";
import { CsrfField, Notice } from "../components.tsx";
import type { ViewContext } from "../view-context.ts";
import { ShowFollowBar } from "../social/follows.tsx";
import { ShareSlot } from "../social/referral-share.tsx";
import { RoomGroupOffersSlot } from "../social/group-buy-pages.tsx";
import { ShowcaseCardView } from "./showcase.tsx";
import { showTitle } from "./show-title.ts";

export function ChatForm({ v, sessionId, error, body = "" }: { v: ViewContext; sessionId: string; error?: string; body?: string }) {
  return (
    <form id="chat-form" method="post" action={`/live/${sessionId}/chat`} hx-post={`/live/${sessionId}/chat`} hx-target="this" hx-swap="outerHTML" class="chat-form">
      <CsrfField v={v} />
      <label for="chat-body" class="visually-hidden">
        {v.t("live.chat.label")}
      </label>
      <input id="chat-body" name="body" maxlength={200} placeholder={v.t("live.chat.placeholder")} value={body} autocomplete="off" required />
      <button type="submit" class="button">{v.t("live.chat.send")}</button>
      {error && (
        <p class="field__error" role="alert" data-testid="chat-error">
          {error}
        </p>
      )}
    </form>
  );
}

export function ChatLines({ lines, removable = false, v, sessionId }: { lines: ChatLine[]; removable?: boolean; v: ViewContext; sessionId: string }) {
  return (
    <ol
      id="chat-lines"
      class="chat-lines"
      aria-live="polite"
      data-removable={removable ? "true" : undefined}
      data-session={sessionId}
      data-mute-label={v.t("live.mute_viewer")}
      data-remove-label={v.t("live.remove_viewer")}
    >
      {lines.map((line) => (
        <li data-user={line.userId}>
          <strong>{line.name}</strong> {line.body}
          {removable &&
            (["muted", "removed"] as const).map((kind) => (
              <form method="post" action={`/studio/${sessionId}/remove`} hx-post={`/studio/${sessionId}/remove`} hx-swap="none" class="inline-form">
                <CsrfField v={v} />
                <input type="hidden" name="userId" value={line.userId} />
                <input type="hidden" name="kind" value={kind} />{" "}
                <button type="submit" class="link-button">{v.t(kind === "muted" ? "live.mute_viewer" : "live.remove_viewer")}</button>
              </form>
            ))}
        </li>
      ))}
    </ol>
  );
}

export function RoomScripts() {
  return (
    <>
      <script src="/static/vendor/livekit-client.umd.js" defer />
      <script src="/static/live-room.js" defer />
    </>
  );
}

export function CouponOffer({ v, sessionId, coupon }: { v: ViewContext; sessionId: string; coupon: { id: string; offFen: number; currency: string } }) {
  const action = `/live/${sessionId}/coupons/${coupon.id}/claim`;
  return (
    <form method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" class="coupon-offer" data-coupon={coupon.id}>
      <CsrfField v={v} />
      <span>{v.t("live.coupon.offer", { off: v.formatMoney({ amount: coupon.offFen, currency: coupon.currency }) })}</span>{" "}
      <button type="submit" class="button button--fit">
        {v.t("live.coupon.claim")}
      </button>
    </form>
  );
}

export function WatchPage(props: { v: ViewContext; session: LiveSession; card: ShowcaseCard | null; chat: ChatLine[]; stats: { likes: number; viewersNow: number }; available: boolean; coupons: { id: string; offFen: number; currency: string }[] }) {
  const { v, session, card, chat, stats, available, coupons } = props;
  const live = session.status === "live";
  return (
    <article id="room" class="room" data-role="viewer" data-session={session.id} data-join={`/live/${session.id}/join`} data-locale={v.locale}>
      <h1 class="room__title">{showTitle(v, session)}</h1>
      <p class="muted">
        {v.t("live.hosted_by", { host: session.host.name, store: v.pick(session.store.nameZh, session.store.nameEn) })} ·{" "}
        <span id="viewers">{v.t("live.viewers", { count: stats.viewersNow })}</span> · <span id="likes">{v.t("live.likes", { count: stats.likes })}</span>
      </p>
      <ShowFollowBar v={v} session={session} />
      {session.status !== "ended" && <div class="share-bar"><ShareSlot v={v} target={{ type: "live_session", id: session.id }} /></div>}
      {!available && <Notice kind="info">{v.t("live.unavailable")}</Notice>}
      {!live && <Notice kind="info">{session.status === "ended" ? v.t("live.ended_title") : v.t("live.starts", { time: v.formatTime(session.scheduledAt) })}</Notice>}
      <div class="stage">
        <div id="video" class="video" role="img" aria-label={showTitle(v, session)} data-testid="video">
          {!live && session.coverUrl && <img src={session.coverUrl} alt="" class="stage__cover" />}
        </div>
        <p id="stage-status" class="muted small" aria-live="polite" />
      </div>
      <p id="ticker" class="ticker" aria-live="polite" data-template={v.t("live.someone_bought", { name: "{name}", product: "{product}" })} />
      <ShowcaseCardView v={v} card={card} sessionId={session.id} />
      {session.status !== "ended" && <RoomGroupOffersSlot v={v} sessionId={session.id} />}
      <div id="coupons" data-claim-template={v.user ? "signed-in" : ""}>
        {v.user && coupons.map((coupon) => <CouponOffer v={v} sessionId={session.id} coupon={coupon} />)}
      </div>
      {live && (
        <form method="post" action={`/live/${session.id}/like`} hx-post={`/live/${session.id}/like`} hx-swap="none" class="inline-form">
          <CsrfField v={v} />
          <button type="submit" class="button">♥ {v.t("live.like")}</button>
        </form>
      )}
      <section class="chat" aria-label={v.t("live.chat.title")}>
        <h2 class="visually-hidden">{v.t("live.chat.title")}</h2>
        <ChatLines lines={chat} v={v} sessionId={session.id} />
        {live && v.user && <ChatForm v={v} sessionId={session.id} />}
        {live && !v.user && (
          <p>
            <a href={`/signin?next=${encodeURIComponent(`/live/${session.id}`)}`}>{v.t("nav.signin")}</a>
          </p>
        )}
      </section>
      {live && available && <RoomScripts />}
    </article>
  );
}
